// Whether a state file agrees with its audit log.
//
// Every mutation appends a StateChange carrying the complete new state
// before the state file is replaced, so the state file must equal the
// latest StateChange. A file behind it (a crash, or an old backup restored)
// or ahead of it (a mutation that was never audited) must not be built on.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "amp/json/value.hpp"
#include "amp/persona/paths.hpp"

namespace amp::operations {

enum class BindingStatus {
    fresh,        // no state file and no StateChange: never mutated
    consistent,   // the state file equals the latest StateChange
    unaudited,    // a state file but an audit log with no StateChange (written by an older tool)
    behind,       // the state file's state_rev is older than the latest StateChange
    ahead,        // the state file's state_rev is newer than the latest StateChange
    diverged,     // same state_rev, different content: edited outside amp
    missing,      // StateChange entries exist but the state file does not
};

std::string to_string(BindingStatus status);

struct StateBinding {
    BindingStatus status = BindingStatus::fresh;
    std::optional<std::uint64_t> state_rev;        // the state file's
    std::optional<std::uint64_t> audited_rev;      // the latest StateChange's
    std::optional<Json> audited_state;             // the latest StateChange's state
    std::string message;                           // for the operator; empty when fresh or consistent

    bool usable() const noexcept {
        return status == BindingStatus::fresh || status == BindingStatus::consistent || status == BindingStatus::unaudited;
    }
};

// "sha256:" + hex SHA-256 of the RFC 8785 bytes of `state` without its signature.
std::string state_digest(const Json& state);

// The latest StateChange entry of an audit log, read from its end.
std::optional<Json> latest_state_change(const std::filesystem::path& audit_log);

// Compares a loaded state (nullopt when there is no state file) with the
// audit log of `paths`.
StateBinding check_state_binding(const persona::PersonaPaths& paths, const std::optional<Json>& state);

}  // namespace amp::operations
