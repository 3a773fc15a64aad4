#include "amp/audit/integrity.hpp"

#include <algorithm>
#include <filesystem>

#include <fmt/format.h>

#include "amp/audit/chain_verify.hpp"
#include "amp/error.hpp"
#include "amp/json/access.hpp"
#include "amp/json/writer.hpp"
#include "amp/operations/state_binding.hpp"
#include "amp/signing/document_files.hpp"
#include "amp/signing/signature.hpp"
#include "amp/store/chain.hpp"
#include "amp/store/file_lock.hpp"
#include "amp/store/files.hpp"

namespace amp::audit {

namespace fs = std::filesystem;

std::vector<AcknowledgedBreak> acknowledged_breaks(const Json& snapshot) {
    std::vector<AcknowledgedBreak> breaks;
    if (!snapshot.contains("acknowledged_breaks") || !snapshot["acknowledged_breaks"].is_array()) return breaks;
    for (const Json& entry : snapshot["acknowledged_breaks"]) {
        const auto index = json::count_member(entry, "entry");
        if (!index) continue;
        breaks.push_back({*index, entry.value("reason", "")});
    }
    return breaks;
}

Json build_snapshot(const persona::PersonaPaths& paths, const std::optional<AcknowledgedBreak>& acknowledge, TimePoint now) {
    if (!fs::exists(paths.audit())) {
        throw Error(fmt::format("{} does not exist: there is no history to anchor yet", paths.audit().string()));
    }

    std::vector<AcknowledgedBreak> breaks;
    if (fs::exists(paths.integrity())) breaks = acknowledged_breaks(signing::load_document(paths.integrity()));
    if (acknowledge) {
        if (acknowledge->reason.empty()) throw Error("--acknowledge needs --reason: say who reviewed the break and why");
        // An acknowledgement must name the break the chain actually has.
        VerifyOptions probe;
        for (const AcknowledgedBreak& entry : breaks) probe.acknowledged_breaks.push_back(entry.entry);
        const ChainReport before = verify_chain(paths.audit(), probe);
        if (!before.first_damage || before.first_damage->index != acknowledge->entry) {
            throw Error(before.first_damage
                            ? fmt::format("entry {} is not the first break of {}; the first break is entry {} ({})",
                                          acknowledge->entry, paths.audit().string(), before.first_damage->index,
                                          damage_kind_name(before.first_damage->kind))
                            : fmt::format("{} has no unacknowledged break; entry {} needs no acknowledgement",
                                          paths.audit().string(), acknowledge->entry));
        }
        if (before.first_damage->kind == DamageKind::torn_final_line || before.first_damage->kind == DamageKind::not_json ||
            before.first_damage->kind == DamageKind::not_an_object || before.first_damage->kind == DamageKind::line_too_long) {
            throw Error(fmt::format("entry {} of {} is unreadable ({}); an acknowledgement can only re-anchor a broken link",
                                    acknowledge->entry, paths.audit().string(), damage_kind_name(before.first_damage->kind)),
                        {"a torn final line is moved aside by the next append; other unreadable lines need manual repair"});
        }
        breaks.push_back(*acknowledge);
    }

    VerifyOptions options;
    for (const AcknowledgedBreak& entry : breaks) options.acknowledged_breaks.push_back(entry.entry);
    const ChainReport audit = verify_chain(paths.audit(), options);
    if (audit.first_damage) {
        throw Error(fmt::format("{}: {}; refusing to anchor a damaged chain", paths.audit().string(),
                                audit.first_damage->message),
                    {fmt::format("after review, re-anchor with: amp audit {} --checkpoint-create --acknowledge {} --reason R",
                                 paths.persona().string(), audit.first_damage->index)},
                    ExitCode::negative);
    }

    Json snapshot = Json::object();
    snapshot["audit_file"] = paths.audit().filename().string();
    snapshot["entries"] = audit.entries;
    snapshot["chain_head"] = audit.head;
    if (fs::exists(paths.drift())) {
        const ChainReport drift = verify_chain(paths.drift());
        if (drift.first_damage) {
            throw Error(fmt::format("{}: {}; refusing to anchor a damaged chain", paths.drift().string(),
                                    drift.first_damage->message),
                        {}, ExitCode::negative);
        }
        snapshot["drift_file"] = paths.drift().filename().string();
        snapshot["drift_entries"] = drift.entries;
        snapshot["drift_head"] = drift.head;
    }
    if (fs::exists(paths.state())) {
        const Json state = signing::load_document(paths.state());
        snapshot["state_rev"] = state.value("state_rev", 0);
        snapshot["state_digest"] = operations::state_digest(state);
    }
    Json acknowledged = Json::array();
    for (const AcknowledgedBreak& entry : breaks) acknowledged.push_back({{"entry", entry.entry}, {"reason", entry.reason}});
    snapshot["acknowledged_breaks"] = acknowledged;
    snapshot["created_at"] = format_time(now);
    return snapshot;
}

Json create_checkpoint(const persona::PersonaPaths& paths, const std::optional<AcknowledgedBreak>& acknowledge,
                       const std::optional<SnapshotSigner>& signer, TimePoint now) {
    if (!fs::exists(paths.audit())) {
        throw Error(fmt::format("{} does not exist: there is no history to anchor yet", paths.audit().string()));
    }
    const store::FileLock lock = store::FileLock::acquire(paths.lock(), store::default_lock_timeout());
    return write_checkpoint(paths, acknowledge, signer, now);
}

Json write_checkpoint(const persona::PersonaPaths& paths, const std::optional<AcknowledgedBreak>& acknowledge,
                      const std::optional<SnapshotSigner>& signer, TimePoint now) {
    // A torn final line is a crash artefact, not tampering: move it aside
    // (recorded in the chain) before deciding whether the chain is intact.
    store::ChainAppender audit(paths.audit(), paths.audit_torn());
    if (audit.quarantined_bytes() > 0) {
        audit.append(Json{{"event_type", "Recovery"},
                          {"action", "quarantine_torn_tail"},
                          {"file", paths.audit().filename().string()},
                          {"moved_to", paths.audit_torn().filename().string()},
                          {"bytes", audit.quarantined_bytes()},
                          {"prev_hash", audit.head()},
                          {"ts", format_time(now)}});
        audit.sync();
    }

    Json snapshot = build_snapshot(paths, acknowledge, now);
    if (signer) {
        snapshot = signing::sign_document(snapshot, signing::SignRequest{signer->key, signer->key_id, signer->signer, now});
    }
    store::replace_file(paths.integrity(), json::to_pretty(snapshot));

    Json entry = {{"event_type", "Checkpoint"},
                  {"entries", snapshot["entries"]},
                  {"chain_head", snapshot["chain_head"]},
                  {"key_id", signer ? Json(signer->key_id) : Json(nullptr)}};
    if (acknowledge) entry["acknowledged"] = {{"entry", acknowledge->entry}, {"reason", acknowledge->reason}};
    entry["prev_hash"] = audit.head();
    entry["ts"] = format_time(now);
    audit.append(entry);
    audit.sync();
    return snapshot;
}

}  // namespace amp::audit
