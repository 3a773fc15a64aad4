#include "amp/lifecycle/elevation_rules.hpp"

#include <set>

#include <fmt/format.h>

#include "amp/error.hpp"

namespace amp::lifecycle {

namespace {

[[noreturn]] void fail(const std::string& pointer, std::string_view problem) {
    throw Error(fmt::format("persona: {}: {}", pointer, problem), {"run `amp check` on the persona for all problems"});
}

const Json* elevations_array(const Json& persona) {
    if (!persona.is_object()) return nullptr;
    const auto authority = persona.find("authority");
    if (authority == persona.end() || !authority->is_object()) return nullptr;
    const auto elevations = authority->find("elevations");
    return elevations == authority->end() ? nullptr : &*elevations;
}

ElevationDefinition read_elevation(const Json& value, std::size_t index) {
    const std::string pointer = fmt::format("/authority/elevations/{}", index);
    if (!value.is_object()) fail(pointer, "expected an elevation object");

    ElevationDefinition definition;
    definition.index = index;

    const auto id = value.find("id");
    if (id == value.end() || !id->is_string() || id->get<std::string>().empty()) {
        fail(pointer + "/id", "expected a non-empty string");
    }
    definition.id = id->get<std::string>();

    const auto grants = value.find("grants");
    if (grants == value.end() || !grants->is_object()) fail(pointer + "/grants", "expected an object");
    definition.grants = *grants;

    const auto requires_member = value.find("requires");
    if (requires_member == value.end() || !requires_member->is_string()) {
        fail(pointer + "/requires", "expected \"auto\", \"human\" or \"quorum\"");
    }
    const std::string requires_text = requires_member->get<std::string>();
    if (requires_text == "auto") {
        definition.approval = Approval::automatic;
    } else if (requires_text == "human") {
        definition.approval = Approval::human;
    } else if (requires_text == "quorum") {
        definition.approval = Approval::quorum;
    } else {
        fail(pointer + "/requires", fmt::format("unknown value \"{}\", expected \"auto\", \"human\" or \"quorum\"",
                                                requires_text));
    }

    const auto ttl = value.find("ttl_seconds");
    if (ttl == value.end() || !ttl->is_number_integer() || ttl->get<std::int64_t>() < 1) {
        fail(pointer + "/ttl_seconds", "expected an integer >= 1");
    }
    definition.ttl_seconds = ttl->get<std::int64_t>();

    const auto reason_required = value.find("reason_required");
    if (reason_required != value.end()) {
        if (!reason_required->is_boolean()) fail(pointer + "/reason_required", "expected true or false");
        definition.reason_required = reason_required->get<bool>();
    }
    return definition;
}

}  // namespace

std::vector<ElevationDefinition> read_elevations(const Json& persona) {
    const Json* elevations = elevations_array(persona);
    if (elevations == nullptr) return {};
    if (!elevations->is_array()) fail("/authority/elevations", "expected an array of elevations");

    std::vector<ElevationDefinition> result;
    std::set<std::string> seen;
    for (std::size_t i = 0; i < elevations->size(); ++i) {
        ElevationDefinition definition = read_elevation((*elevations)[i], i);
        if (!seen.insert(definition.id).second) {
            fail(fmt::format("/authority/elevations/{}/id", i), fmt::format("duplicate elevation id \"{}\"", definition.id));
        }
        result.push_back(std::move(definition));
    }
    return result;
}

bool elevation_has_expired(const Json& entry, TimePoint now) {
    const auto expires_at = parse_time(entry.at("expires_at").get<std::string>());
    return expires_at && *expires_at <= now;
}

Json elevation_ttl(const Json& persona, const Json& entry) {
    const Json* elevations = elevations_array(persona);
    const Json& id = entry.at("elevation_id");
    if (elevations != nullptr && elevations->is_array()) {
        for (const Json& definition : *elevations) {
            if (!definition.is_object() || definition.value("id", Json(nullptr)) != id) continue;
            const auto ttl = definition.find("ttl_seconds");
            if (ttl != definition.end() && ttl->is_number_integer()) return *ttl;
        }
    }

    // An elevation the persona no longer defines keeps the TTL it was granted with.
    const auto granted_at = entry.find("granted_at");
    if (granted_at == entry.end() || !granted_at->is_string()) return nullptr;
    const auto start = parse_time(granted_at->get<std::string>());
    const auto end = parse_time(entry.at("expires_at").get<std::string>());
    if (!start || !end) return nullptr;
    return (*end - *start).count();
}

}  // namespace amp::lifecycle
