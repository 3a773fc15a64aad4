// amp elevate: grant or revoke a temporary elevation of a persona's authority.
#include <optional>

#include "amp/persona/paths.hpp"
#include "command.hpp"
#include "lifecycle_output.hpp"
#include "operator.hpp"

namespace amp::cli {

namespace {

struct ElevateOptions {
    std::string file;
    std::optional<std::string> elevation;
    std::optional<std::string> revoke;
    std::string reason;
    std::string approver;
    bool json = false;
};

int run_elevate(const ElevateOptions& options) {
    const persona::PersonaPaths paths = persona::resolve(options.file);
    const operations::OperationResult result =
        options.elevation
            ? operations::grant_elevation(paths, *options.elevation, options.reason, options.approver, operator_identity())
            : operations::revoke_elevation(paths, *options.revoke, options.reason);
    return print_lifecycle_result(result, options.json);
}

}  // namespace

void add_elevate_command(CLI::App& app, Action& action) {
    auto options = std::make_shared<ElevateOptions>();
    CLI::App* command = app.add_subcommand(
        "elevate", "Grant a temporary elevation defined in the persona (it expires after its ttl_seconds), or revoke one");
    command->footer(
        "Give exactly one of --elevation ID or --revoke ID; --reason is required for both.\n"
        "The state file is re-signed with the configured key (.ampersona/config.json or AMP_SIGNING_KEY and AMP_KEY_ID),\n"
        "which must be trusted in the trust store.\n"
        "Exit codes: 0 granted, renewed or revoked, 1 revoke denied (not active), 3 refused (unknown id, missing approver,\n"
        "untrusted signing key, state out of step with the audit log, lock timeout), 64 usage error.");
    command->add_option("FILE", options->file, "Persona file (or any companion file)")->required();
    auto* grant = command->add_option("--elevation", options->elevation, "Elevation id to grant or renew");
    auto* revoke = command->add_option("--revoke", options->revoke, "Elevation id to revoke now");
    command->add_option("--reason", options->reason, "Why, e.g. a change ticket")->required();
    command->add_option("--approver", options->approver, "Who approves (required for elevations with requires: human)");
    command->add_flag("--json", options->json, "Print one JSON report on stdout");
    grant->excludes(revoke);
    command->callback([options, &action] {
        if (!options->elevation && !options->revoke) throw CLI::RequiredError("--elevation or --revoke");
        action = [options] { return run_elevate(*options); };
    });
}

}  // namespace amp::cli
