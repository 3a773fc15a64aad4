#include "amp/fleet/fleet.hpp"

#include <algorithm>
#include <atomic>
#include <thread>

#include <fmt/format.h>

#include "amp/audit/history.hpp"
#include "amp/error.hpp"
#include "amp/json/reader.hpp"
#include "amp/lifecycle/state.hpp"
#include "amp/operations/status.hpp"
#include "amp/persona/check.hpp"
#include "amp/persona/paths.hpp"
#include "amp/signing/document_files.hpp"
#include "amp/signing/signature.hpp"

namespace amp::fleet {

namespace fs = std::filesystem;

namespace {

struct Candidate {
    fs::path file;
};

// The persona files of a directory and the JSON files that are none, sorted.
std::pair<std::vector<fs::path>, std::vector<fs::path>> list_json_files(const fs::path& directory) {
    std::error_code error;
    fs::directory_iterator iterator(directory, error);
    if (error) throw Error(fmt::format("cannot read directory {}: {}", directory.string(), error.message()));

    std::vector<fs::path> personas;
    std::vector<fs::path> companions;
    for (const fs::directory_entry& entry : iterator) {
        if (!entry.is_regular_file(error)) continue;
        const auto kind = persona::classify(entry.path());
        if (!kind || entry.path().extension() != ".json") continue;
        (*kind == persona::FileKind::persona ? personas : companions).push_back(entry.path());
    }
    std::sort(personas.begin(), personas.end());
    return {personas, companions};
}

Json problem(std::string code, std::string message) { return {{"code", std::move(code)}, {"message", std::move(message)}}; }

Json signature_json(const Json& document, const fs::path& file, signing::TrustStores& stores, TimePoint now,
                    bool allow_unsigned, Json& errors) {
    if (!signing::is_signed(document)) {
        if (!allow_unsigned) {
            errors.push_back(problem("unsigned", fmt::format("{} is not signed (pass --allow-unsigned to accept)", file.string())));
        }
        return {{"status", "unsigned"}};
    }
    try {
        const signing::Verification verification =
            signing::verify_document(document, signing::KeySource::trust_store(stores.for_file(file), now));
        Json status = {{"status", verification.valid() ? "valid" : "invalid"}, {"key_id", verification.key_id}};
        if (!verification.valid()) {
            status["code"] = signing::to_string(verification.failure);
            errors.push_back(problem(signing::to_string(verification.failure),
                                     fmt::format("{}: {}", file.string(), verification.message)));
        }
        if (verification.warning) status["warning"] = *verification.warning;
        return status;
    } catch (const Error& error) {
        errors.push_back(problem("signature_unchecked", error.what()));
        return {{"status", "unchecked"}};
    }
}

// The whole check of one persona file; never throws.
Json check_one(const fs::path& file, const FleetOptions& options, signing::TrustStores& stores, TimePoint now,
               std::optional<std::string>& skip_reason) {
    Json result = {{"file", file.string()}};
    Json errors = Json::array();
    Json warnings = Json::array();

    Json document;
    try {
        document = json::read_file(file);
    } catch (const Error& error) {
        errors.push_back(problem("unreadable", error.what()));
        result["ok"] = false;
        result["errors"] = errors;
        return result;
    }
    if (!document.is_object() || !document.contains("name") || !document.contains("role")) {
        skip_reason = document.is_object() ? "not a persona: no \"name\" and \"role\" members (metrics or other data?)"
                                           : "not a persona: not a JSON object";
        return result;
    }
    result["name"] = document["name"];

    const persona::CheckReport report = persona::check_persona(document);
    result["schema_version"] = report.schema_version;
    for (const persona::Diagnostic& diagnostic : report.diagnostics) {
        Json entry = {{"code", diagnostic.code}, {"pointer", diagnostic.pointer}, {"message", diagnostic.message}};
        (diagnostic.severity == persona::Severity::error ? errors : warnings).push_back(std::move(entry));
    }
    result["persona_signature"] = signature_json(document, file, stores, now, options.allow_unsigned, errors);

    const persona::PersonaPaths paths = persona::resolve(file);
    try {
        if (fs::exists(paths.state())) {
            const Json state = signing::load_document(paths.state());
            lifecycle::validate_state_for(document, state, paths.state().string());
            result["state_signature"] = signature_json(state, paths.state(), stores, now, options.allow_unsigned, errors);
        } else {
            result["state_signature"] = {{"status", "no_state"}};
        }
        const audit::HistoryReport history = audit::verify_history(paths, stores, now);
        result["history"] = history.details;
        if (!history.intact) {
            errors.push_back(problem("history", fmt::format("{}: audit history is damaged or inconsistent (see amp audit {} --verify)",
                                                            file.string(), file.string())));
        }
    } catch (const Error& error) {
        errors.push_back(problem("state", error.what()));
    }

    result["ok"] = errors.empty();
    result["errors"] = errors;
    result["warnings"] = warnings;
    return result;
}

}  // namespace

FleetReport check_fleet(const fs::path& directory, const FleetOptions& options, TimePoint now) {
    const auto [files, companions] = list_json_files(directory);
    std::vector<Json> results(files.size());
    std::vector<std::optional<std::string>> skip_reasons(files.size());

    const unsigned hardware = std::max(1u, std::thread::hardware_concurrency());
    const unsigned thread_count =
        std::min<unsigned>(options.threads == 0 ? hardware : options.threads, std::max<std::size_t>(files.size(), 1));
    std::atomic<std::size_t> next{0};
    auto work = [&] {
        signing::TrustStores stores;  // per thread: the cache is not shared
        for (std::size_t i = next++; i < files.size(); i = next++) {
            results[i] = check_one(files[i], options, stores, now, skip_reasons[i]);
        }
    };
    std::vector<std::thread> threads;
    for (unsigned i = 1; i < thread_count; ++i) threads.emplace_back(work);
    work();
    for (std::thread& thread : threads) thread.join();

    FleetReport report;
    Json personas = Json::array();
    Json skipped = Json::array();
    std::size_t failed = 0;
    for (std::size_t i = 0; i < files.size(); ++i) {
        if (skip_reasons[i]) {
            skipped.push_back({{"file", files[i].string()}, {"reason", *skip_reasons[i]}});
            continue;
        }
        failed += results[i].value("ok", false) ? 0 : 1;
        personas.push_back(std::move(results[i]));
    }
    // An empty directory (a wrong path, a restore into the wrong place) must
    // not pass as a fleet with nothing wrong in it.
    report.ok = failed == 0 && !personas.empty();
    report.details = {{"directory", directory.string()},
                      {"ok", report.ok},
                      {"summary", {{"personas", personas.size()}, {"failed", failed}, {"skipped", skipped.size()},
                                   {"companion_files", companions.size()}}},
                      {"personas", personas},
                      {"skipped", skipped}};
    if (personas.empty()) {
        report.details["error"] = fmt::format("no persona files in {}: nothing was checked", directory.string());
    }
    return report;
}

Json fleet_status(const fs::path& directory, TimePoint now) {
    const auto [files, companions] = list_json_files(directory);
    (void)companions;
    signing::TrustStores stores;
    Json rows = Json::array();
    for (const fs::path& file : files) {
        Json row = {{"file", file.string()}};
        try {
            const Json document = json::read_file(file);
            if (!document.is_object() || !document.contains("name") || !document.contains("role")) continue;
            const Json status = operations::persona_status(persona::resolve(file), stores, now);
            row["name"] = status["name"];
            row["autonomy"] = status["autonomy"];
            row["phase"] = status["current_phase"];
            row["state_rev"] = status["state_rev"];
            row["elevations"] = status["elevations"].size();
            row["expired_elevations"] = status["expired_unrecorded"].size();
            row["signing_key"] = status["persona_signature"].value("key_id", Json(nullptr));
            row["persona_signature"] = status["persona_signature"].value("status", "?");
            row["state_signature"] = status["state_signature"].value("status", "?");
            row["audit"] = status["state_binding"].value("status", "?");
            row["audit_torn_tail"] = status["audit"].value("torn_tail", false);
        } catch (const Error& error) {
            row["error"] = error.what();
        }
        rows.push_back(std::move(row));
    }
    return {{"directory", directory.string()}, {"personas", rows}};
}

}  // namespace amp::fleet
