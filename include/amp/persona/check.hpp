// Persona checker: schema (ampersona v1.0 and v0.2), consistency, action
// vocabulary and lint, reported as coded diagnostics with JSON pointers.
//
// check_persona never throws for a bad document: every problem it finds is a
// Diagnostic in the returned report. Codes E001-E089 and W001-W089 belong to
// this checker; E090-E099 and W090-W099 are reserved for signature status,
// which the `amp check` command adds itself. docs/CHECK.md lists every code.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "amp/json/value.hpp"

namespace amp::persona {

/// Severity of a diagnostic. Errors make a document invalid; warnings flag
/// documents that are valid but probably not what the operator meant.
enum class Severity { error, warning };

/// One finding of the checker.
struct Diagnostic {
    std::string code;      ///< "E001".. for errors, "W001".. for warnings
    Severity severity;
    std::string pointer;   ///< RFC 6901 JSON pointer into the document, "" for the root
    std::string message;   ///< one sentence: what is wrong and what is expected
};

/// Result of checking one persona document.
struct CheckReport {
    /// Schema the document was checked against: "1.0", "0.2", or "" when no
    /// schema could be selected (not an object, unsupported version, foreign format).
    std::string schema_version;

    /// Findings in document order (by the position of `pointer`), errors and
    /// warnings mixed. Findings at the same pointer keep the order of the checks.
    std::vector<Diagnostic> diagnostics;

    /// True when at least one diagnostic is an error.
    bool has_errors() const;

    /// True when at least one diagnostic is a warning.
    bool has_warnings() const;
};

/// Checks a parsed persona document. Selects the schema from `version`:
/// "1.0" selects v1.0, an absent member selects v0.2, anything else is error E002.
CheckReport check_persona(const Json& persona);

/// Returns "error" or "warning".
std::string_view to_string(Severity severity);

/// Builtin action names, sorted. Any other action should use the form
/// `custom:vendor/action`; a plain name that is not builtin draws warning W040.
std::span<const std::string_view> builtin_actions();

/// Returns true when `action` is one of builtin_actions().
bool is_builtin_action(std::string_view action);

/// Returns true when `action` is a well-formed custom action:
/// "custom:" name "/" name, where a name is one or more of [a-z0-9_-]
/// starting with a lowercase letter or a digit.
bool is_custom_action(std::string_view action);

}  // namespace amp::persona
