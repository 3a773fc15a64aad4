// Internals of the persona checker shared by its passes: the diagnostic
// collector, JSON pointer helpers, the embedded schema model and the passes.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "amp/json/value.hpp"
#include "amp/persona/check.hpp"

namespace amp::persona::detail {

/// Diagnostics in the order the passes emit them; check_persona sorts them
/// into document order at the end.
class Findings {
public:
    /// Records an error at `pointer`.
    void error(std::string_view code, std::string pointer, std::string message);

    /// Records a warning at `pointer`.
    void warning(std::string_view code, std::string pointer, std::string message);

    /// Moves the collected diagnostics out.
    std::vector<Diagnostic> take() { return std::move(diagnostics_); }

private:
    std::vector<Diagnostic> diagnostics_;
};

/// Returns `parent` extended by one member name, escaped per RFC 6901.
std::string child_pointer(std::string_view parent, std::string_view member);

/// Returns `parent` extended by one array index.
std::string child_pointer(std::string_view parent, std::size_t index);

/// Returns the member at `name` when `object` is an object that has it, else nullptr.
const Json* find_member(const Json& object, std::string_view name);

/// Returns a short description of a value's JSON type for messages: "a string", "null", ...
std::string describe_type(const Json& value);

/// Returns `text` as a JSON string literal, for quoting document text in
/// messages: control characters are escaped and invalid UTF-8 is replaced.
std::string quote(std::string_view text);

/// Returns `value` as compact JSON for messages, replacing invalid UTF-8.
std::string show_value(const Json& value);

/// Returns true for a number with no fractional part, which JSON Schema calls an integer
/// even when written as 3.0.
bool is_integral_number(const Json& value);

// ---------------------------------------------------------------------------
// Embedded schema model: the subset of JSON Schema used by the ampersona
// schema files, written as a table (check_schema_model.cpp) and applied by
// validate_schema (check_schema.cpp).

/// JSON types a schema node accepts, as a bit set. No bit set means any type.
enum JsonType : unsigned {
    json_null = 1U << 0,
    json_boolean = 1U << 1,
    json_integer = 1U << 2,
    json_number = 1U << 3,  ///< any number, integral or not
    json_string = 1U << 4,
    json_array = 1U << 5,
    json_object = 1U << 6,
};

struct SchemaNode;

/// A named member of an object node.
struct SchemaProperty {
    std::string_view name;
    const SchemaNode* node;
};

/// Treatment of members that `properties` does not name (additionalProperties).
enum class ExtraMembers {
    allowed,     ///< additionalProperties absent or true
    forbidden,   ///< additionalProperties false
    validated,   ///< additionalProperties is a schema: `extra_member_node`
};

/// One node of the schema model. Each field mirrors the JSON Schema keyword
/// named in its comment; unset fields impose nothing.
struct SchemaNode {
    std::string_view noun;                         ///< what an object is called in messages ("gate")
    unsigned types = 0;                            ///< type
    std::vector<std::string_view> allowed_values;  ///< enum (every enum in these schemas is of strings)
    std::optional<std::string_view> exact_value;   ///< const (a string)
    std::optional<std::size_t> min_length;         ///< minLength, in Unicode code points
    std::optional<std::size_t> min_items;          ///< minItems
    std::optional<double> minimum;                 ///< minimum
    std::optional<double> maximum;                 ///< maximum
    std::vector<std::string_view> required;        ///< required
    std::vector<SchemaProperty> properties;        ///< properties
    ExtraMembers extra_members = ExtraMembers::allowed;  ///< additionalProperties
    const SchemaNode* extra_member_node = nullptr;       ///< additionalProperties as a schema
    const SchemaNode* items = nullptr;                   ///< items

    /// oneOf. Every oneOf in these schemas has alternatives of disjoint
    /// types, so the validator applies the alternative whose `types` match.
    std::vector<const SchemaNode*> one_of;

    /// Top-level members that exist only in a newer version; an unknown
    /// member named here gets a message saying which version adds it.
    std::vector<std::string_view> newer_version_members;
};

/// Returns the root node for "1.0" or "0.2".
const SchemaNode& persona_schema(std::string_view version);

/// Returns the schema of a value an elevation may grant at an authority
/// path such as "actions.allow", or nullptr when that path cannot be granted.
const SchemaNode* grant_schema(std::string_view path);

/// Authority paths an elevation may grant, in the order of the model.
std::vector<std::string_view> grantable_paths();

/// Validates `value` against `node` and records E01x diagnostics.
/// `subject` names the value in messages: "\"name\"", "item 2 of \"allow\"".
void validate_schema(const Json& value, const SchemaNode& node, const std::string& pointer,
                     const std::string& subject, Findings& findings);

// ---------------------------------------------------------------------------
// Action lists, shared by the authority and vocabulary passes (check_actions.cpp).

/// One action name in an allow or deny list and where it sits. For a deny
/// entry of the form {action, reason} the pointer names its `action` member.
struct ActionAt {
    std::string name;
    std::string pointer;
    bool denied;
};

/// An `actions` object of the persona and its pointer.
struct ActionsSection {
    const Json* actions;
    std::string pointer;
};

/// Returns authority.actions and the actions of every gate's on_pass
/// authority overlay, in document order, skipping members that are not objects.
std::vector<ActionsSection> find_actions_sections(const Json& persona);

/// Returns the string action names of `allow`, then of `deny`, skipping
/// entries of the wrong type.
std::vector<ActionAt> collect_actions(const ActionsSection& section);

// ---------------------------------------------------------------------------
// Passes over a persona that already went through schema validation. All but
// check_lint run on v1.0 only, because v0.2 has no authority or gates. Each
// skips members of the wrong type, for which the schema pass already
// recorded an error.

/// Gate criteria form (E020-E022) and gate consistency (E030, E032-E034, W030-W032).
void check_gates(const Json& persona, Findings& findings);

/// Elevation and allow/deny consistency (E031, E035, W031, W033, W034).
void check_authority(const Json& persona, Findings& findings);

/// Action names in allow, deny, grants and overlays (E040, E041, W040).
void check_action_vocabulary(const Json& persona, Findings& findings);

/// Lint warnings (W050-W057). Only W055 applies to v0.2, which has no
/// authority, gates or audit to lint.
void check_lint(const Json& persona, std::string_view version, Findings& findings);

}  // namespace amp::persona::detail
