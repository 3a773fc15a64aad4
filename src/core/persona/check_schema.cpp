// Validator for the subset of JSON Schema that the embedded schema model
// uses: type, enum, const, required, properties, additionalProperties,
// items, minItems, minLength, minimum, maximum and type-discriminated oneOf.
//
// Codes: E010 missing member, E011 unknown member, E012 wrong type,
// E013 value not in enum, E014 value differs from const, E015 string too
// short, E016 array too short, E017 number out of range.

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <utility>

#include "check_internal.hpp"

namespace amp::persona::detail {
namespace {

bool matches_type(const Json& value, unsigned types) {
    if (types == 0) {
        return true;
    }

    const std::array<std::pair<unsigned, bool>, 7> checks{{
        {json_null, value.is_null()},
        {json_boolean, value.is_boolean()},
        {json_integer, is_integral_number(value)},
        {json_number, value.is_number()},
        {json_string, value.is_string()},
        {json_array, value.is_array()},
        {json_object, value.is_object()},
    }};
    return std::any_of(checks.begin(), checks.end(), [&](const auto& check) {
        return (types & check.first) != 0 && check.second;
    });
}

std::string describe_types(unsigned types) {
    const std::array<std::pair<unsigned, std::string_view>, 7> names{{
        {json_boolean, "a boolean"},
        {json_integer, "an integer"},
        {json_number, "a number"},
        {json_string, "a string"},
        {json_array, "an array"},
        {json_object, "an object"},
        {json_null, "null"},
    }};
    std::vector<std::string_view> accepted;
    for (const auto& [bit, name] : names) {
        if ((types & bit) != 0) {
            accepted.push_back(name);
        }
    }
    return fmt::format("{}", fmt::join(accepted, " or "));
}

std::string quoted_list(const std::vector<std::string_view>& values) {
    std::vector<std::string> quoted;
    for (const auto value : values) {
        quoted.push_back(fmt::format("\"{}\"", value));
    }
    return fmt::format("{}", fmt::join(quoted, ", "));
}

std::string_view noun_of(const SchemaNode& node) {
    return node.noun.empty() ? std::string_view("object") : node.noun;
}

std::string member_subject(std::string_view name) { return quote(name); }

// JSON Schema counts string length in Unicode code points, not bytes.
std::size_t count_code_points(const std::string& text) {
    return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) {
        return (static_cast<unsigned char>(c) & 0xC0U) != 0x80U;
    }));
}

void check_string(const std::string& text, const SchemaNode& node, const std::string& pointer,
                  const std::string& subject, Findings& findings) {
    if (node.exact_value && text != *node.exact_value) {
        findings.error("E014", pointer,
                       fmt::format("{} must be \"{}\", not {}", subject, *node.exact_value, quote(text)));
        return;
    }

    const auto& allowed = node.allowed_values;
    if (!allowed.empty() && std::find(allowed.begin(), allowed.end(), text) == allowed.end()) {
        findings.error("E013", pointer,
                       fmt::format("{} must be one of {}, not {}", subject,
                                   quoted_list(allowed), quote(text)));
        return;
    }

    if (node.min_length && count_code_points(text) < *node.min_length) {
        const std::string expected = *node.min_length == 1
                                         ? std::string("must not be empty")
                                         : fmt::format("must have at least {} characters",
                                                       *node.min_length);
        findings.error("E015", pointer, fmt::format("{} {}", subject, expected));
    }
}

void check_number(const Json& value, const SchemaNode& node, const std::string& pointer,
                  const std::string& subject, Findings& findings) {
    const double number = value.get<double>();
    if (node.minimum && number < *node.minimum) {
        findings.error("E017", pointer,
                       fmt::format("{} must be at least {}, not {}", subject, *node.minimum,
                                   show_value(value)));
    } else if (node.maximum && number > *node.maximum) {
        findings.error("E017", pointer,
                       fmt::format("{} must be at most {}, not {}", subject, *node.maximum,
                                   show_value(value)));
    }
}

void check_array(const Json& array, const SchemaNode& node, const std::string& pointer,
                 const std::string& subject, Findings& findings) {
    if (node.min_items && array.size() < *node.min_items) {
        findings.error("E016", pointer,
                       fmt::format("{} must have at least {} item{}", subject, *node.min_items,
                                   *node.min_items == 1 ? "" : "s"));
    }

    if (node.items == nullptr) {
        return;
    }
    for (std::size_t index = 0; index < array.size(); ++index) {
        validate_schema(array[index], *node.items, child_pointer(pointer, index),
                        fmt::format("item {} of {}", index, subject), findings);
    }
}

const SchemaNode* find_property(const SchemaNode& node, std::string_view name) {
    const auto found = std::find_if(node.properties.begin(), node.properties.end(),
                                    [&](const SchemaProperty& property) {
                                        return property.name == name;
                                    });
    return found == node.properties.end() ? nullptr : found->node;
}

void report_unknown_member(const std::string& name, const SchemaNode& node,
                           const std::string& pointer, Findings& findings) {
    const auto& newer = node.newer_version_members;
    if (std::find(newer.begin(), newer.end(), name) != newer.end()) {
        findings.error("E011", pointer,
                       fmt::format("\"{}\" is not part of ampersona v0.2; add \"version\": \"1.0\" "
                                   "to the persona to use it",
                                   name));
        return;
    }

    std::vector<std::string_view> known;
    for (const auto& property : node.properties) {
        known.push_back(property.name);
    }
    findings.error("E011", pointer,
                   fmt::format("{} has unknown member {}; expected one of {}", noun_of(node),
                               quote(name), quoted_list(known)));
}

void check_object(const Json& object, const SchemaNode& node, const std::string& pointer,
                  Findings& findings) {
    for (const auto name : node.required) {
        if (!object.contains(name)) {
            findings.error("E010", pointer,
                           fmt::format("{} is missing required member \"{}\"", noun_of(node),
                                       name));
        }
    }

    for (const auto& [name, member] : object.items()) {
        const std::string member_pointer = child_pointer(pointer, name);

        if (const SchemaNode* property = find_property(node, name)) {
            validate_schema(member, *property, member_pointer, member_subject(name), findings);
            continue;
        }

        switch (node.extra_members) {
            case ExtraMembers::allowed:
                break;
            case ExtraMembers::forbidden:
                report_unknown_member(name, node, member_pointer, findings);
                break;
            case ExtraMembers::validated:
                validate_schema(member, *node.extra_member_node, member_pointer,
                                member_subject(name), findings);
                break;
        }
    }
}

void validate_one_of(const Json& value, const SchemaNode& node, const std::string& pointer,
                     const std::string& subject, Findings& findings) {
    unsigned accepted_types = 0;
    for (const SchemaNode* alternative : node.one_of) {
        if (matches_type(value, alternative->types)) {
            validate_schema(value, *alternative, pointer, subject, findings);
            return;
        }
        accepted_types |= alternative->types;
    }

    findings.error("E012", pointer,
                   fmt::format("{} must be {}, not {}", subject, describe_types(accepted_types),
                               describe_type(value)));
}

}  // namespace

void validate_schema(const Json& value, const SchemaNode& node, const std::string& pointer,
                     const std::string& subject, Findings& findings) {
    if (!node.one_of.empty()) {
        validate_one_of(value, node, pointer, subject, findings);
        return;
    }

    if (!matches_type(value, node.types)) {
        findings.error("E012", pointer,
                       fmt::format("{} must be {}, not {}", subject, describe_types(node.types),
                                   describe_type(value)));
        return;
    }

    if (value.is_string()) {
        check_string(value.get_ref<const std::string&>(), node, pointer, subject, findings);
    } else if (value.is_number()) {
        check_number(value, node, pointer, subject, findings);
    } else if (value.is_array()) {
        check_array(value, node, pointer, subject, findings);
    } else if (value.is_object()) {
        check_object(value, node, pointer, findings);
    }
}

}  // namespace amp::persona::detail
