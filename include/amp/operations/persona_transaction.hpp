// The write protocol of one state mutation.
//
// begin(): lock STEM.state.lock, load and verify the persona and its state,
// check the state against the audit log, fold the older overlay sidecar.
// commit(): append the audit events and one StateChange (fsync), the drift
// line (fsync), then replace the state file atomically, signed when a
// signing key is configured. A crash at any point therefore leaves the state
// file at most one revision behind the audit log, never ahead of it.
#pragma once

#include <optional>
#include <string>

#include "amp/clock.hpp"
#include "amp/crypto/ed25519.hpp"
#include "amp/json/value.hpp"
#include "amp/lifecycle/mutation.hpp"
#include "amp/persona/paths.hpp"
#include "amp/store/file_lock.hpp"
#include "amp/trust/workspace.hpp"

namespace amp::operations {

class PersonaTransaction {
public:
    // Throws amp::Error (exit 3), having written nothing, when the lock times
    // out, a file is invalid, a present signature does not verify, the
    // workspace policy requires a missing signature, or the state file
    // disagrees with the audit log.
    static PersonaTransaction begin(const persona::PersonaPaths& paths);

    PersonaTransaction(PersonaTransaction&&) noexcept;
    PersonaTransaction& operator=(PersonaTransaction&&) = delete;
    PersonaTransaction(const PersonaTransaction&) = delete;
    PersonaTransaction& operator=(const PersonaTransaction&) = delete;
    ~PersonaTransaction();

    const persona::PersonaPaths& paths() const noexcept { return paths_; }
    const Json& persona() const noexcept { return persona_; }
    // The current state: the state file, or a new one if there is none, with
    // the overlay sidecar folded in.
    const Json& state() const noexcept { return state_; }
    // The time of this mutation, read once the lock is held and never before
    // the last audit entry, so timestamps in the chain never go backwards.
    TimePoint now() const noexcept { return now_; }

    // Persists `mutation` (see the file comment). `drift` is {metrics,
    // gate_id, state_rev} for gate evaluations. Returns the state written.
    Json commit(lifecycle::Mutation mutation, const std::optional<Json>& drift = std::nullopt);

private:
    PersonaTransaction(persona::PersonaPaths paths, store::FileLock lock);
    void load();
    void fold_overlay_sidecar();
    void write_state(const Json& state);
    bool state_needs_signature() const;

    persona::PersonaPaths paths_;
    store::FileLock lock_;
    std::optional<trust::Workspace> workspace_;
    std::optional<trust::SigningConfig> signing_;
    std::optional<crypto::SecretKey> signing_key_;
    Json persona_;
    Json state_;
    bool state_file_exists_ = false;
    std::optional<Json> sidecar_event_;  // AuthorityOverlayChange from folding the sidecar
    bool remove_sidecar_ = false;
    TimePoint now_{};
};

}  // namespace amp::operations
