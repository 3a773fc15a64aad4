// amp check (alias validate): schema, consistency, action vocabulary, lint
// and signature status of persona files.
#include <filesystem>
#include <optional>

#include <fmt/format.h>

#include "amp/clock.hpp"
#include "amp/error.hpp"
#include "amp/persona/check.hpp"
#include "amp/persona/signature_status.hpp"
#include "amp/signing/document_files.hpp"
#include "command.hpp"
#include "console.hpp"

namespace amp::cli {

namespace {

struct CheckOptions {
    std::vector<std::string> files;
    bool strict = false;
    bool json = false;
};

struct FileCheck {
    std::string file;
    std::optional<persona::CheckReport> report;  // empty when the file could not be read
    std::string rejection;
    std::vector<std::string> hints;
};

Json diagnostics_json(const persona::CheckReport& report) {
    Json list = Json::array();
    for (const persona::Diagnostic& diagnostic : report.diagnostics) {
        list.push_back({{"code", diagnostic.code},
                        {"severity", std::string(persona::to_string(diagnostic.severity))},
                        {"pointer", diagnostic.pointer},
                        {"message", diagnostic.message}});
    }
    return list;
}

std::size_t count(const persona::CheckReport& report, persona::Severity severity) {
    std::size_t total = 0;
    for (const persona::Diagnostic& diagnostic : report.diagnostics) total += diagnostic.severity == severity ? 1 : 0;
    return total;
}

bool passes(const persona::CheckReport& report, bool strict) {
    return !report.has_errors() && !(strict && report.has_warnings());
}

void print_human(const FileCheck& check, bool strict) {
    if (!check.report) {
        print_error(check.rejection);
        print_hints(check.hints);
        return;
    }
    const persona::CheckReport& report = *check.report;
    const std::size_t errors = count(report, persona::Severity::error);
    const std::size_t warnings = count(report, persona::Severity::warning);
    const std::string version = report.schema_version.empty() ? "unknown schema" : "v" + report.schema_version;
    const std::string verdict = passes(report, strict) ? green("ok") : red("FAILED");
    print_line(fmt::format("{}: {} ({}, {} error{}, {} warning{})", check.file, verdict, version, errors,
                           errors == 1 ? "" : "s", warnings, warnings == 1 ? "" : "s"));
    for (const persona::Diagnostic& diagnostic : report.diagnostics) {
        const std::string pointer = diagnostic.pointer.empty() ? "/" : diagnostic.pointer;
        print_line(fmt::format("  {} {} {}", diagnostic.code, pointer, diagnostic.message));
    }
}

int run_check(const CheckOptions& options) {
    signing::TrustStores stores;
    const TimePoint current = now();
    std::vector<FileCheck> checks;
    for (const std::string& file : options.files) {
        FileCheck check{file, std::nullopt, {}, {}};
        try {
            const Json document = signing::load_document(file);
            persona::CheckReport report = persona::check_persona(document);
            persona::append_signature_status(report, document, file, stores, current);
            check.report = std::move(report);
        } catch (const Error& error) {
            check.rejection = error.what();
            check.hints = error.hints();
        }
        checks.push_back(std::move(check));
    }

    bool all_pass = true;
    bool any_rejected = false;
    Json files = Json::array();
    for (const FileCheck& check : checks) {
        any_rejected = any_rejected || !check.report;
        all_pass = all_pass && check.report && passes(*check.report, options.strict);
        if (!options.json) {
            print_human(check, options.strict);
            continue;
        }
        if (!check.report) {
            files.push_back({{"file", check.file}, {"ok", false}, {"status", "rejected"}, {"error", check.rejection}});
            continue;
        }
        files.push_back({{"file", check.file},
                         {"ok", passes(*check.report, options.strict)},
                         {"status", "checked"},
                         {"schema_version", check.report->schema_version},
                         {"errors", count(*check.report, persona::Severity::error)},
                         {"warnings", count(*check.report, persona::Severity::warning)},
                         {"diagnostics", diagnostics_json(*check.report)}});
    }
    if (options.json) print_json(Json{{"ok", all_pass}, {"strict", options.strict}, {"files", files}});

    if (any_rejected) return static_cast<int>(ExitCode::failure);
    return all_pass ? 0 : static_cast<int>(ExitCode::negative);
}

}  // namespace

void add_check_command(CLI::App& app, Action& action) {
    auto options = std::make_shared<CheckOptions>();
    CLI::App* command = app.add_subcommand(
        "check", "Check personas: schema (v1.0, v0.2), consistency, action vocabulary, signature, lint");
    command->footer(
        "Exit codes: 0 every file passes, 1 errors (or warnings with --strict), 3 a file cannot be read or parsed, 64 usage error.\n"
        "Diagnostic codes (E0xx errors, W0xx warnings) are listed in docs/CHECK.md.");
    command->alias("validate");
    command->add_option("FILE", options->files, "Persona files")->required();
    command->add_flag("--strict", options->strict, "Fail on warnings too");
    command->add_flag("--json", options->json, "Print one JSON report on stdout");
    command->callback([options, &action] { action = [options] { return run_check(*options); }; });
}

}  // namespace amp::cli
