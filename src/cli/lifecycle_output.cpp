#include "lifecycle_output.hpp"

#include <fmt/format.h>

#include "amp/json/writer.hpp"
#include "console.hpp"

namespace amp::cli {

namespace {

std::string value_text(const Json& value) { return value.is_null() ? "(missing)" : json::to_line(value); }

std::string phase_text(const Json& phase) { return phase.is_null() ? "(not onboarded)" : phase.get<std::string>(); }

void print_candidates(const Json& candidates) {
    for (const Json& candidate : candidates) {
        std::string line = fmt::format("  gate {} [{}, {}, {}]: {}", candidate.value("gate_id", "?"),
                                       candidate.value("direction", "?"), candidate.value("enforcement", "?"),
                                       candidate.value("approval", "?"), candidate.value("outcome", "?"));
        if (candidate.contains("skipped")) {
            const Json& skipped = candidate["skipped"];
            line += fmt::format(" (cooldown until {}, {} s left)", skipped.value("until", "?"),
                                skipped.value("remaining_seconds", 0));
        }
        print_line(line);
        for (const Json& result : candidate.value("criteria_results", Json::array())) {
            const bool pass = result.value("pass", false);
            print_line(fmt::format("    {} {} {} {}: actual {}", pass ? green("pass") : red("fail"),
                                   result.value("metric", "?"), result.value("op", "?"),
                                   value_text(result.value("expected", Json(nullptr))),
                                   value_text(result.value("actual", Json(nullptr)))));
        }
    }
}

}  // namespace

int print_lifecycle_result(const operations::OperationResult& result, bool json) {
    if (json) {
        Json document = result.report;
        document["exit_code"] = static_cast<int>(result.exit_code);
        print_json(document);
        return static_cast<int>(result.exit_code);
    }

    const Json& report = result.report;
    print_line(fmt::format("{}: {}", report.value("persona", "?"), report.value("message", "done")));
    if (report.contains("candidates")) print_candidates(report["candidates"]);
    for (const Json& expired : report.value("expired_elevations", Json::array())) {
        print_line(fmt::format("  elevation {} expired at {}", expired.value("elevation_id", "?"),
                               expired.value("expires_at", "?")));
    }
    print_line(fmt::format("  phase: {}, state_rev: {}", phase_text(report.value("current_phase", Json(nullptr))),
                           report.value("state_rev", 0)));
    if (result.exit_code == ExitCode::waiting && report.contains("gate_id") && report["gate_id"].is_string()) {
        print_hint(fmt::format("approve with: amp gate {} --approve {} --approver WHO", report.value("persona", "FILE"),
                               report["gate_id"].get<std::string>()));
    }
    return static_cast<int>(result.exit_code);
}

}  // namespace amp::cli
