// Action vocabulary: the builtin action names, the grammar of custom
// actions, and the pass that checks every action a persona names.
//
// Custom action grammar (ABNF, RFC 5234):
//   custom-action = "custom:" name "/" name   ; vendor, then action
//   name          = name-start *name-char
//   name-start    = %x61-7A / DIGIT           ; a-z, 0-9
//   name-char     = name-start / "_" / "-"

#include <fmt/format.h>

#include <algorithm>
#include <array>

#include "check_internal.hpp"

namespace amp::persona {
namespace {

// Sorted, so is_builtin_action can binary-search it.
constexpr std::array<std::string_view, 17> builtin_action_names{
    "delete_file",     "delete_production_data", "deploy",         "git_commit",
    "git_fetch",       "git_merge",              "git_pull",       "git_push",
    "git_push_main",   "install_package",        "list_directory", "network_request",
    "read_file",       "run_command",            "run_tests",      "send_email",
    "write_file",
};

constexpr std::string_view custom_prefix = "custom:";

bool is_name_start(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

bool is_custom_name(std::string_view name) {
    if (name.empty() || !is_name_start(name.front())) {
        return false;
    }
    return std::all_of(name.begin(), name.end(),
                       [](char c) { return is_name_start(c) || c == '_' || c == '-'; });
}

}  // namespace

std::span<const std::string_view> builtin_actions() { return builtin_action_names; }

bool is_builtin_action(std::string_view action) {
    return std::binary_search(builtin_action_names.begin(), builtin_action_names.end(), action);
}

bool is_custom_action(std::string_view action) {
    if (!action.starts_with(custom_prefix)) {
        return false;
    }
    const std::string_view rest = action.substr(custom_prefix.size());
    const auto slash = rest.find('/');
    if (slash == std::string_view::npos) {
        return false;
    }
    return is_custom_name(rest.substr(0, slash)) && is_custom_name(rest.substr(slash + 1));
}

namespace detail {
namespace {

void add_actions_section(const Json* actions, std::string pointer,
                         std::vector<ActionsSection>& sections) {
    if (actions != nullptr && actions->is_object()) {
        sections.push_back({actions, std::move(pointer)});
    }
}

void check_action_name(const std::string& name, const std::string& pointer, Findings& findings) {
    if (name.empty()) {
        findings.error("E041", pointer,
                       "action name is empty; use a builtin action or custom:vendor/action");
        return;
    }

    if (name.starts_with(custom_prefix)) {
        if (!is_custom_action(name)) {
            findings.error("E040", pointer,
                           fmt::format("malformed custom action {}; expected "
                                       "custom:vendor/action, where vendor and action start with "
                                       "a lowercase letter or digit and contain only lowercase "
                                       "letters, digits, \"_\" and \"-\"",
                                       quote(name)));
        }
        return;
    }

    if (!is_builtin_action(name)) {
        findings.warning("W040", pointer,
                         fmt::format("unknown action {} is not a builtin action; if it is "
                                     "your own, name it custom:vendor/action",
                                     quote(name)));
    }
}

void check_granted_actions(const Json& persona, Findings& findings) {
    const Json* authority = find_member(persona, "authority");
    const Json* elevations = authority != nullptr ? find_member(*authority, "elevations") : nullptr;
    if (elevations == nullptr || !elevations->is_array()) {
        return;
    }

    for (std::size_t index = 0; index < elevations->size(); ++index) {
        const Json* grants = find_member((*elevations)[index], "grants");
        const Json* allow = grants != nullptr ? find_member(*grants, "actions.allow") : nullptr;
        if (allow == nullptr || !allow->is_array()) {
            continue;
        }

        const std::string allow_pointer = child_pointer(
            child_pointer(child_pointer("/authority/elevations", index), "grants"),
            "actions.allow");
        for (std::size_t item = 0; item < allow->size(); ++item) {
            if ((*allow)[item].is_string()) {
                check_action_name((*allow)[item].get<std::string>(),
                                  child_pointer(allow_pointer, item), findings);
            }
        }
    }
}

}  // namespace

std::vector<ActionsSection> find_actions_sections(const Json& persona) {
    std::vector<ActionsSection> sections;

    const Json* authority = find_member(persona, "authority");
    if (authority != nullptr) {
        add_actions_section(find_member(*authority, "actions"), "/authority/actions", sections);
    }

    const Json* gates = find_member(persona, "gates");
    if (gates == nullptr || !gates->is_array()) {
        return sections;
    }
    for (std::size_t index = 0; index < gates->size(); ++index) {
        const Json* on_pass = find_member((*gates)[index], "on_pass");
        const Json* overlay = on_pass != nullptr ? find_member(*on_pass, "authority_overlay")
                                                 : nullptr;
        if (overlay == nullptr) {
            continue;
        }
        const std::string overlay_pointer = child_pointer(
            child_pointer(child_pointer("/gates", index), "on_pass"), "authority_overlay");
        add_actions_section(find_member(*overlay, "actions"),
                            child_pointer(overlay_pointer, "actions"), sections);
    }
    return sections;
}

std::vector<ActionAt> collect_actions(const ActionsSection& section) {
    std::vector<ActionAt> found;

    const Json* allow = find_member(*section.actions, "allow");
    const std::string allow_pointer = child_pointer(section.pointer, "allow");
    if (allow != nullptr && allow->is_array()) {
        for (std::size_t index = 0; index < allow->size(); ++index) {
            if ((*allow)[index].is_string()) {
                found.push_back({(*allow)[index].get<std::string>(),
                                 child_pointer(allow_pointer, index), false});
            }
        }
    }

    const Json* deny = find_member(*section.actions, "deny");
    const std::string deny_pointer = child_pointer(section.pointer, "deny");
    if (deny != nullptr && deny->is_array()) {
        for (std::size_t index = 0; index < deny->size(); ++index) {
            const Json& entry = (*deny)[index];
            const std::string entry_pointer = child_pointer(deny_pointer, index);
            const Json* action = find_member(entry, "action");
            if (entry.is_string()) {
                found.push_back({entry.get<std::string>(), entry_pointer, true});
            } else if (action != nullptr && action->is_string()) {
                found.push_back(
                    {action->get<std::string>(), child_pointer(entry_pointer, "action"), true});
            }
        }
    }
    return found;
}

void check_action_vocabulary(const Json& persona, Findings& findings) {
    for (const ActionsSection& section : find_actions_sections(persona)) {
        for (const ActionAt& action : collect_actions(section)) {
            check_action_name(action.name, action.pointer, findings);
        }
    }
    check_granted_actions(persona, findings);
}

}  // namespace detail
}  // namespace amp::persona
