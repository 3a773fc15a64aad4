#include "amp/audit/integrity.hpp"

#include <algorithm>
#include <filesystem>

#include <fmt/format.h>

#include "amp/audit/chain_verify.hpp"
#include "amp/audit/entry_time.hpp"
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

namespace {

bool acknowledgeable(DamageKind kind) {
    return kind == DamageKind::content_changed || kind == DamageKind::out_of_order ||
           kind == DamageKind::second_genesis || kind == DamageKind::timestamp_backwards;
}

ChainReport verify_with(const std::filesystem::path& log, const std::vector<AcknowledgedBreak>& breaks) {
    VerifyOptions options;
    for (const AcknowledgedBreak& entry : breaks) options.acknowledged_breaks.push_back(entry.entry);
    return verify_chain(log, options);
}

// The entries an operator must acknowledge, in order, for the chain to pass:
// one damaged entry often breaks several links (a swap breaks three).
std::vector<std::uint64_t> breaks_to_acknowledge(const std::filesystem::path& log, std::vector<AcknowledgedBreak> breaks) {
    constexpr std::size_t max_listed = 64;
    std::vector<std::uint64_t> listed;
    while (listed.size() < max_listed) {
        const ChainReport report = verify_with(log, breaks);
        if (!report.first_damage || !acknowledgeable(report.first_damage->kind)) break;
        listed.push_back(report.first_damage->index);
        breaks.push_back({report.first_damage->index, ""});
    }
    return listed;
}

std::string acknowledge_command(const persona::PersonaPaths& paths, const std::vector<std::uint64_t>& entries) {
    std::string command = fmt::format("amp audit {} --checkpoint-create --sign-key KEY", paths.persona().string());
    for (const std::uint64_t entry : entries) command += fmt::format(" --acknowledge {}", entry);
    return command + " --reason R";
}

}  // namespace

Json build_snapshot(const persona::PersonaPaths& paths, const std::vector<AcknowledgedBreak>& acknowledge, TimePoint now) {
    if (!fs::exists(paths.audit())) {
        throw Error(fmt::format("{} does not exist: there is no history to anchor yet", paths.audit().string()));
    }

    std::vector<AcknowledgedBreak> breaks;
    if (fs::exists(paths.integrity())) breaks = acknowledged_breaks(signing::load_document(paths.integrity()));

    // Each acknowledgement must name the break the chain actually has next.
    std::vector<AcknowledgedBreak> requested = acknowledge;
    std::sort(requested.begin(), requested.end(), [](const auto& a, const auto& b) { return a.entry < b.entry; });
    for (const AcknowledgedBreak& entry : requested) {
        if (entry.reason.empty()) throw Error("--acknowledge needs --reason: say who reviewed the break and why");
        const ChainReport before = verify_with(paths.audit(), breaks);
        if (!before.first_damage || before.first_damage->index != entry.entry) {
            throw Error(before.first_damage
                            ? fmt::format("entry {} is not the next break of {}; the next break is entry {} ({})",
                                          entry.entry, paths.audit().string(), before.first_damage->index,
                                          damage_kind_name(before.first_damage->kind))
                            : fmt::format("{} has no unacknowledged break; entry {} needs no acknowledgement",
                                          paths.audit().string(), entry.entry),
                        before.first_damage ? std::vector<std::string>{"after review: " + acknowledge_command(paths, breaks_to_acknowledge(paths.audit(), breaks))}
                                            : std::vector<std::string>{});
        }
        if (!acknowledgeable(before.first_damage->kind)) {
            throw Error(fmt::format("entry {} of {} is unreadable ({}); an acknowledgement can only re-anchor a broken link",
                                    entry.entry, paths.audit().string(), damage_kind_name(before.first_damage->kind)),
                        {"a torn final line is moved aside by the next append; other unreadable lines need manual repair"});
        }
        breaks.push_back(entry);
    }

    const ChainReport audit = verify_with(paths.audit(), breaks);
    if (audit.first_damage) {
        // The hint repeats the acknowledgements given, so it is one complete command.
        std::vector<std::uint64_t> remaining;
        for (const AcknowledgedBreak& entry : requested) remaining.push_back(entry.entry);
        for (const std::uint64_t entry : breaks_to_acknowledge(paths.audit(), breaks)) remaining.push_back(entry);
        std::vector<std::string> hints;
        if (!remaining.empty()) hints.push_back("after review, re-anchor with: " + acknowledge_command(paths, remaining));
        throw Error(fmt::format("{}: {}; refusing to anchor a damaged chain", paths.audit().string(),
                                audit.first_damage->message),
                    hints, ExitCode::negative);
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

Json create_checkpoint(const persona::PersonaPaths& paths, const std::vector<AcknowledgedBreak>& acknowledge,
                       const std::optional<SnapshotSigner>& signer, TimePoint now) {
    if (!fs::exists(paths.audit())) {
        throw Error(fmt::format("{} does not exist: there is no history to anchor yet", paths.audit().string()));
    }
    const store::FileLock lock = store::FileLock::acquire(paths.lock(), store::default_lock_timeout());
    return write_checkpoint(paths, acknowledge, signer, next_entry_time(paths.audit(), now));
}

Json write_checkpoint(const persona::PersonaPaths& paths, const std::vector<AcknowledgedBreak>& acknowledge,
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
    for (const AcknowledgedBreak& acknowledged : acknowledge) {
        entry["acknowledged"].push_back({{"entry", acknowledged.entry}, {"reason", acknowledged.reason}});
    }
    entry["prev_hash"] = audit.head();
    entry["ts"] = format_time(now);
    audit.append(entry);
    audit.sync();
    return snapshot;
}

}  // namespace amp::audit
