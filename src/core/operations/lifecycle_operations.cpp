#include "amp/operations/lifecycle_operations.hpp"

#include <fmt/format.h>

#include "amp/json/reader.hpp"
#include "amp/lifecycle/lifecycle.hpp"
#include "amp/operations/persona_transaction.hpp"

namespace amp::operations {

namespace {

OperationResult finish(PersonaTransaction& transaction, lifecycle::Mutation mutation,
                       const std::optional<Json>& drift = std::nullopt) {
    OperationResult result{mutation.exit_code, mutation.report};
    const Json state = transaction.commit(std::move(mutation), drift);
    result.report["persona"] = transaction.paths().persona().string();
    result.report["state_rev"] = state.value("state_rev", 0);
    result.report["current_phase"] = state.value("current_phase", Json(nullptr));
    return result;
}

}  // namespace

Json load_metrics(const std::filesystem::path& path) {
    Json metrics = json::read_file(path);
    if (!metrics.is_object()) {
        throw Error(fmt::format("{}: metrics must be a JSON object of metric names to values, not {}", path.string(),
                                metrics.type_name()));
    }
    return metrics;
}

OperationResult evaluate_gate(const persona::PersonaPaths& paths, const std::string& selector,
                              const std::filesystem::path& metrics_file) {
    // The metrics are read before the lock, so a bad file costs nobody a wait.
    const Json metrics = load_metrics(metrics_file);
    PersonaTransaction transaction = PersonaTransaction::begin(paths);
    lifecycle::Mutation mutation =
        lifecycle::evaluate(transaction.persona(), transaction.state(), metrics, selector, transaction.now());

    Json drift = {{"metrics", metrics}};
    if (mutation.report.contains("drift")) drift = mutation.report["drift"];
    return finish(transaction, std::move(mutation), drift);
}

OperationResult approve_gate(const persona::PersonaPaths& paths, const std::string& gate_id, const std::string& approver) {
    PersonaTransaction transaction = PersonaTransaction::begin(paths);
    return finish(transaction,
                  lifecycle::approve(transaction.persona(), transaction.state(), gate_id, approver, transaction.now()));
}

OperationResult override_gate(const persona::PersonaPaths& paths, const std::string& gate_id, const std::string& reason,
                              const std::string& approver, const std::optional<std::filesystem::path>& metrics_file) {
    std::optional<Json> metrics;
    if (metrics_file) metrics = load_metrics(*metrics_file);
    PersonaTransaction transaction = PersonaTransaction::begin(paths);
    return finish(transaction, lifecycle::override_gate(transaction.persona(), transaction.state(), gate_id, reason,
                                                        approver, metrics, transaction.now()));
}

OperationResult grant_elevation(const persona::PersonaPaths& paths, const std::string& elevation_id,
                                const std::string& reason, const std::string& approver,
                                const std::string& operator_identity) {
    PersonaTransaction transaction = PersonaTransaction::begin(paths);
    return finish(transaction, lifecycle::elevate(transaction.persona(), transaction.state(), elevation_id, reason,
                                                  approver, operator_identity, transaction.now()));
}

OperationResult revoke_elevation(const persona::PersonaPaths& paths, const std::string& elevation_id,
                                 const std::string& reason) {
    PersonaTransaction transaction = PersonaTransaction::begin(paths);
    return finish(transaction, lifecycle::revoke_elevation(transaction.persona(), transaction.state(), elevation_id,
                                                           reason, transaction.now()));
}

}  // namespace amp::operations
