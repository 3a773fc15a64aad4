// amp: signed identities, trust lifecycle and audit chains for AI agents.
//
// This file parses the command line and is the one place where errors
// become messages and exit codes.
#include <algorithm>
#include <array>
#include <cstdio>
#include <exception>
#include <string_view>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "amp/diagnostics.hpp"
#include "amp/error.hpp"
#include "command.hpp"
#include "console.hpp"

namespace {

constexpr int usage_exit = static_cast<int>(amp::ExitCode::usage);
constexpr int failure_exit = static_cast<int>(amp::ExitCode::failure);

struct CommandEntry {
    std::string_view name;
    std::string_view alias;
    void (*add)(CLI::App&, amp::cli::Action&);
};

constexpr std::array<CommandEntry, 11> commands{{
    {"keygen", "", amp::cli::add_keygen_command},
    {"trust", "", amp::cli::add_trust_command},
    {"sign", "", amp::cli::add_sign_command},
    {"verify", "", amp::cli::add_verify_command},
    {"check", "validate", amp::cli::add_check_command},
    {"fleet", "", amp::cli::add_fleet_command},
    {"gate", "", amp::cli::add_gate_command},
    {"elevate", "", amp::cli::add_elevate_command},
    {"status", "", amp::cli::add_status_command},
    {"audit", "", amp::cli::add_audit_command},
    {"state", "", amp::cli::add_state_command},
}};

// Building every command's options is about a third of the start-up of a
// short command such as `amp verify`, which CI runs once per file. So when
// the first argument names a command, only that command is registered.
// Anything else (--help, --version, a typo) registers all of them, so that
// help and usage errors list every command.
const CommandEntry* find_command(std::string_view name) {
    for (const CommandEntry& command : commands) {
        if (name == command.name || (!command.alias.empty() && name == command.alias)) return &command;
    }
    return nullptr;
}

void register_commands(CLI::App& app, amp::cli::Action& action, std::string_view first_argument) {
    if (const CommandEntry* command = find_command(first_argument)) {
        command->add(app, action);
        return;
    }
    for (const CommandEntry& command : commands) command.add(app, action);
}

// Number of single-character edits between two short words.
std::size_t edit_distance(std::string_view left, std::string_view right) {
    std::vector<std::size_t> row(right.size() + 1);
    for (std::size_t j = 0; j <= right.size(); ++j) row[j] = j;
    for (std::size_t i = 1; i <= left.size(); ++i) {
        std::size_t diagonal = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= right.size(); ++j) {
            const std::size_t above = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (left[i - 1] == right[j - 1] ? 0 : 1)});
            diagonal = above;
        }
    }
    return row[right.size()];
}

// A first argument that is neither an option nor a command is a mistyped
// command. CLI11 alone would report only that a command is required.
int unknown_command(std::string_view name) {
    amp::cli::print_error(fmt::format("unknown command \"{}\"", name));
    const CommandEntry* closest = nullptr;
    std::size_t best = 3;  // suggest only near misses
    for (const CommandEntry& command : commands) {
        const std::size_t distance = edit_distance(name, command.name);
        if (distance < best) {
            best = distance;
            closest = &command;
        }
    }
    if (closest != nullptr) amp::cli::print_hint(fmt::format("did you mean 'amp {}'?", closest->name));
    amp::cli::print_hint("see 'amp --help' for the list of commands");
    return usage_exit;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"amp: sign, verify and run the trust lifecycle of AI agent personas.\n"
                 "Exit codes: 0 success, 1 negative verdict, 2 waiting on a person, 3 could not do the work, 64 usage error."};
    app.name("amp");
    app.set_version_flag("--version", "amp 0.1.0");
    app.require_subcommand(1, 1);
    app.footer(
        "Files: a workspace is the nearest directory upwards with .ampersona/ (trust.json, config.json).\n"
        "Environment: AMP_SIGNING_KEY and AMP_KEY_ID override the signing key of config.json; AMP_SIGNER names the\n"
        "operator in records (default USER@HOST); AMP_LOCK_TIMEOUT is the persona lock wait in seconds (default 30);\n"
        "AMP_NOW (RFC 3339) fixes the clock for drills and tests; NO_COLOR turns colour off.\n"
        "See 'amp COMMAND --help', man amp, and docs/OPERATIONS.md for the runbook.");

    const std::string_view first_argument = argc > 1 ? std::string_view(argv[1]) : std::string_view();
    if (!first_argument.empty() && first_argument.front() != '-' && find_command(first_argument) == nullptr) {
        return unknown_command(first_argument);
    }
    amp::cli::Action action;
    register_commands(app, action, first_argument);

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
