// Gate checks beyond the schema: criteria form (exactly one of `criteria` and
// `criteria_logic`), unique ids, phase coherence, and criteria that can never
// be evaluated as written.

#include <fmt/format.h>

#include <map>
#include <set>

#include "check_internal.hpp"

namespace amp::persona::detail {
namespace {

/// A criterion object and where it sits, whether in `criteria` or in `criteria_logic`.
struct CriterionAt {
    const Json* criterion;
    std::string pointer;
};

std::string gate_label(const Json& gate, std::size_t index) {
    const Json* id = find_member(gate, "id");
    if (id != nullptr && id->is_string()) {
        return fmt::format("gate {}", quote(id->get_ref<const std::string&>()));
    }
    return fmt::format("gate {}", index);
}

void check_criteria_form(const Json& gate, const std::string& pointer, const std::string& label,
                         Findings& findings) {
    const bool has_criteria = gate.contains("criteria");
    const Json* logic = find_member(gate, "criteria_logic");

    if (has_criteria && logic != nullptr) {
        findings.error("E020", pointer,
                       fmt::format("{} has both \"criteria\" and \"criteria_logic\"; keep exactly "
                                   "one of them",
                                   label));
    } else if (!has_criteria && logic == nullptr) {
        findings.error("E021", pointer,
                       fmt::format("{} has neither \"criteria\" nor \"criteria_logic\"; add one "
                                   "of them",
                                   label));
    }

    if (logic == nullptr || !logic->is_object()) {
        return;
    }
    const bool has_all = logic->contains("all");
    const bool has_any = logic->contains("any");
    if (has_all == has_any) {
        findings.error("E022", child_pointer(pointer, "criteria_logic"),
                       fmt::format("\"criteria_logic\" of {} must have exactly one member, "
                                   "\"all\" or \"any\", holding the list of criteria",
                                   label));
    }
}

void collect_criteria_from(const Json* list, const std::string& pointer,
                           std::vector<CriterionAt>& criteria) {
    if (list == nullptr || !list->is_array()) {
        return;
    }
    for (std::size_t index = 0; index < list->size(); ++index) {
        if ((*list)[index].is_object()) {
            criteria.push_back({&(*list)[index], child_pointer(pointer, index)});
        }
    }
}

std::vector<CriterionAt> collect_criteria(const Json& gate, const std::string& pointer) {
    std::vector<CriterionAt> criteria;
    collect_criteria_from(find_member(gate, "criteria"), child_pointer(pointer, "criteria"),
                          criteria);

    const Json* logic = find_member(gate, "criteria_logic");
    const std::string logic_pointer = child_pointer(pointer, "criteria_logic");
    for (const std::string_view combinator : {"all", "any"}) {
        const Json* list = logic != nullptr ? find_member(*logic, combinator) : nullptr;
        collect_criteria_from(list, child_pointer(logic_pointer, combinator), criteria);
    }
    return criteria;
}

bool is_ordering_op(const std::string& op) {
    return op == "gt" || op == "gte" || op == "lt" || op == "lte";
}

bool fits_metric_type(const Json& value, const std::string& type) {
    if (type == "boolean") {
        return value.is_boolean();
    }
    if (type == "integer") {
        return is_integral_number(value);
    }
    if (type == "number") {
        return value.is_number();
    }
    if (type == "string") {
        return value.is_string();
    }

    // An unknown type name is already an E013 from the schema pass.
    return true;
}

void check_criterion(const CriterionAt& at, const Json* metrics_schema, Findings& findings) {
    const Json& criterion = *at.criterion;
    const Json* metric = find_member(criterion, "metric");
    const Json* op = find_member(criterion, "op");
    const Json* value = find_member(criterion, "value");
    const std::string value_pointer = child_pointer(at.pointer, "value");

    if (op != nullptr && op->is_string() && value != nullptr && !value->is_number() &&
        is_ordering_op(op->get_ref<const std::string&>())) {
        findings.error("E033", value_pointer,
                       fmt::format("op \"{}\" compares numbers but the value is {} ({}); use a "
                                   "number, or op \"eq\" or \"neq\"",
                                   op->get_ref<const std::string&>(), describe_type(*value),
                                   show_value(*value)));
        return;
    }

    if (metrics_schema == nullptr || metric == nullptr || !metric->is_string()) {
        return;
    }
    const std::string& metric_name = metric->get_ref<const std::string&>();
    const Json* declaration = find_member(*metrics_schema, metric_name);
    if (declaration == nullptr) {
        findings.warning("W032", child_pointer(at.pointer, "metric"),
                         fmt::format("metric {} is not declared in the gate's metrics_schema, so "
                                     "its type is not checked; declare it",
                                     quote(metric_name)));
        return;
    }

    const Json* type = find_member(*declaration, "type");
    if (type == nullptr || !type->is_string() || value == nullptr) {
        return;
    }
    const std::string& type_name = type->get_ref<const std::string&>();
    if (!fits_metric_type(*value, type_name)) {
        findings.error("E034", value_pointer,
                       fmt::format("value {} does not fit metric {}, which metrics_schema "
                                   "declares as {}; use a value of that type",
                                   show_value(*value), quote(metric_name), type_name));
    }
}

// A from_phase that no gate leads to can only be entered by an override.
void check_phase_reachability(const Json& gates, Findings& findings) {
    std::set<std::string> reachable;
    for (const Json& gate : gates) {
        const Json* to_phase = find_member(gate, "to_phase");
        if (to_phase != nullptr && to_phase->is_string()) {
            reachable.insert(to_phase->get<std::string>());
        }
    }

    for (std::size_t index = 0; index < gates.size(); ++index) {
        const Json* from_phase = find_member(gates[index], "from_phase");
        if (from_phase == nullptr || !from_phase->is_string() ||
            reachable.contains(from_phase->get<std::string>())) {
            continue;
        }
        findings.warning("W030", child_pointer(child_pointer("/gates", index), "from_phase"),
                         fmt::format("no gate leads to phase {}, so {} can fire only after "
                                     "an override sets that phase",
                                     quote(from_phase->get_ref<const std::string&>()),
                                     gate_label(gates[index], index)));
    }
}

}  // namespace

void check_gates(const Json& persona, Findings& findings) {
    const Json* gates = find_member(persona, "gates");
    if (gates == nullptr || !gates->is_array()) {
        return;
    }

    std::map<std::string, std::size_t> first_gate_with_id;
    for (std::size_t index = 0; index < gates->size(); ++index) {
        const Json& gate = (*gates)[index];
        if (!gate.is_object()) {
            continue;
        }
        const std::string pointer = child_pointer("/gates", index);
        const std::string label = gate_label(gate, index);

        check_criteria_form(gate, pointer, label, findings);

        const Json* id = find_member(gate, "id");
        if (id != nullptr && id->is_string()) {
            const auto [first, inserted] = first_gate_with_id.emplace(id->get<std::string>(), index);
            if (!inserted) {
                findings.error("E030", child_pointer(pointer, "id"),
                               fmt::format("gate id {} is already used by gate {}; gate ids "
                                           "must be unique",
                                           quote(first->first), first->second));
            }
        }

        const Json* from_phase = find_member(gate, "from_phase");
        const Json* to_phase = find_member(gate, "to_phase");
        if (from_phase != nullptr && to_phase != nullptr && to_phase->is_string() &&
            *from_phase == *to_phase) {
            findings.error("E032", child_pointer(pointer, "to_phase"),
                           fmt::format("{} leads from phase {} to the same phase; to_phase "
                                       "must differ from from_phase",
                                       label, quote(to_phase->get_ref<const std::string&>())));
        }

        const Json* approval = find_member(gate, "approval");
        if (approval != nullptr && *approval == "quorum") {
            findings.warning("W031", child_pointer(pointer, "approval"),
                             fmt::format("{} requires quorum approval, which amp rejects at run "
                                         "time because it is not implemented yet; use \"human\"",
                                         label));
        }

        const Json* metrics_schema = find_member(gate, "metrics_schema");
        if (metrics_schema != nullptr && !metrics_schema->is_object()) {
            metrics_schema = nullptr;
        }
        for (const CriterionAt& criterion : collect_criteria(gate, pointer)) {
            check_criterion(criterion, metrics_schema, findings);
        }
    }

    check_phase_reachability(*gates, findings);
}

}  // namespace amp::persona::detail
