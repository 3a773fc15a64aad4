// amp: signed identities, trust lifecycle and audit chains for AI agents.
//
// This file parses the command line and is the one place where errors
// become messages and exit codes.
#include <cstdio>
#include <exception>
#include <string_view>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "amp/diagnostics.hpp"
#include "amp/error.hpp"
#include "command.hpp"
#include "console.hpp"

namespace {

constexpr int usage_exit = static_cast<int>(amp::ExitCode::usage);
constexpr int failure_exit = static_cast<int>(amp::ExitCode::failure);

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"amp: sign, verify and run the trust lifecycle of AI agent personas.\n"
                 "Exit codes: 0 success, 1 negative verdict, 2 waiting on a person, 3 could not do the work, 64 usage error."};
    app.name("amp");
    app.set_version_flag("--version", "amp 0.1.0");
    app.require_subcommand(1, 1);

    amp::cli::Action action;
    amp::cli::add_keygen_command(app, action);
    amp::cli::add_trust_command(app, action);
    amp::cli::add_sign_command(app, action);
    amp::cli::add_verify_command(app, action);
    amp::cli::add_check_command(app, action);
    amp::cli::add_fleet_command(app, action);
    amp::cli::add_gate_command(app, action);
    amp::cli::add_elevate_command(app, action);
    amp::cli::add_status_command(app, action);
    amp::cli::add_audit_command(app, action);
    amp::cli::add_state_command(app, action);

    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& help) {
        return app.exit(help);
    } catch (const CLI::CallForAllHelp& help) {
        return app.exit(help);
    } catch (const CLI::CallForVersion& version) {
        return app.exit(version);
    } catch (const CLI::ParseError& error) {
        amp::cli::print_error(error.what());
        amp::cli::print_hint("see 'amp --help' or 'amp COMMAND --help'");
        return usage_exit;
    }

    // Scripts that asked for --json get a JSON document on stdout even when the command fails.
    bool json_output = false;
    for (int i = 1; i < argc; ++i) json_output = json_output || std::string_view(argv[i]) == "--json";

    amp::set_warning_sink([](const std::string& message) { amp::cli::print_warning(message); });
    try {
        return action ? action() : usage_exit;
    } catch (const amp::Error& error) {
        amp::cli::print_error(error.what());
        amp::cli::print_hints(error.hints());
        if (json_output) {
            amp::cli::print_json(amp::Json{{"ok", false},
                                           {"error", error.what()},
                                           {"hints", error.hints()},
                                           {"exit_code", static_cast<int>(error.code())}});
        }
        return static_cast<int>(error.code());
    } catch (const std::exception& error) {
        amp::cli::print_error(fmt::format("internal error: {}", error.what()));
        amp::cli::print_hint("this is a bug in amp; please report it with the command that caused it");
        return failure_exit;
    }
}
