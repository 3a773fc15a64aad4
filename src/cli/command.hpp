// How a command plugs into the front end.
//
// Each command file registers one CLI11 subcommand and, through its callback,
// stores the action to run in `Action`. main() runs that action inside the
// single place where amp::Error becomes a message and an exit code.
#pragma once

#include <functional>

#include <CLI/CLI.hpp>

namespace amp::cli {

// The chosen command's work; returns the process exit code.
using Action = std::function<int()>;

void add_keygen_command(CLI::App& app, Action& action);
void add_trust_command(CLI::App& app, Action& action);
void add_sign_command(CLI::App& app, Action& action);
void add_verify_command(CLI::App& app, Action& action);
void add_check_command(CLI::App& app, Action& action);
void add_fleet_command(CLI::App& app, Action& action);
void add_gate_command(CLI::App& app, Action& action);
void add_elevate_command(CLI::App& app, Action& action);
void add_status_command(CLI::App& app, Action& action);
void add_audit_command(CLI::App& app, Action& action);
void add_state_command(CLI::App& app, Action& action);

}  // namespace amp::cli
