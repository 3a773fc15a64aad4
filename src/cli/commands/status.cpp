// amp status: where a persona stands, and with --drift how its metrics trend.
#include <cmath>

#include <fmt/format.h>

#include "amp/clock.hpp"
#include "amp/operations/status.hpp"
#include "command.hpp"
#include "console.hpp"

namespace amp::cli {

namespace {

struct StatusOptions {
    std::string file;
    bool json = false;
    bool drift = false;
};

std::string text_or(const Json& value, std::string_view fallback) {
    return value.is_string() ? value.get<std::string>() : std::string(fallback);
}

std::string duration_text(long long seconds) {
    if (seconds >= 86400) return fmt::format("{}d {}h", seconds / 86400, seconds % 86400 / 3600);
    if (seconds >= 3600) return fmt::format("{}h {}m", seconds / 3600, seconds % 3600 / 60);
    if (seconds >= 60) return fmt::format("{}m {}s", seconds / 60, seconds % 60);
    return fmt::format("{}s", seconds);
}

// A row of block characters for a series; only shown on a terminal.
std::string sparkline(const Json& values) {
    static const char* const blocks[] = {"▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"};
    double low = 0, high = 0;
    bool first = true;
    for (const Json& value : values) {
        const double number = value.get<double>();
        low = first ? number : std::min(low, number);
        high = first ? number : std::max(high, number);
        first = false;
    }
    std::string line;
    for (const Json& value : values) {
        const double scaled = high > low ? (value.get<double>() - low) / (high - low) : 0.5;
        line += blocks[static_cast<int>(std::lround(scaled * 7))];
    }
    return line;
}

std::string signature_text(const Json& status) {
    const std::string state = status.value("status", "unknown");
    if (state == "valid" && status.contains("warning")) {
        // A retired key in its grace period: valid today, invalid when the period ends.
        return fmt::format("{} (key {}; {})", yellow("valid"), status.value("key_id", "?"), status.value("warning", ""));
    }
    if (state == "valid") return fmt::format("{} (key {})", green("valid"), status.value("key_id", "?"));
    if (state == "invalid") return fmt::format("{}: {}", red("INVALID"), status.value("error", ""));
    if (state == "unchecked") return fmt::format("{}: {}", yellow("not checked"), status.value("error", ""));
    return state;
}

void print_status(const Json& status) {
    print_line(fmt::format("{} ({})", bold(status.value("name", "?")), status.value("persona", "?")));
    print_line(fmt::format("  phase:        {}", text_or(status["current_phase"], "(not onboarded)")));
    print_line(fmt::format("  state_rev:    {}", status.value("state_rev", 0)));
    print_line(fmt::format("  autonomy:     {}", text_or(status["autonomy"], "(none)")));

    const Json& elevations = status["elevations"];
    if (elevations.empty()) print_line("  elevations:   none");
    for (const Json& elevation : elevations) {
        const bool expired = elevation.value("expired", false);
        print_line(fmt::format("  elevation:    {} {} (expires {}, granted by {})", elevation.value("elevation_id", "?"),
                               expired ? red("EXPIRED, still recorded") : green(duration_text(elevation.value("seconds_left", 0LL)) + " left"),
                               elevation.value("expires_at", "?"), elevation.value("granted_by", "?")));
    }
    const Json& pending = status["pending_transition"];
    if (pending.is_object()) {
        print_line(fmt::format("  pending:      gate {} ({} -> {}) awaits approval", pending.value("gate_id", "?"),
                               text_or(pending.value("from_phase", Json(nullptr)), "(none)"),
                               pending.value("to_phase", "?")));
    }
    const Json& last = status["last_transition"];
    if (last.is_object()) {
        print_line(fmt::format("  last change:  gate {} {} -> {} at {}", last.value("gate_id", "?"),
                               text_or(last.value("from_phase", Json(nullptr)), "(none)"), last.value("to_phase", "?"),
                               last.value("at", "?")));
    }
    print_line(fmt::format("  persona sig:  {}", signature_text(status["persona_signature"])));
    print_line(fmt::format("  state sig:    {}", signature_text(status["state_signature"])));
    print_line(fmt::format("  audit head:   {}{}", status["audit"].value("head", "?"),
                           status["audit"].value("torn_tail", false) ? red(" (torn final line)") : ""));
    const std::string binding = status["state_binding"].value("status", "?");
    if (binding == "fresh" || binding == "consistent" || binding == "unaudited") {
        print_line(fmt::format("  state/audit:  {}", binding));
    } else {
        print_line(fmt::format("  state/audit:  {}: {}", red(binding), status["state_binding"].value("message", "")));
    }
    if (!status["expired_unrecorded"].empty()) {
        print_hint(fmt::format("expired elevations are still recorded; any gate evaluation records their expiry: "
                               "amp gate {} --evaluate GATE --metrics M",
                               status.value("persona", "FILE")));
    }
}

void print_drift(const Json& drift) {
    const int entries = drift.value("entries", 0);
    print_line(fmt::format("drift ledger {} ({} {})", drift.value("file", "?"), entries, entries == 1 ? "entry" : "entries"));
    // The trend column is a sparkline, drawn only on a terminal.
    const bool trend = stdout_is_terminal();
    print_line(fmt::format("  {:<24} {:>10} {:>10} {:>10} {:>10} {:>10}{}", "METRIC", "FIRST", "LAST", "MIN", "MAX",
                           "CHANGE", trend ? "  TREND" : ""));
    for (const auto& [name, values] : drift["metrics"].items()) {
        print_line(fmt::format("  {:<24} {:>10.4g} {:>10.4g} {:>10.4g} {:>10.4g} {:>+10.4g}{}", name,
                               values["first"].get<double>(), values["last"].get<double>(), values["min"].get<double>(),
                               values["max"].get<double>(), values["change"].get<double>(),
                               trend ? "  " + sparkline(values["recent"]) : ""));
    }
}

int run_status(const StatusOptions& options) {
    const persona::PersonaPaths paths = persona::resolve(options.file);
    signing::TrustStores stores;
    Json status = operations::persona_status(paths, stores, now());
    if (options.drift) status["drift"] = operations::drift_summary(paths);

    if (options.json) {
        print_json(status);
    } else {
        print_status(status);
        if (options.drift) print_drift(status["drift"]);
    }
    return 0;
}

}  // namespace

void add_status_command(CLI::App& app, Action& action) {
    auto options = std::make_shared<StatusOptions>();
    CLI::App* command = app.add_subcommand("status", "Show a persona's phase, elevations, approvals, signatures and audit head");
    command->footer(
        "Read-only. Exit codes: 0 the status was printed, 3 the persona or state file cannot be read, 64 usage error.");
    command->add_option("FILE", options->file, "Persona file (or any companion file)")->required();
    command->add_flag("--json", options->json, "Print one JSON document on stdout");
    command->add_flag("--drift", options->drift, "Add the per-metric trend from the drift ledger");
    command->callback([options, &action] { action = [options] { return run_status(*options); }; });
}

}  // namespace amp::cli
