// amp fleet: check or summarise every persona in a directory.
#include <fmt/format.h>

#include "amp/clock.hpp"
#include "amp/error.hpp"
#include "amp/fleet/fleet.hpp"
#include "command.hpp"
#include "console.hpp"

namespace amp::cli {

namespace {

struct FleetOptions {
    std::string directory;
    bool check = false;
    bool status = false;
    bool json = false;
    bool allow_unsigned = false;
    unsigned threads = 0;
};

std::string text(const Json& value, std::string_view fallback = "-") {
    if (value.is_string()) return value.get<std::string>();
    if (value.is_null()) return std::string(fallback);
    return value.dump();
}

int run_check(const FleetOptions& options) {
    const fleet::FleetReport report =
        fleet::check_fleet(options.directory, {options.allow_unsigned, options.threads}, now());
    if (options.json) {
        print_json(report.details);
        return report.ok ? 0 : static_cast<int>(ExitCode::negative);
    }

    for (const Json& persona : report.details["personas"]) {
        const bool ok = persona.value("ok", false);
        print_line(fmt::format("{}: {}", persona.value("file", "?"), ok ? green("ok") : red("FAILED")));
        for (const Json& error : persona.value("errors", Json::array())) {
            print_line(fmt::format("  {} {}", error.value("code", "?"), error.value("message", "")));
        }
        // A key in its grace period still verifies; the operator must see
        // which files still need re-signing before the grace period ends.
        for (const char* document : {"persona_signature", "state_signature"}) {
            const Json signature = persona.value(document, Json::object());
            if (signature.contains("warning")) {
                print_line(fmt::format("  warning: {}: {}", document, text(signature["warning"])));
            }
        }
    }
    for (const Json& skipped : report.details["skipped"]) {
        print_line(fmt::format("{}: skipped ({})", skipped.value("file", "?"), skipped.value("reason", "")));
    }
    const Json& summary = report.details["summary"];
    print_line(fmt::format("{} personas checked: {} ok, {} failed; {} other JSON files skipped",
                           summary.value("personas", 0), summary.value("personas", 0) - summary.value("failed", 0),
                           summary.value("failed", 0), summary.value("skipped", 0)));
    if (report.details.contains("error")) print_line(red("FAILED: " + text(report.details["error"])));
    return report.ok ? 0 : static_cast<int>(ExitCode::negative);
}

int run_status(const FleetOptions& options) {
    const Json status = fleet::fleet_status(options.directory, now());
    if (options.json) {
        print_json(status);
        return 0;
    }

    print_line(fmt::format("{:<32} {:<20} {:<10} {:<12} {:>5} {:>4} {:<14} {}", "FILE", "NAME", "AUTONOMY", "PHASE",
                           "REV", "ELEV", "SIGNING KEY", "AUDIT"));
    for (const Json& row : status["personas"]) {
        if (row.contains("error")) {
            print_line(fmt::format("{:<32} {}", text(row["file"]), red("ERROR: " + text(row["error"]))));
            continue;
        }
        std::string elevations = std::to_string(row.value("elevations", 0));
        if (row.value("expired_elevations", 0) > 0) elevations += "!";
        std::string key = text(row["signing_key"]);
        if (row.value("persona_signature", "") != "valid") key = row.value("persona_signature", "?");
        std::string audit = text(row["audit"]);
        if (row.value("audit_torn_tail", false)) audit += " (torn tail)";
        print_line(fmt::format("{:<32} {:<20} {:<10} {:<12} {:>5} {:>4} {:<14} {}", text(row["file"]), text(row["name"]),
                               text(row["autonomy"]), text(row["phase"], "(new)"), text(row["state_rev"]), elevations,
                               key, audit));
    }
    return 0;
}

}  // namespace

void add_fleet_command(CLI::App& app, Action& action) {
    auto options = std::make_shared<FleetOptions>();
    CLI::App* command = app.add_subcommand("fleet", "Check or summarise every persona in a directory");
    command->footer(
        "--check covers schema, persona and state signatures, state binding, audit and drift chains, the integrity\n"
        "snapshot and state_rev continuity of every persona file in DIR; other JSON files are listed as skipped.\n"
        "Exit codes: 0 every persona passes (--status: always), 1 a persona fails or DIR has no persona file,\n"
        "3 DIR cannot be read, 64 usage error.");
    command->add_option("DIR", options->directory, "Directory of personas")->required();
    auto* check = command->add_flag("--check", options->check,
                                    "Check schema, signatures, state binding, audit and drift chains, snapshots; exit 1 if any fails");
    auto* status = command->add_flag("--status", options->status, "One row per persona: phase, rev, elevations, key, audit");
    command->add_flag("--json", options->json, "Print one JSON report on stdout");
    command->add_flag("--allow-unsigned", options->allow_unsigned, "Accept unsigned personas and state files")->needs(check);
    command->add_option("--threads", options->threads, "Worker threads for --check (default: one per core)")->needs(check);
    check->excludes(status);
    command->callback([options, &action] {
        if (!options->check && !options->status) throw CLI::RequiredError("--check or --status");
        action = [options] { return options->check ? run_check(*options) : run_status(*options); };
    });
}

}  // namespace amp::cli
