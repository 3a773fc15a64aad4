#include "amp/operations/persona_transaction.hpp"

#include <filesystem>

#include <fmt/format.h>

#include "amp/audit/entry_time.hpp"
#include "amp/crypto/key_files.hpp"
#include "amp/diagnostics.hpp"
#include "amp/error.hpp"
#include "amp/json/writer.hpp"
#include "amp/lifecycle/state.hpp"
#include "amp/operations/state_binding.hpp"
#include "amp/signing/document_files.hpp"
#include "amp/signing/signature.hpp"
#include "amp/store/chain.hpp"
#include "amp/store/files.hpp"
#include "amp/testing_hooks.hpp"
#include "amp/trust/trust_store.hpp"

namespace amp::operations {

namespace fs = std::filesystem;

namespace {

// Refuses a document whose signature is present and invalid, or absent
// while the workspace policy requires one.
void verify_before_mutating(const Json& document, const fs::path& file, bool required,
                            const std::optional<trust::Workspace>& workspace, TimePoint now) {
    if (!signing::is_signed(document)) {
        if (required) {
            throw Error(fmt::format("{} is not signed, and the workspace policy requires signed files", file.string()),
                        {fmt::format("sign it with: amp sign {} --key KEY", file.string())});
        }
        return;
    }
    if (!workspace || !fs::exists(workspace->trust_store_path())) {
        throw Error(fmt::format("{} is signed but there is no trust store to verify it against", file.string()),
                    {"add the signing key with: amp trust add PUBFILE --key-id ID"});
    }
    const trust::TrustStore store = trust::TrustStore::load(workspace->trust_store_path());
    const signing::Verification verification =
        signing::verify_document(document, signing::KeySource::trust_store(store, now));
    if (!verification.valid()) {
        throw Error(fmt::format("{}: signature does not verify ({}): {}; refusing to change state", file.string(),
                                signing::to_string(verification.failure), verification.message),
                    {fmt::format("investigate with: amp verify {}", file.string())});
    }
    if (verification.warning) warn(fmt::format("{}: {}", file.string(), *verification.warning));
}

Json with_chain_fields(Json entry, const std::string& prev_hash, const std::string& ts) {
    entry.erase("prev_hash");
    entry.erase("ts");
    entry["prev_hash"] = prev_hash;
    entry["ts"] = ts;
    return entry;
}

}  // namespace

PersonaTransaction::PersonaTransaction(persona::PersonaPaths paths, store::FileLock lock)
    : paths_(std::move(paths)), lock_(std::move(lock)) {}

PersonaTransaction::PersonaTransaction(PersonaTransaction&&) noexcept = default;
PersonaTransaction::~PersonaTransaction() = default;

PersonaTransaction PersonaTransaction::begin(const persona::PersonaPaths& paths) {
    if (!fs::exists(paths.persona())) {
        throw Error(fmt::format("persona {} not found", paths.persona().string()));
    }
    PersonaTransaction transaction(paths, store::FileLock::acquire(paths.lock(), store::default_lock_timeout()));
    crash_point("after_lock");
    transaction.load();
    return transaction;
}

void PersonaTransaction::load() {
    now_ = audit::next_entry_time(paths_.audit(), amp::now());

    workspace_ = trust::Workspace::find(paths_.persona());
    const trust::Policy policy = workspace_ ? workspace_->policy() : trust::Policy{};
    signing_ = workspace_ ? workspace_->signing() : trust::signing_from_environment();
    if (signing_) {
        signing_key_ = crypto::load_private_key(signing_->key);
        if (!workspace_ || !fs::exists(workspace_->trust_store_path())) {
            throw Error(fmt::format("a signing key is configured in {} but there is no trust store to check it against; "
                                    "refusing to change state",
                                    signing_->origin),
                        {"add its public key first: amp trust add PUBFILE --key-id ID"});
        }
        signing::require_trusted_signing_key(*signing_key_, signing_->key_id,
                                             trust::TrustStore::load(workspace_->trust_store_path()), now_,
                                             signing_->origin);
    }

    persona_ = signing::load_document(paths_.persona());
    verify_before_mutating(persona_, paths_.persona(), policy.require_signed_personas, workspace_, now_);

    std::optional<Json> loaded_state;
    if (fs::exists(paths_.state())) {
        loaded_state = signing::load_document(paths_.state());
        lifecycle::validate_state_for(persona_, *loaded_state, paths_.state().string());
        verify_before_mutating(*loaded_state, paths_.state(), policy.require_signed_state, workspace_, now_);
    }

    const StateBinding binding = check_state_binding(paths_, loaded_state);
    if (!binding.usable()) {
        throw Error(binding.message + "; refusing to change state",
                    {fmt::format("inspect with: amp audit {} --verify", paths_.persona().string()),
                     fmt::format("then rebuild the state from the audit log: amp state rebuild {} --key KEY",
                                 paths_.persona().string())});
    }

    state_file_exists_ = loaded_state.has_value();
    state_ = loaded_state ? std::move(*loaded_state) : lifecycle::initial_state(persona_, now_);
    fold_overlay_sidecar();
}

void PersonaTransaction::fold_overlay_sidecar() {
    if (!fs::exists(paths_.overlay())) return;
    const Json sidecar = signing::load_document(paths_.overlay());
    remove_sidecar_ = true;

    const bool state_has_overlay = state_.contains("active_overlay") && !state_["active_overlay"].is_null();
    if (state_has_overlay) {
        warn(fmt::format("{} is ignored: the state already records an overlay; it will be removed",
                         paths_.overlay().string()));
        return;
    }
    state_["active_overlay"] = sidecar;
    sidecar_event_ = Json{{"event_type", "AuthorityOverlayChange"},
                          {"gate_id", nullptr},
                          {"previous_overlay", nullptr},
                          {"new_overlay", sidecar},
                          {"source", paths_.overlay().filename().string()}};
}

bool PersonaTransaction::state_needs_signature() const {
    if (!signing_key_ || !state_file_exists_) return false;
    if (!signing::is_signed(state_)) return true;
    const Json& block = state_["signature"];
    return !block.is_object() || block.value("key_id", "") != signing_->key_id;
}

void PersonaTransaction::write_state(const Json& state) {
    Json document = state;
    document.erase("signature");
    if (signing_key_) {
        document = signing::sign_document(
            document, signing::SignRequest{*signing_key_, signing_->key_id, "amp (state mutation)", now_});
    } else if (signing::is_signed(state_)) {
        warn(fmt::format("{} is now unsigned: no signing key is configured (.ampersona/config.json or AMP_SIGNING_KEY)",
                         paths_.state().string()));
    }
    // The persona lock is held, so any temporary state file is a killed writer's.
    store::remove_abandoned_temporaries(paths_.state());
    store::replace_file(paths_.state(), json::to_pretty(document));
}

Json PersonaTransaction::commit(lifecycle::Mutation mutation, const std::optional<Json>& drift) {
    // Folding the sidecar is a change of its own when the command changed nothing else.
    if (sidecar_event_) {
        if (!mutation.changed) {
            mutation.state = state_;
            mutation.state["state_rev"] = state_["state_rev"].get<std::uint64_t>() + 1;
            mutation.state["updated_at"] = format_time(now_);
            mutation.changed = true;
            mutation.cause = "AuthorityOverlayChange";
        }
        mutation.events.insert(mutation.events.begin(), *sidecar_event_);
    }

    const std::string ts = format_time(now_);
    const bool writes_audit = !mutation.events.empty() || mutation.changed;
    if (writes_audit) {
        store::ChainAppender audit(paths_.audit(), paths_.audit_torn());
        if (audit.quarantined_bytes() > 0) {
            audit.append(with_chain_fields(Json{{"event_type", "Recovery"},
                                                {"action", "quarantine_torn_tail"},
                                                {"file", paths_.audit().filename().string()},
                                                {"moved_to", paths_.audit_torn().filename().string()},
                                                {"bytes", audit.quarantined_bytes()}},
                                           audit.head(), ts));
        }
        for (const Json& event : mutation.events) audit.append(with_chain_fields(event, audit.head(), ts));
        crash_point("after_events");
        if (mutation.changed) {
            Json unsigned_state = mutation.state;
            unsigned_state.erase("signature");
            audit.append(with_chain_fields(Json{{"event_type", "StateChange"},
                                                {"state_rev", unsigned_state["state_rev"]},
                                                {"cause", mutation.cause},
                                                {"state", unsigned_state},
                                                {"state_digest", state_digest(unsigned_state)}},
                                           audit.head(), ts));
        }
        crash_point("before_audit_sync");
        audit.sync();
        crash_point("after_audit_sync");
    }

    if (drift) {
        store::ChainAppender ledger(paths_.drift(), paths_.drift_torn());
        if (ledger.quarantined_bytes() > 0) {
            store::ChainAppender audit(paths_.audit(), paths_.audit_torn());
            audit.append(with_chain_fields(Json{{"event_type", "Recovery"},
                                                {"action", "quarantine_torn_tail"},
                                                {"file", paths_.drift().filename().string()},
                                                {"moved_to", paths_.drift_torn().filename().string()},
                                                {"bytes", ledger.quarantined_bytes()}},
                                           audit.head(), ts));
            audit.sync();
        }
        Json line = {{"prev_hash", ledger.head()}, {"metrics", drift->value("metrics", Json::object())}, {"ts", ts}};
        if (drift->contains("gate_id") && !(*drift)["gate_id"].is_null()) line["gate_id"] = (*drift)["gate_id"];
        line["state_rev"] = mutation.state.value("state_rev", state_.value("state_rev", 0));
        ledger.append(line);
        ledger.sync();
        crash_point("after_drift_sync");
    }

    if (mutation.changed) {
        write_state(mutation.state);
        crash_point("after_state_replace");
        state_ = mutation.state;
        state_file_exists_ = true;
    } else if (state_needs_signature()) {
        // How a planned key rotation reaches state files: re-signing alone keeps state_rev.
        write_state(state_);
    }

    if (remove_sidecar_) {
        std::error_code error;
        fs::remove(paths_.overlay(), error);
        if (error) warn(fmt::format("cannot remove {}: {}", paths_.overlay().string(), error.message()));
    }
    return state_;
}

}  // namespace amp::operations
