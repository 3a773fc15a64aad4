// Granting, renewing and revoking temporary elevations, and the views of
// them that status and authority checks read.
#include "amp/lifecycle/elevation.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "amp/error.hpp"
#include "amp/lifecycle/draft.hpp"
#include "amp/lifecycle/elevation_rules.hpp"
#include "amp/lifecycle/state.hpp"

namespace amp::lifecycle {

namespace {

Json elevation_event(const Json& elevation_id, std::string_view action, std::string_view reason, const Json& ttl,
                     const Json& granted_by, const Json& expires_at, std::int64_t state_rev) {
    Json event = Json::object();
    event["event_type"] = "ElevationChange";
    event["elevation_id"] = elevation_id;
    event["action"] = action;
    event["reason"] = reason;
    event["ttl_seconds"] = ttl;
    event["granted_by"] = granted_by;
    event["expires_at"] = expires_at;
    event["state_rev"] = state_rev;
    return event;
}

const ElevationDefinition& find_definition(const std::vector<ElevationDefinition>& definitions,
                                           std::string_view elevation_id) {
    for (const ElevationDefinition& definition : definitions) {
        if (definition.id == elevation_id) return definition;
    }

    std::string ids;
    for (const ElevationDefinition& definition : definitions) ids += (ids.empty() ? "" : ", ") + definition.id;
    throw Error(fmt::format("unknown elevation \"{}\"; the persona's authority.elevations defines: {}", elevation_id,
                            ids.empty() ? "none" : ids),
                {"pass one of those ids to --elevation"});
}

// Throws amp::Error (exit code 3) when the persona's rules for this
// elevation are not met by the request.
void check_grant_request(const ElevationDefinition& definition, std::string_view reason, std::string_view approver) {
    if (definition.reason_required && reason.empty()) {
        throw Error(fmt::format("elevation \"{}\" requires a reason", definition.id),
                    {"add --reason TEXT saying why the elevation is needed"});
    }
    if (definition.approval == Approval::quorum) {
        throw Error(fmt::format("elevation \"{}\" requires quorum approval, which amp does not support yet; nothing "
                                "was granted",
                                definition.id));
    }
    if (definition.approval == Approval::human && approver.empty()) {
        throw Error(fmt::format("elevation \"{}\" requires a human approver", definition.id),
                    {"add --approver WHO naming the person who approved it"});
    }
}

Json& active_elevations(Json& state) {
    if (!state.contains("active_elevations") || !state["active_elevations"].is_array()) {
        state["active_elevations"] = Json::array();
    }
    return state["active_elevations"];
}

// Walks a dotted path ("actions.allow") into `object`, creating objects
// on the way. Returns nullptr when a member on the way is not an object.
Json* member_at_path(Json& object, const std::string& path) {
    Json* current = &object;
    std::size_t start = 0;
    while (true) {
        if (!current->is_object()) return nullptr;
        const std::size_t dot = path.find('.', start);
        const std::string key = path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
        current = &(*current)[key];
        if (dot == std::string::npos) return current;
        if (current->is_null()) *current = Json::object();
        start = dot + 1;
    }
}

// A deny entry is an action name or {"action": name, ...}.
bool denies_action(const Json& entry, const Json& action) {
    if (entry.is_string()) return entry == action;
    return entry.is_object() && entry.value("action", Json(nullptr)) == action;
}

void apply_grant(Json& authority, const std::string& path, const Json& granted) {
    Json* target = member_at_path(authority, path);
    if (target == nullptr) return;

    if (!granted.is_array() || !(target->is_array() || target->is_null())) {
        *target = granted;
        return;
    }
    if (target->is_null()) *target = Json::array();
    for (const Json& item : granted) {
        if (std::find(target->begin(), target->end(), item) == target->end()) target->push_back(item);
    }

    // Allowing an action the persona denies is the purpose of the grant.
    if (path != "actions.allow") return;
    Json* deny = member_at_path(authority, "actions.deny");
    if (deny == nullptr || !deny->is_array()) return;
    Json still_denied = Json::array();
    for (const Json& entry : *deny) {
        const bool lifted = std::any_of(granted.begin(), granted.end(),
                                        [&](const Json& action) { return denies_action(entry, action); });
        if (!lifted) still_denied.push_back(entry);
    }
    *deny = std::move(still_denied);
}

}  // namespace

Mutation elevate(const Json& persona, const Json& state, std::string_view elevation_id, std::string_view reason,
                 std::string_view approver, std::string_view operator_identity, TimePoint now) {
    validate_state_for(persona, state);
    const std::vector<ElevationDefinition> definitions = read_elevations(persona);
    const ElevationDefinition& definition = find_definition(definitions, elevation_id);
    check_grant_request(definition, reason, approver);

    const std::string granted_by(approver.empty() ? operator_identity : approver);
    if (granted_by.empty()) {
        throw Error(fmt::format("elevation \"{}\": no identity to record as granted_by", definition.id),
                    {"add --approver WHO"});
    }

    Draft draft(state, now);
    const Json expired = expire_elevations(draft, persona);

    const std::string expires_at = format_time(now + std::chrono::seconds{definition.ttl_seconds});
    Json& elevations = active_elevations(draft.state());
    std::string action = "activate";
    for (Json& entry : elevations) {
        if (entry["elevation_id"] != definition.id) continue;
        // Renewing keeps the entry's place and any members other tools added.
        entry["granted_at"] = draft.now_text();
        entry["expires_at"] = expires_at;
        entry["reason"] = reason;
        entry["granted_by"] = granted_by;
        action = "renew";
    }
    if (action == "activate") {
        Json entry = Json::object();
        entry["elevation_id"] = definition.id;
        entry["granted_at"] = draft.now_text();
        entry["expires_at"] = expires_at;
        entry["reason"] = reason;
        entry["granted_by"] = granted_by;
        elevations.push_back(std::move(entry));
    }

    draft.add_event(elevation_event(definition.id, action, reason, definition.ttl_seconds, granted_by, expires_at,
                                    draft.next_rev()));
    draft.mark_changed("ElevationChange");

    Json report = Json::object();
    report["operation"] = "elevate";
    report["outcome"] = action;
    report["message"] = fmt::format("elevation \"{}\" {} by {} until {}", definition.id,
                                    action == "renew" ? "renewed" : "granted", granted_by, expires_at);
    report["elevation_id"] = definition.id;
    report["granted_by"] = granted_by;
    report["ttl_seconds"] = definition.ttl_seconds;
    report["expires_at"] = expires_at;
    report["grants"] = definition.grants;
    report["expired_elevations"] = expired;
    return draft.finish(ExitCode::ok, std::move(report));
}

Mutation revoke_elevation(const Json& persona, const Json& state, std::string_view elevation_id,
                          std::string_view reason, TimePoint now) {
    if (reason.empty()) {
        throw Error("revoking an elevation needs a reason for the audit log", {"add --reason TEXT"});
    }
    validate_state_for(persona, state);

    // Checked before expiry: an elevation whose TTL has passed is no longer
    // active, and revoking it would record nothing true.
    const Json recorded = state.value("active_elevations", Json::array());
    const Json* target = nullptr;
    for (const Json& entry : recorded) {
        if (entry.at("elevation_id") == elevation_id) target = &entry;
    }
    if (target == nullptr) {
        throw Error(fmt::format("denied: elevation \"{}\" is not active", elevation_id),
                    {"run `amp status FILE` to list the active elevations"}, ExitCode::negative);
    }
    if (elevation_has_expired(*target, now)) {
        throw Error(fmt::format("denied: elevation \"{}\" already expired at {}", elevation_id,
                                (*target)["expires_at"].get<std::string>()),
                    {"any state mutation records the expiry, e.g. `amp gate FILE --evaluate '*' --metrics M`"},
                    ExitCode::negative);
    }
    const Json revoked = *target;

    Draft draft(state, now);
    const Json expired = expire_elevations(draft, persona);

    Json& elevations = active_elevations(draft.state());
    Json remaining = Json::array();
    for (const Json& entry : elevations) {
        if (entry.at("elevation_id") != elevation_id) remaining.push_back(entry);
    }
    elevations = std::move(remaining);

    draft.add_event(elevation_event(revoked["elevation_id"], "revoke", reason, elevation_ttl(persona, revoked),
                                    revoked.value("granted_by", Json(nullptr)), revoked["expires_at"],
                                    draft.next_rev()));
    draft.mark_changed("ElevationChange");

    Json report = Json::object();
    report["operation"] = "revoke_elevation";
    report["outcome"] = "revoke";
    report["message"] = fmt::format("elevation \"{}\" revoked: {}", elevation_id, reason);
    report["elevation_id"] = elevation_id;
    report["reason"] = reason;
    report["expired_elevations"] = expired;
    return draft.finish(ExitCode::ok, std::move(report));
}

Json expired_elevations(const Json& state, TimePoint now) {
    validate_state(state);

    Json expired = Json::array();
    const auto elevations = state.find("active_elevations");
    if (elevations == state.end() || !elevations->is_array()) return expired;
    for (const Json& entry : *elevations) {
        if (elevation_has_expired(entry, now)) expired.push_back(entry);
    }
    return expired;
}

Json effective_authority(const Json& persona, const Json& state, TimePoint now) {
    validate_state_for(persona, state);

    Json authority = persona.value("authority", Json::object());

    const Json overlay = state.value("active_overlay", Json(nullptr));
    if (overlay.is_object()) authority.merge_patch(overlay);

    const std::vector<ElevationDefinition> definitions = read_elevations(persona);
    for (const Json& entry : state.value("active_elevations", Json::array())) {
        if (elevation_has_expired(entry, now)) continue;
        for (const ElevationDefinition& definition : definitions) {
            if (entry.at("elevation_id") != definition.id) continue;
            for (const auto& [path, granted] : definition.grants.items()) apply_grant(authority, path, granted);
        }
    }
    return authority;
}

}  // namespace amp::lifecycle
