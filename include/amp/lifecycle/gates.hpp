// Gates of a persona: reading them, ordering the candidates, evaluating
// criteria against a metrics object, and cooldowns.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "amp/clock.hpp"
#include "amp/json/value.hpp"

namespace amp::lifecycle {

enum class Direction { promote, demote };
enum class Enforcement { enforce, observe };
enum class Approval { automatic, human, quorum };
enum class CriteriaLogic { all, any };
enum class Operator { eq, neq, gt, gte, lt, lte };

// One criterion: `metric op expected`. window_seconds is informational: the
// metrics file is expected to hold values already aggregated over it.
struct Criterion {
    std::string metric;
    Operator op = Operator::eq;
    Json expected;
    std::optional<std::int64_t> window_seconds;
};

// A gate of the persona, read and checked once.
struct Gate {
    std::string id;
    std::size_t index = 0;  // position in the persona's "gates" array
    Direction direction = Direction::promote;
    Enforcement enforcement = Enforcement::enforce;
    Approval approval = Approval::automatic;
    std::int64_t priority = 0;
    std::int64_t cooldown_seconds = 0;
    Json from_phase;  // string, or null for "not onboarded"
    std::string to_phase;
    CriteriaLogic logic = CriteriaLogic::all;
    std::vector<Criterion> criteria;
    Json metrics_schema;     // object of {"type": ...}, or null
    Json authority_overlay;  // on_pass.authority_overlay, or null
};

// The per-criterion results and the combined verdict of one gate.
struct CriteriaVerdict {
    bool pass = false;
    // Array of {metric, op, expected, actual, pass}, plus "reason" when the
    // outcome came from a rule rather than the comparison ("missing",
    // "type_mismatch", "not_a_number") and "window_seconds" when set.
    Json results = Json::array();
};

// Names as they appear in persona documents and audit events.
std::string_view to_string(Direction direction);
std::string_view to_string(Enforcement enforcement);
std::string_view to_string(Approval approval);
std::string_view to_string(CriteriaLogic logic);
std::string_view to_string(Operator op);

// Reads and checks every gate of the persona, in document order. A persona
// without "gates" has none. Throws amp::Error (exit code 3) naming the JSON
// pointer of the first invalid member, a duplicate gate id, or a gate with
// both or neither of "criteria" and "criteria_logic".
std::vector<Gate> read_gates(const Json& persona);

// Finds a gate by id, or returns nullptr.
const Gate* find_gate(const std::vector<Gate>& gates, std::string_view id);

// Returns the gates whose from_phase equals `current_phase` (null matches
// null), demote before promote, then priority descending, then id ascending.
std::vector<const Gate*> order_candidates(const std::vector<Gate>& gates, const Json& current_phase);

// Evaluates the gate's criteria against `metrics` (a JSON object). A missing
// metric fails its criterion. Numbers compare by value, so 1 equals 1.0.
// Ordering operators fail unless both sides are numbers. When the gate's
// metrics_schema declares a type that the value does not have, the criterion
// fails on a promote gate and passes on a demote gate, so bad data never
// promotes. Every criterion is evaluated, also under "any", for the report.
CriteriaVerdict evaluate_criteria(const Gate& gate, const Json& metrics);

// Returns the time left in the gate's cooldown, or nullopt when it may fire.
// The start is gate_history[gate].last_fired_at, or last_transition.at when
// the history has no entry for the gate and last_transition names it.
std::optional<std::chrono::seconds> cooldown_remaining(const Gate& gate, const Json& state, TimePoint now);

// Returns "sha256:" + hex SHA-256 of the RFC 8785 bytes of `metrics`.
std::string metrics_hash(const Json& metrics);

// Throws amp::Error (exit code 3) unless `metrics` is a JSON object.
void require_metrics_object(const Json& metrics);

}  // namespace amp::lifecycle
