// Lint: warnings about valid personas that are probably not what the
// operator meant, or that leave out safeguards amp can only enforce when
// they are declared.

#include <fmt/format.h>

#include "check_internal.hpp"

namespace amp::persona::detail {
namespace {

constexpr std::string_view schema_uri_v1 = "https://ampersona.dev/schema/v1.0/ampersona.schema.json";
constexpr std::string_view schema_uri_v02 =
    "https://ampersona.dev/schema/v0.2/ampersona.schema.json";

std::string label_of(const Json& object, std::string_view kind, std::size_t index) {
    const Json* id = find_member(object, "id");
    if (id != nullptr && id->is_string()) {
        return fmt::format("{} {}", kind, quote(id->get_ref<const std::string&>()));
    }
    return fmt::format("{} {}", kind, index);
}

void lint_schema_uri(const Json& persona, std::string_view version, Findings& findings) {
    const Json* uri = find_member(persona, "$schema");
    if (uri == nullptr || !uri->is_string()) {
        return;
    }

    const std::string_view other_uri = version == "1.0" ? schema_uri_v02 : schema_uri_v1;
    if (*uri == other_uri) {
        findings.warning("W055", "/$schema",
                         fmt::format("\"$schema\" names the ampersona {} schema but the persona "
                                     "is checked as {}; fix \"$schema\" or \"version\"",
                                     version == "1.0" ? "v0.2" : "v1.0",
                                     version == "1.0" ? "v1.0" : "v0.2 (it has no \"version\")"));
    }
}

void lint_authority(const Json& authority, Findings& findings) {
    const Json* autonomy = find_member(authority, "autonomy");
    const Json* actions = find_member(authority, "actions");
    const Json* deny = actions != nullptr ? find_member(*actions, "deny") : nullptr;
    const bool has_denials = deny != nullptr && deny->is_array() && !deny->empty();
    if (autonomy != nullptr && *autonomy == "full" && !has_denials) {
        findings.warning("W051", "/authority/autonomy",
                         "autonomy is \"full\" but no action is denied; add an actions.deny "
                         "list for actions that must never run unattended");
    }

    const Json* elevations = find_member(authority, "elevations");
    if (elevations == nullptr || !elevations->is_array()) {
        return;
    }
    for (std::size_t index = 0; index < elevations->size(); ++index) {
        const Json& elevation = (*elevations)[index];
        if (!elevation.is_object()) {
            continue;
        }
        const std::string pointer = child_pointer("/authority/elevations", index);
        const std::string label = label_of(elevation, "elevation", index);

        const Json* reason_required = find_member(elevation, "reason_required");
        if (reason_required == nullptr || *reason_required != true) {
            findings.warning("W052", pointer,
                             fmt::format("{} does not set \"reason_required\": true, so it can "
                                         "be granted without a recorded reason",
                                         label));
        }

        const Json* grants = find_member(elevation, "grants");
        if (grants != nullptr && grants->is_object() && grants->empty()) {
            findings.warning("W057", child_pointer(pointer, "grants"),
                             fmt::format("{} grants nothing; name the authority it grants or "
                                         "remove it",
                                         label));
        }

        const Json* granted_autonomy = grants != nullptr ? find_member(*grants, "autonomy")
                                                         : nullptr;
        const Json* requires_approval = find_member(elevation, "requires");
        if (granted_autonomy != nullptr && *granted_autonomy == "full" &&
            requires_approval != nullptr && *requires_approval == "auto") {
            findings.warning("W056", child_pointer(child_pointer(pointer, "grants"), "autonomy"),
                             fmt::format("{} grants full autonomy with \"requires\": \"auto\", "
                                         "so no person approves it; require \"human\"",
                                         label));
        }
    }
}

void lint_gates(const Json& gates, Findings& findings) {
    for (std::size_t index = 0; index < gates.size(); ++index) {
        const Json& gate = gates[index];
        if (!gate.is_object()) {
            continue;
        }
        const std::string pointer = child_pointer("/gates", index);
        const std::string label = label_of(gate, "gate", index);

        if (!gate.contains("metrics_schema")) {
            findings.warning("W053", pointer,
                             fmt::format("{} has no metrics_schema, so metric values are not "
                                         "type-checked before comparison; declare each metric's "
                                         "type",
                                         label));
        }

        // A gate without `approval` is treated here as automatic, the unsafe reading.
        const Json* on_pass = find_member(gate, "on_pass");
        const Json* overlay = on_pass != nullptr ? find_member(*on_pass, "authority_overlay")
                                                 : nullptr;
        const Json* autonomy = overlay != nullptr ? find_member(*overlay, "autonomy") : nullptr;
        const Json* approval = find_member(gate, "approval");
        const Json* direction = find_member(gate, "direction");
        const bool automatic = approval == nullptr || *approval == "auto";
        if (autonomy != nullptr && *autonomy == "full" && automatic && direction != nullptr &&
            *direction == "promote") {
            findings.warning(
                "W056",
                child_pointer(child_pointer(child_pointer(pointer, "on_pass"), "authority_overlay"),
                              "autonomy"),
                fmt::format("{} promotes to full autonomy without a person approving it; set "
                            "\"approval\": \"human\"",
                            label));
        }
    }
}

}  // namespace

void check_lint(const Json& persona, std::string_view version, Findings& findings) {
    lint_schema_uri(persona, version, findings);
    if (version != "1.0") {
        return;
    }

    const Json* authority = find_member(persona, "authority");
    if (authority == nullptr) {
        findings.warning("W050", "",
                         "persona has no \"authority\" section; declare its autonomy and actions "
                         "so amp can enforce them");
    } else if (authority->is_object()) {
        lint_authority(*authority, findings);
    }

    const Json* gates = find_member(persona, "gates");
    if (gates != nullptr && gates->is_array()) {
        lint_gates(*gates, findings);
    }

    if (!persona.contains("audit")) {
        findings.warning("W054", "",
                         "persona has no \"audit\" section; add one to state whether decisions "
                         "and gate transitions are logged and for how long");
    }
}

}  // namespace amp::persona::detail
