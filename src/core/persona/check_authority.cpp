// Authority checks beyond the schema: elevation ids and grants, quorum
// elevations, and allow/deny lists that contradict or repeat themselves.

#include <fmt/format.h>

#include <map>

#include "check_internal.hpp"

namespace amp::persona::detail {
namespace {

std::string elevation_label(const Json& elevation, std::size_t index) {
    const Json* id = find_member(elevation, "id");
    if (id != nullptr && id->is_string()) {
        return fmt::format("elevation {}", quote(id->get_ref<const std::string&>()));
    }
    return fmt::format("elevation {}", index);
}

void check_grants(const Json& grants, const std::string& pointer, Findings& findings) {
    for (const auto& [path, value] : grants.items()) {
        const std::string grant_pointer = child_pointer(pointer, path);
        const SchemaNode* node = grant_schema(path);
        if (node == nullptr) {
            findings.error("E035", grant_pointer,
                           fmt::format("elevation grants unknown authority path {}; expected "
                                       "one of {}",
                                       quote(path), fmt::join(grantable_paths(), ", ")));
            continue;
        }
        validate_schema(value, *node, grant_pointer, fmt::format("grant \"{}\"", path), findings);
    }
}

void check_elevations(const Json& elevations, Findings& findings) {
    std::map<std::string, std::size_t> first_elevation_with_id;
    for (std::size_t index = 0; index < elevations.size(); ++index) {
        const Json& elevation = elevations[index];
        if (!elevation.is_object()) {
            continue;
        }
        const std::string pointer = child_pointer("/authority/elevations", index);

        const Json* id = find_member(elevation, "id");
        if (id != nullptr && id->is_string()) {
            const auto [first, inserted] =
                first_elevation_with_id.emplace(id->get<std::string>(), index);
            if (!inserted) {
                findings.error("E031", child_pointer(pointer, "id"),
                               fmt::format("elevation id {} is already used by elevation {}; "
                                           "elevation ids must be unique",
                                           quote(first->first), first->second));
            }
        }

        const Json* grants = find_member(elevation, "grants");
        if (grants != nullptr && grants->is_object()) {
            check_grants(*grants, child_pointer(pointer, "grants"), findings);
        }

        const Json* requires_approval = find_member(elevation, "requires");
        if (requires_approval != nullptr && *requires_approval == "quorum") {
            findings.warning("W031", child_pointer(pointer, "requires"),
                             fmt::format("{} requires quorum approval, which amp rejects at run "
                                         "time because it is not implemented yet; use \"human\"",
                                         elevation_label(elevation, index)));
        }
    }
}

// Reports the later of two entries, so the first occurrence reads as the intended one.
void check_allow_and_deny(const ActionsSection& section, Findings& findings) {
    std::map<std::string, const ActionAt*> first_allowed;
    std::map<std::string, const ActionAt*> first_denied;

    const std::vector<ActionAt> actions = collect_actions(section);
    for (const ActionAt& action : actions) {
        auto& same_list = action.denied ? first_denied : first_allowed;
        const auto [first, inserted] = same_list.emplace(action.name, &action);
        if (!inserted) {
            findings.warning("W034", action.pointer,
                             fmt::format("action {} is already listed at {}; remove the "
                                         "duplicate",
                                         quote(action.name), first->second->pointer));
            continue;
        }

        if (!action.denied) {
            continue;
        }
        const auto allowed = first_allowed.find(action.name);
        if (allowed != first_allowed.end()) {
            findings.warning("W033", action.pointer,
                             fmt::format("action {} is both allowed (at {}) and denied; "
                                         "remove it from one of the lists",
                                         quote(action.name), allowed->second->pointer));
        }
    }
}

}  // namespace

void check_authority(const Json& persona, Findings& findings) {
    const Json* authority = find_member(persona, "authority");
    const Json* elevations = authority != nullptr ? find_member(*authority, "elevations") : nullptr;
    if (elevations != nullptr && elevations->is_array()) {
        check_elevations(*elevations, findings);
    }

    for (const ActionsSection& section : find_actions_sections(persona)) {
        check_allow_and_deny(section, findings);
    }
}

}  // namespace amp::persona::detail
