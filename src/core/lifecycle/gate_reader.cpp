// Reading the "gates" array of a persona into Gate values.
#include <set>

#include <fmt/format.h>

#include "amp/error.hpp"
#include "amp/lifecycle/draft.hpp"
#include "amp/lifecycle/gates.hpp"

namespace amp::lifecycle {

namespace {

[[noreturn]] void fail(const std::string& pointer, std::string_view problem) {
    throw Error(fmt::format("persona: {}: {}", pointer, problem), {"run `amp check` on the persona for all problems"});
}

const Json* member(const Json& object, std::string_view name) {
    const auto found = object.find(name);
    return found == object.end() ? nullptr : &*found;
}

std::string require_string(const Json& object, const std::string& pointer, std::string_view name) {
    const Json* value = member(object, name);
    if (value == nullptr || !value->is_string() || value->get<std::string>().empty()) {
        fail(pointer + "/" + std::string(name), "expected a non-empty string");
    }
    return value->get<std::string>();
}

std::int64_t optional_integer(const Json& object, const std::string& pointer, std::string_view name,
                              std::int64_t minimum) {
    const Json* value = member(object, name);
    if (value == nullptr) return 0;
    if (!value->is_number_integer() || value->get<std::int64_t>() < minimum) {
        fail(pointer + "/" + std::string(name), fmt::format("expected an integer >= {}", minimum));
    }
    return value->get<std::int64_t>();
}

Direction read_direction(const Json& gate, const std::string& pointer) {
    const std::string text = require_string(gate, pointer, "direction");
    if (text == "promote") return Direction::promote;
    if (text == "demote") return Direction::demote;
    fail(pointer + "/direction", fmt::format("unknown direction \"{}\", expected \"promote\" or \"demote\"", text));
}

Enforcement read_enforcement(const Json& gate, const std::string& pointer) {
    if (member(gate, "enforcement") == nullptr) return Enforcement::enforce;
    const std::string text = require_string(gate, pointer, "enforcement");
    if (text == "enforce") return Enforcement::enforce;
    if (text == "observe") return Enforcement::observe;
    fail(pointer + "/enforcement",
         fmt::format("unknown enforcement \"{}\", expected \"enforce\" or \"observe\"", text));
}

Approval read_approval(const Json& gate, const std::string& pointer) {
    if (member(gate, "approval") == nullptr) return Approval::automatic;
    const std::string text = require_string(gate, pointer, "approval");
    if (text == "auto") return Approval::automatic;
    if (text == "human") return Approval::human;
    if (text == "quorum") return Approval::quorum;
    fail(pointer + "/approval", fmt::format("unknown approval \"{}\", expected \"auto\", \"human\" or \"quorum\"", text));
}

Operator read_operator(const Json& criterion, const std::string& pointer) {
    const std::string text = require_string(criterion, pointer, "op");
    for (const Operator op : {Operator::eq, Operator::neq, Operator::gt, Operator::gte, Operator::lt, Operator::lte}) {
        if (text == to_string(op)) return op;
    }
    fail(pointer + "/op", fmt::format("unknown operator \"{}\", expected one of eq, neq, gt, gte, lt, lte", text));
}

Criterion read_criterion(const Json& value, const std::string& pointer) {
    if (!value.is_object()) fail(pointer, "expected a criterion object {\"metric\", \"op\", \"value\"}");
    if (member(value, "all") != nullptr || member(value, "any") != nullptr) {
        fail(pointer, "nested \"all\"/\"any\" groups are not supported; list plain criteria");
    }

    Criterion criterion;
    criterion.metric = require_string(value, pointer, "metric");
    criterion.op = read_operator(value, pointer);
    const Json* expected = member(value, "value");
    if (expected == nullptr) fail(pointer + "/value", "required member is missing");
    criterion.expected = *expected;
    if (member(value, "window_seconds") != nullptr) {
        criterion.window_seconds = optional_integer(value, pointer, "window_seconds", 1);
    }
    return criterion;
}

std::vector<Criterion> read_criteria_array(const Json& array, const std::string& pointer) {
    if (!array.is_array() || array.empty()) fail(pointer, "expected a non-empty array of criteria");

    std::vector<Criterion> criteria;
    for (std::size_t i = 0; i < array.size(); ++i) {
        criteria.push_back(read_criterion(array[i], fmt::format("{}/{}", pointer, i)));
    }
    return criteria;
}

// A gate has exactly one of "criteria" (all must pass) and
// "criteria_logic" ({"all": [...]} or {"any": [...]}).
void read_criteria(const Json& gate, const std::string& pointer, Gate& result) {
    const Json* plain = member(gate, "criteria");
    const Json* logic = member(gate, "criteria_logic");
    if (plain != nullptr && logic != nullptr) {
        fail(pointer, "a gate has either \"criteria\" or \"criteria_logic\", not both");
    }
    if (plain == nullptr && logic == nullptr) fail(pointer + "/criteria", "required member is missing");

    if (plain != nullptr) {
        result.logic = CriteriaLogic::all;
        result.criteria = read_criteria_array(*plain, pointer + "/criteria");
        return;
    }

    const std::string logic_pointer = pointer + "/criteria_logic";
    if (!logic->is_object() || logic->size() != 1 || (member(*logic, "all") == nullptr && member(*logic, "any") == nullptr)) {
        fail(logic_pointer, "expected {\"all\": [...]} or {\"any\": [...]}");
    }
    const bool is_all = member(*logic, "all") != nullptr;
    result.logic = is_all ? CriteriaLogic::all : CriteriaLogic::any;
    result.criteria = read_criteria_array(is_all ? (*logic)["all"] : (*logic)["any"],
                                          logic_pointer + (is_all ? "/all" : "/any"));
}

Json read_metrics_schema(const Json& gate, const std::string& pointer) {
    const Json* schema = member(gate, "metrics_schema");
    if (schema == nullptr) return nullptr;
    if (!schema->is_object()) fail(pointer + "/metrics_schema", "expected an object");

    for (const auto& [metric, declaration] : schema->items()) {
        const std::string at = pointer + "/metrics_schema/" + pointer_token(metric);
        if (!declaration.is_object()) fail(at, "expected an object such as {\"type\": \"integer\"}");
        const Json* type = member(declaration, "type");
        if (type == nullptr) continue;
        const std::set<std::string> known = {"boolean", "integer", "number", "string"};
        if (!type->is_string() || known.count(type->get<std::string>()) == 0) {
            fail(at + "/type", "expected one of \"boolean\", \"integer\", \"number\", \"string\"");
        }
    }
    return *schema;
}

Json read_overlay(const Json& gate, const std::string& pointer) {
    const Json* on_pass = member(gate, "on_pass");
    if (on_pass == nullptr) return nullptr;
    if (!on_pass->is_object()) fail(pointer + "/on_pass", "expected an object");

    const Json* overlay = member(*on_pass, "authority_overlay");
    if (overlay == nullptr) return nullptr;
    if (!overlay->is_object()) fail(pointer + "/on_pass/authority_overlay", "expected an object");
    return *overlay;
}

Gate read_gate(const Json& value, std::size_t index) {
    const std::string pointer = fmt::format("/gates/{}", index);
    if (!value.is_object()) fail(pointer, "expected a gate object");

    Gate gate;
    gate.index = index;
    gate.id = require_string(value, pointer, "id");
    gate.direction = read_direction(value, pointer);
    gate.enforcement = read_enforcement(value, pointer);
    gate.approval = read_approval(value, pointer);

    const Json* priority = member(value, "priority");
    if (priority != nullptr && !priority->is_number_integer()) fail(pointer + "/priority", "expected an integer");
    gate.priority = priority == nullptr ? 0 : priority->get<std::int64_t>();
    gate.cooldown_seconds = optional_integer(value, pointer, "cooldown_seconds", 0);

    const Json* from_phase = member(value, "from_phase");
    if (from_phase == nullptr || !(from_phase->is_null() || from_phase->is_string())) {
        fail(pointer + "/from_phase", "expected a phase name or null (not onboarded)");
    }
    gate.from_phase = *from_phase;
    gate.to_phase = require_string(value, pointer, "to_phase");

    read_criteria(value, pointer, gate);
    gate.metrics_schema = read_metrics_schema(value, pointer);
    gate.authority_overlay = read_overlay(value, pointer);
    return gate;
}

}  // namespace

std::vector<Gate> read_gates(const Json& persona) {
    const Json* gates = persona.is_object() ? member(persona, "gates") : nullptr;
    if (gates == nullptr) return {};
    if (!gates->is_array()) fail("/gates", "expected an array of gates");

    std::vector<Gate> result;
    std::set<std::string> seen;
    for (std::size_t i = 0; i < gates->size(); ++i) {
        Gate gate = read_gate((*gates)[i], i);
        if (!seen.insert(gate.id).second) {
            fail(fmt::format("/gates/{}/id", i), fmt::format("duplicate gate id \"{}\"", gate.id));
        }
        result.push_back(std::move(gate));
    }
    return result;
}

const Gate* find_gate(const std::vector<Gate>& gates, std::string_view id) {
    for (const Gate& gate : gates) {
        if (gate.id == id) return &gate;
    }
    return nullptr;
}

}  // namespace amp::lifecycle
