// Gate and elevation commands on disk: each runs the lifecycle engine inside
// one PersonaTransaction, so every change is locked, audited and durable.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "amp/error.hpp"
#include "amp/json/value.hpp"
#include "amp/persona/paths.hpp"

namespace amp::operations {

struct OperationResult {
    ExitCode exit_code = ExitCode::ok;
    Json report;  // the engine's report plus "persona", "state_rev" and "phase" after the command
};

// Reads a metrics file: a JSON object of metric names to values.
Json load_metrics(const std::filesystem::path& path);

OperationResult evaluate_gate(const persona::PersonaPaths& paths, const std::string& selector,
                              const std::filesystem::path& metrics_file);

OperationResult approve_gate(const persona::PersonaPaths& paths, const std::string& gate_id, const std::string& approver);

OperationResult override_gate(const persona::PersonaPaths& paths, const std::string& gate_id, const std::string& reason,
                              const std::string& approver, const std::optional<std::filesystem::path>& metrics_file);

OperationResult grant_elevation(const persona::PersonaPaths& paths, const std::string& elevation_id,
                                const std::string& reason, const std::string& approver,
                                const std::string& operator_identity);

OperationResult revoke_elevation(const persona::PersonaPaths& paths, const std::string& elevation_id,
                                 const std::string& reason);

}  // namespace amp::operations
