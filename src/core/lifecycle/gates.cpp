// Ordering candidate gates, evaluating criteria, cooldowns and the metrics hash.
#include "amp/lifecycle/gates.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "amp/crypto/sha256.hpp"
#include "amp/error.hpp"
#include "amp/json/canonical.hpp"

namespace amp::lifecycle {

namespace {

// JSON Schema's type names: an integer is a number without a fraction, so
// 20.0 is an integer and 0.5 is not.
bool has_declared_type(const Json& value, std::string_view type) {
    if (type == "boolean") return value.is_boolean();
    if (type == "string") return value.is_string();
    if (type == "number") return value.is_number();
    if (type == "integer") {
        if (value.is_number_integer()) return true;
        if (!value.is_number_float()) return false;
        const double number = value.get<double>();
        return std::isfinite(number) && std::floor(number) == number;
    }
    return true;
}

// The metrics_schema type declared for `metric`, or empty when none.
std::string declared_type(const Gate& gate, const std::string& metric) {
    if (!gate.metrics_schema.is_object()) return {};
    const auto declaration = gate.metrics_schema.find(metric);
    if (declaration == gate.metrics_schema.end()) return {};
    const auto type = declaration->find("type");
    if (type == declaration->end() || !type->is_string()) return {};
    return type->get<std::string>();
}

// Compares two numbers by value; integers exactly, anything else as doubles.
int compare_numbers(const Json& left, const Json& right) {
    if (left.is_number_integer() && right.is_number_integer()) {
        const auto a = left.get<std::int64_t>();
        const auto b = right.get<std::int64_t>();
        return a < b ? -1 : (a > b ? 1 : 0);
    }
    const double a = left.get<double>();
    const double b = right.get<double>();
    return a < b ? -1 : (a > b ? 1 : 0);
}

bool values_equal(const Json& actual, const Json& expected) {
    if (actual.is_number() && expected.is_number()) return compare_numbers(actual, expected) == 0;
    return actual == expected;
}

Json evaluate_criterion(const Gate& gate, const Criterion& criterion, const Json& metrics) {
    Json result = Json::object();
    result["metric"] = criterion.metric;
    result["op"] = to_string(criterion.op);
    result["expected"] = criterion.expected;
    result["actual"] = nullptr;
    result["pass"] = false;
    if (criterion.window_seconds) result["window_seconds"] = *criterion.window_seconds;

    const auto found = metrics.find(criterion.metric);
    if (found == metrics.end()) {
        result["reason"] = "missing";
        return result;
    }
    const Json& actual = *found;
    result["actual"] = actual;

    // Bad data never promotes, and on a demote gate it counts as evidence
    // for demotion.
    const std::string type = declared_type(gate, criterion.metric);
    if (!type.empty() && !has_declared_type(actual, type)) {
        result["pass"] = gate.direction == Direction::demote;
        result["reason"] = "type_mismatch";
        return result;
    }

    if (criterion.op == Operator::eq || criterion.op == Operator::neq) {
        const bool equal = values_equal(actual, criterion.expected);
        result["pass"] = criterion.op == Operator::eq ? equal : !equal;
        return result;
    }

    if (!actual.is_number() || !criterion.expected.is_number()) {
        result["reason"] = "not_a_number";
        return result;
    }
    const int order = compare_numbers(actual, criterion.expected);
    switch (criterion.op) {
        case Operator::gt: result["pass"] = order > 0; break;
        case Operator::gte: result["pass"] = order >= 0; break;
        case Operator::lt: result["pass"] = order < 0; break;
        case Operator::lte: result["pass"] = order <= 0; break;
        default: break;
    }
    return result;
}

}  // namespace

std::string_view to_string(Direction direction) {
    return direction == Direction::promote ? "promote" : "demote";
}

std::string_view to_string(Enforcement enforcement) {
    return enforcement == Enforcement::enforce ? "enforce" : "observe";
}

std::string_view to_string(Approval approval) {
    switch (approval) {
        case Approval::automatic: return "auto";
        case Approval::human: return "human";
        case Approval::quorum: return "quorum";
    }
    return "auto";
}

std::string_view to_string(CriteriaLogic logic) {
    return logic == CriteriaLogic::all ? "all" : "any";
}

std::string_view to_string(Operator op) {
    switch (op) {
        case Operator::eq: return "eq";
        case Operator::neq: return "neq";
        case Operator::gt: return "gt";
        case Operator::gte: return "gte";
        case Operator::lt: return "lt";
        case Operator::lte: return "lte";
    }
    return "eq";
}

std::vector<const Gate*> order_candidates(const std::vector<Gate>& gates, const Json& current_phase) {
    std::vector<const Gate*> candidates;
    for (const Gate& gate : gates) {
        if (gate.from_phase == current_phase) candidates.push_back(&gate);
    }

    std::sort(candidates.begin(), candidates.end(), [](const Gate* a, const Gate* b) {
        if (a->direction != b->direction) return a->direction == Direction::demote;
        if (a->priority != b->priority) return a->priority > b->priority;
        return a->id < b->id;
    });
    return candidates;
}

CriteriaVerdict evaluate_criteria(const Gate& gate, const Json& metrics) {
    CriteriaVerdict verdict;
    bool all_pass = true;
    bool any_pass = false;
    for (const Criterion& criterion : gate.criteria) {
        Json result = evaluate_criterion(gate, criterion, metrics);
        const bool pass = result["pass"].get<bool>();
        all_pass = all_pass && pass;
        any_pass = any_pass || pass;
        verdict.results.push_back(std::move(result));
    }
    verdict.pass = gate.logic == CriteriaLogic::all ? all_pass : any_pass;
    return verdict;
}

std::optional<std::chrono::seconds> cooldown_remaining(const Gate& gate, const Json& state, TimePoint now) {
    if (gate.cooldown_seconds <= 0) return std::nullopt;

    std::optional<TimePoint> last_fired;
    const auto history = state.find("gate_history");
    const bool has_entry = history != state.end() && history->is_object() && history->contains(gate.id);
    if (has_entry) {
        const Json& entry = (*history)[gate.id];
        const auto fired_at = entry.find("last_fired_at");
        if (fired_at != entry.end() && fired_at->is_string()) last_fired = parse_time(fired_at->get<std::string>());
    } else {
        // Files written before gate_history existed only know the last transition.
        const auto last = state.find("last_transition");
        if (last != state.end() && last->is_object() && last->value("gate_id", "") == gate.id) {
            const auto at = last->find("at");
            if (at != last->end() && at->is_string()) last_fired = parse_time(at->get<std::string>());
        }
    }
    if (!last_fired) return std::nullopt;

    const auto ends = *last_fired + std::chrono::seconds{gate.cooldown_seconds};
    if (ends <= now) return std::nullopt;
    return ends - now;
}

std::string metrics_hash(const Json& metrics) {
    return crypto::sha256_tagged(json::canonicalize(metrics));
}

void require_metrics_object(const Json& metrics) {
    if (!metrics.is_object()) {
        throw Error(fmt::format("metrics: expected a JSON object of metric names to values, found {}",
                                metrics.type_name()),
                    {"write the metrics file as {\"tasks_completed\": 25, \"error_rate\": 0.03}"});
    }
}

}  // namespace amp::lifecycle
