#include "amp/operations/status.hpp"

#include <algorithm>
#include <deque>
#include <fstream>
#include <map>

#include <fmt/format.h>

#include "amp/error.hpp"
#include "amp/json/reader.hpp"
#include "amp/lifecycle/lifecycle.hpp"
#include "amp/operations/state_binding.hpp"
#include "amp/signing/signature.hpp"
#include "amp/store/chain.hpp"

namespace amp::operations {

namespace fs = std::filesystem;

namespace {

Json signature_status(const Json& document, const fs::path& file, signing::TrustStores& stores, TimePoint now) {
    if (!signing::is_signed(document)) return {{"status", "unsigned"}};
    try {
        const signing::Verification verification =
            signing::verify_document(document, signing::KeySource::trust_store(stores.for_file(file), now));
        Json status = {{"status", verification.valid() ? "valid" : "invalid"},
                       {"key_id", verification.key_id},
                       {"signer", verification.signer},
                       {"created_at", verification.created_at}};
        if (!verification.valid()) {
            status["code"] = signing::to_string(verification.failure);
            status["error"] = verification.message;
        }
        if (verification.warning) status["warning"] = *verification.warning;
        return status;
    } catch (const Error& error) {
        return {{"status", "unchecked"}, {"error", error.what()}};
    }
}

Json elevation_view(const Json& persona, const Json& state, TimePoint now) {
    (void)persona;
    Json views = Json::array();
    for (const Json& elevation : state.value("active_elevations", Json::array())) {
        Json view = elevation;
        const auto expires = parse_time(elevation.value("expires_at", ""));
        if (expires) {
            const auto left = std::chrono::duration_cast<std::chrono::seconds>(*expires - now).count();
            view["seconds_left"] = std::max<long long>(left, 0);
            view["expired"] = left <= 0;
        } else {
            view["expired"] = nullptr;
        }
        views.push_back(std::move(view));
    }
    return views;
}

}  // namespace

Json persona_status(const persona::PersonaPaths& paths, signing::TrustStores& stores, TimePoint now) {
    const Json persona = signing::load_document(paths.persona());
    std::optional<Json> state;
    if (fs::exists(paths.state())) state = signing::load_document(paths.state());
    const Json current = state ? *state : lifecycle::initial_state(persona, now);

    Json status = Json::object();
    status["persona"] = paths.persona().string();
    status["name"] = persona.value("name", "");
    status["state_file"] = state ? Json(paths.state().string()) : Json(nullptr);
    status["current_phase"] = current.value("current_phase", Json(nullptr));
    status["state_rev"] = current.value("state_rev", 0);
    status["updated_at"] = current.value("updated_at", Json(nullptr));
    status["autonomy"] = lifecycle::effective_authority(persona, current, now).value("autonomy", Json(nullptr));
    status["active_overlay"] = current.value("active_overlay", Json(nullptr));
    status["elevations"] = elevation_view(persona, current, now);
    status["expired_unrecorded"] = lifecycle::expired_elevations(current, now);
    status["pending_transition"] = current.value("pending_transition", Json(nullptr));
    status["last_transition"] = current.value("last_transition", Json(nullptr));
    status["persona_signature"] = signature_status(persona, paths.persona(), stores, now);
    status["state_signature"] = state ? signature_status(*state, paths.state(), stores, now) : Json{{"status", "no_state"}};

    const store::ChainTail audit = store::read_tail(paths.audit());
    status["audit"] = {{"file", paths.audit().string()},
                       {"exists", fs::exists(paths.audit())},
                       {"head", audit.head},
                       {"torn_tail", !audit.torn_bytes.empty()}};

    const StateBinding binding = check_state_binding(paths, state);
    status["state_binding"] = {{"status", to_string(binding.status)}, {"message", binding.message}};
    if (binding.audited_rev) status["state_binding"]["audited_state_rev"] = *binding.audited_rev;
    return status;
}

Json drift_summary(const persona::PersonaPaths& paths, std::size_t series_length) {
    struct Trend {
        double first = 0, last = 0, min = 0, max = 0;
        std::size_t count = 0;
        std::deque<double> recent;
    };
    std::map<std::string, Trend> trends;
    std::uint64_t entries = 0;

    std::ifstream ledger(paths.drift(), std::ios::binary);
    std::string line;
    while (std::getline(ledger, line)) {
        if (ledger.eof()) break;  // a torn final line has no "\n"
        ++entries;
        const Json entry = json::parse(line, fmt::format("{}:{}", paths.drift().string(), entries));
        if (!entry.is_object() || !entry.contains("metrics") || !entry["metrics"].is_object()) continue;
        for (const auto& [name, value] : entry["metrics"].items()) {
            if (!value.is_number() && !value.is_boolean()) continue;
            const double number = value.is_boolean() ? (value.get<bool>() ? 1.0 : 0.0) : value.get<double>();
            Trend& trend = trends[name];
            if (trend.count == 0) {
                trend.first = trend.min = trend.max = number;
            }
            trend.last = number;
            trend.min = std::min(trend.min, number);
            trend.max = std::max(trend.max, number);
            ++trend.count;
            trend.recent.push_back(number);
            if (trend.recent.size() > series_length) trend.recent.pop_front();
        }
    }

    Json metrics = Json::object();
    for (const auto& [name, trend] : trends) {
        metrics[name] = {{"samples", trend.count},
                         {"first", trend.first},
                         {"last", trend.last},
                         {"min", trend.min},
                         {"max", trend.max},
                         {"change", trend.last - trend.first},
                         {"recent", Json(std::vector<double>(trend.recent.begin(), trend.recent.end()))}};
    }
    return {{"file", paths.drift().string()}, {"entries", entries}, {"metrics", metrics}};
}

}  // namespace amp::operations
