// Entry point of the persona checker: selects the schema version, runs the
// passes and puts their diagnostics into document order.

#include "amp/persona/check.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <iterator>
#include <limits>
#include <utility>

#include "check_internal.hpp"

namespace amp::persona {
namespace {

// Splits an RFC 6901 pointer into its unescaped reference tokens.
std::vector<std::string> pointer_tokens(const std::string& pointer) {
    std::vector<std::string> tokens;
    for (std::size_t start = 0; start < pointer.size();) {
        const std::size_t end = std::min(pointer.find('/', start + 1), pointer.size());
        std::string token;
        for (std::size_t at = start + 1; at < end; ++at) {
            if (pointer[at] == '~' && at + 1 < end) {
                token += pointer[at + 1] == '1' ? '/' : '~';
                ++at;
            } else {
                token += pointer[at];
            }
        }
        tokens.push_back(std::move(token));
        start = end;
    }
    return tokens;
}

// Returns, for each step of `pointer`, the ordinal of the member or item it
// selects. Comparing two such paths lexicographically orders the values as
// the document text does (a parent before its members). Walks only the
// pointer, so deeply nested documents cost no recursion.
std::vector<std::size_t> document_position(const Json& document, const std::string& pointer) {
    std::vector<std::size_t> position;
    const Json* value = &document;
    for (const std::string& token : pointer_tokens(pointer)) {
        std::size_t ordinal = std::numeric_limits<std::size_t>::max();
        const Json* next = nullptr;
        if (value->is_object()) {
            const auto found = value->find(token);
            if (found != value->end()) {
                ordinal = static_cast<std::size_t>(std::distance(value->begin(), found));
                next = &*found;
            }
        } else if (value->is_array()) {
            const std::size_t index = std::strtoull(token.c_str(), nullptr, 10);
            if (index < value->size()) {
                ordinal = index;
                next = &(*value)[index];
            }
        }

        position.push_back(ordinal);
        if (next == nullptr) {
            break;
        }
        value = next;
    }
    return position;
}

void sort_in_document_order(const Json& document, std::vector<Diagnostic>& diagnostics) {
    std::vector<std::pair<std::vector<std::size_t>, Diagnostic>> positioned;
    for (Diagnostic& diagnostic : diagnostics) {
        positioned.emplace_back(document_position(document, diagnostic.pointer),
                                std::move(diagnostic));
    }

    std::stable_sort(positioned.begin(), positioned.end(),
                     [](const auto& left, const auto& right) { return left.first < right.first; });

    diagnostics.clear();
    for (auto& [position, diagnostic] : positioned) {
        diagnostics.push_back(std::move(diagnostic));
    }
}

// Returns "1.0" or "0.2", or "" after recording why no schema applies.
std::string select_schema(const Json& persona, detail::Findings& findings) {
    if (!persona.is_object()) {
        findings.error("E001", "",
                       fmt::format("document is {}, not a JSON object; a persona is an object "
                                   "with name, role, psychology and voice",
                                   detail::describe_type(persona)));
        return "";
    }

    if (const Json* aieos = detail::find_member(persona, "aieos_version")) {
        findings.error("E003", "/aieos_version",
                       fmt::format("document is an AIEOS identity (aieos_version {}), not an "
                                   "ampersona persona; amp check reads ampersona v1.0 and v0.2 "
                                   "personas",
                                   detail::show_value(*aieos)));
        return "";
    }

    const Json* version = detail::find_member(persona, "version");
    if (version == nullptr) {
        return "0.2";
    }
    if (*version == "1.0") {
        return "1.0";
    }
    findings.error("E002", "/version",
                   fmt::format("unsupported version {}; use \"1.0\", or omit \"version\" for a "
                               "v0.2 persona",
                               detail::show_value(*version)));
    return "";
}

}  // namespace

bool CheckReport::has_errors() const {
    return std::any_of(diagnostics.begin(), diagnostics.end(), [](const Diagnostic& diagnostic) {
        return diagnostic.severity == Severity::error;
    });
}

bool CheckReport::has_warnings() const {
    return std::any_of(diagnostics.begin(), diagnostics.end(), [](const Diagnostic& diagnostic) {
        return diagnostic.severity == Severity::warning;
    });
}

std::string_view to_string(Severity severity) {
    return severity == Severity::error ? "error" : "warning";
}

CheckReport check_persona(const Json& persona) {
    CheckReport report;
    detail::Findings findings;

    report.schema_version = select_schema(persona, findings);
    if (!report.schema_version.empty()) {
        detail::validate_schema(persona, detail::persona_schema(report.schema_version), "",
                                "persona", findings);

        if (report.schema_version == "1.0") {
            detail::check_gates(persona, findings);
            detail::check_authority(persona, findings);
            detail::check_action_vocabulary(persona, findings);
        }
        detail::check_lint(persona, report.schema_version, findings);
    }

    report.diagnostics = findings.take();
    sort_in_document_order(persona, report.diagnostics);
    return report;
}

}  // namespace amp::persona
