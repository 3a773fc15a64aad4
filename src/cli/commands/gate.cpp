// amp gate: evaluate gates on metrics, approve pending transitions, override.
#include <optional>

#include "amp/persona/paths.hpp"
#include "command.hpp"
#include "lifecycle_output.hpp"

namespace amp::cli {

namespace {

struct GateOptions {
    std::string file;
    std::optional<std::string> evaluate;
    std::optional<std::string> approve;
    std::optional<std::string> override_gate;
    std::optional<std::string> metrics;
    std::string approver;
    std::string reason;
    bool json = false;
};

int run_gate(const GateOptions& options) {
    const persona::PersonaPaths paths = persona::resolve(options.file);
    operations::OperationResult result;
    if (options.evaluate) {
        result = operations::evaluate_gate(paths, *options.evaluate, *options.metrics);
    } else if (options.approve) {
        result = operations::approve_gate(paths, *options.approve, options.approver);
    } else {
        std::optional<std::filesystem::path> metrics;
        if (options.metrics) metrics = *options.metrics;
        result = operations::override_gate(paths, *options.override_gate, options.reason, options.approver, metrics);
    }
    return print_lifecycle_result(result, options.json);
}

}  // namespace

void add_gate_command(CLI::App& app, Action& action) {
    auto options = std::make_shared<GateOptions>();
    CLI::App* command = app.add_subcommand(
        "gate", "Evaluate a persona's gates on metrics, approve a pending transition, or override with a record.\n"
                "Exit codes: 0 transition applied or observed, 1 nothing fired or denied, 2 pending human approval.");
    command->footer(
        "Every evaluation appends a drift line and records expired elevations. The state file is re-signed with the\n"
        "configured key (.ampersona/config.json or AMP_SIGNING_KEY and AMP_KEY_ID), which must be trusted in the\n"
        "trust store. With --override and --metrics, the criteria must be failing (else use --evaluate).\n"
        "Exit code 3: refused (unknown gate, unreadable metrics, untrusted signing key, invalid signature, state out of\n"
        "step with the audit log, lock timeout); nothing is written. 64: usage error.");
    command->add_option("FILE", options->file, "Persona file (or any companion file)")->required();
    auto* evaluate = command->add_option(
        "--evaluate", options->evaluate, "Gate id to evaluate, or '*' to apply whichever gate wins");
    auto* approve = command->add_option("--approve", options->approve, "Apply the pending human transition of this gate");
    auto* override_option =
        command->add_option("--override", options->override_gate, "Force this gate's transition, recorded as an override");
    auto* metrics = command->add_option("--metrics", options->metrics, "Metrics JSON file (object of metric values)");
    auto* approver = command->add_option("--approver", options->approver, "Who approves, e.g. admin@example.org");
    auto* reason = command->add_option("--reason", options->reason, "Why the override is needed, e.g. an incident id");
    command->add_flag("--json", options->json, "Print one JSON report on stdout");

    evaluate->excludes(approve)->excludes(override_option)->needs(metrics);
    approve->excludes(override_option)->needs(approver)->excludes(metrics);
    override_option->needs(reason)->needs(approver);
    reason->needs(override_option);
    command->callback([options, &action] {
        if (!options->evaluate && !options->approve && !options->override_gate) {
            throw CLI::RequiredError("one of --evaluate, --approve or --override");
        }
        action = [options] { return run_gate(*options); };
    });
}

}  // namespace amp::cli
