#include "amp/audit/integrity.hpp"

#include <algorithm>
#include <filesystem>

#include <fmt/format.h>

#include "amp/audit/chain_verify.hpp"
#include "amp/audit/entry_time.hpp"
#include "amp/audit/recovery.hpp"
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

AcknowledgedLink link_of(const AcknowledgedBreak& acknowledged) {
    return {acknowledged.entry, acknowledged.previous_entry_hash, acknowledged.entry_hash};
}

std::vector<AcknowledgedBreak> acknowledged_breaks(const Json& snapshot) {
    std::vector<AcknowledgedBreak> breaks;
    if (!snapshot.contains("acknowledged_breaks") || !snapshot["acknowledged_breaks"].is_array()) return breaks;
    for (const Json& entry : snapshot["acknowledged_breaks"]) {
        const auto index = json::count_member(entry, "entry");
        if (!index) continue;
        // A reason that is not a string is dropped rather than thrown as a type error.
        const auto text = [&entry](const char* name) {
            const auto found = entry.find(name);
            return found != entry.end() && found->is_string() ? found->get<std::string>() : std::string();
        };
        breaks.push_back({*index, text("reason"), text("previous_entry_hash"), text("entry_hash")});
    }
    return breaks;
}

TrustedBreaks trusted_acknowledged_breaks(const persona::PersonaPaths& paths, TimePoint now) {
    TrustedBreaks trusted;
    if (!fs::exists(paths.integrity())) return trusted;

    Json snapshot;
    try {
        snapshot = signing::load_document(paths.integrity());
    } catch (const Error& error) {
        trusted.ignored_because = fmt::format("the snapshot cannot be read: {}", error.what());
        return trusted;
    }
    const std::vector<AcknowledgedBreak> breaks = acknowledged_breaks(snapshot);
    if (breaks.empty()) return trusted;
    if (!signing::is_signed(snapshot)) {
        trusted.ignored_because = "the snapshot is unsigned";
        return trusted;
    }

    signing::Verification verification;
    try {
        signing::TrustStores stores;
        verification =
            signing::verify_document(snapshot, signing::KeySource::trust_store(stores.for_file(paths.integrity()), now));
    } catch (const Error& error) {
        trusted.ignored_because = fmt::format("its signature cannot be checked: {}", error.what());
        return trusted;
    }
    if (!verification.valid()) {
        trusted.ignored_because = fmt::format("its signature does not verify: {}", verification.message);
        return trusted;
    }
    for (const AcknowledgedBreak& entry : breaks) trusted.entries.push_back(link_of(entry));
    return trusted;
}

namespace {

bool acknowledgeable(DamageKind kind) {
    return kind == DamageKind::content_changed || kind == DamageKind::out_of_order ||
           kind == DamageKind::second_genesis || kind == DamageKind::timestamp_backwards;
}

ChainReport verify_with(const std::filesystem::path& log, const std::vector<AcknowledgedBreak>& breaks) {
    VerifyOptions options;
    for (const AcknowledgedBreak& entry : breaks) options.acknowledged_breaks.push_back(link_of(entry));
    return verify_chain(log, options);
}

// Pins an acknowledgement of `entry` to the two lines of its link as they
// are now, so that a later edit of either is not covered by the review.
AcknowledgedBreak pinned(const std::filesystem::path& log, std::uint64_t entry, std::string reason) {
    VerifyOptions options;
    options.heads_at = {entry, entry + 1};
    const ChainReport report = verify_chain(log, options);
    const auto previous = report.heads_at.find(entry);
    const auto own = report.heads_at.find(entry + 1);
    if (previous == report.heads_at.end() || own == report.heads_at.end()) {
        throw Error(fmt::format("{} has no entry {} to acknowledge", log.string(), entry));
    }
    return {entry, std::move(reason), previous->second, own->second};
}

// The damage that stops a checkpoint, or null. A torn final line does not,
// because the checkpoint moves it aside before it anchors the log.
const ChainDamage* blocking_damage(const ChainReport& report) {
    if (!report.first_damage || report.first_damage->kind == DamageKind::torn_final_line) return nullptr;
    return &*report.first_damage;
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
        breaks.push_back(pinned(log, report.first_damage->index, ""));
    }
    return listed;
}

std::string acknowledge_command(const persona::PersonaPaths& paths, const std::vector<std::uint64_t>& entries) {
    std::string command = fmt::format("amp audit {} --checkpoint-create --sign-key KEY", paths.persona().string());
    for (const std::uint64_t entry : entries) command += fmt::format(" --acknowledge {}", entry);
    return command + " --reason R";
}

// Refuses to replace a signed snapshot whose anchor the log no longer
// matches: entries cut from the end, or the last anchored entry changed,
// leave no break for --acknowledge to name, and a new snapshot would hide
// the loss for good.
void require_anchor_still_holds(const persona::PersonaPaths& paths, const Json& existing) {
    if (!signing::is_signed(existing)) return;
    const auto anchored = json::count_member(existing, "entries");
    if (!anchored || *anchored == 0 || !existing.contains("chain_head") || !existing["chain_head"].is_string()) return;

    VerifyOptions options;
    options.heads_at = {*anchored};
    const ChainReport report = verify_chain(paths.audit(), options);
    const auto head = report.heads_at.find(*anchored);
    if (head != report.heads_at.end() && head->second == existing["chain_head"].get<std::string>()) return;

    throw Error(fmt::format("{} no longer matches the signed snapshot {}: the snapshot anchors {} entries ending in {}, "
                            "the log {}; refusing to re-anchor it",
                            paths.audit().string(), paths.integrity().string(), *anchored,
                            existing["chain_head"].get<std::string>(),
                            head == report.heads_at.end()
                                ? fmt::format("has only {} entries (cut at the end?)", report.entries)
                                : fmt::format("has {} at entry {}", head->second, *anchored - 1)),
                {"restore the log from a backup taken with this snapshot, then run: amp audit FILE --verify",
                 fmt::format("if the loss is reviewed and accepted, keep the old snapshot as evidence "
                             "(mv {0} {0}.INCIDENT) and create a new checkpoint",
                             paths.integrity().string())},
                ExitCode::negative);
}

// Inputs of a snapshot, read and checked before anything is written.
struct SnapshotInputs {
    std::vector<AcknowledgedBreak> breaks;  // the existing snapshot's acknowledgements, then the new ones
    ChainReport audit;                      // a torn final line is neither counted nor hashed here
    std::optional<ChainReport> drift;
    std::optional<Json> state;
};

// Checks a checkpoint request against the persona's files and reads what
// the snapshot needs. Every refusal of a checkpoint is thrown from here.
SnapshotInputs read_snapshot_inputs(const persona::PersonaPaths& paths, const std::vector<AcknowledgedBreak>& acknowledge) {
    if (!fs::exists(paths.audit())) {
        throw Error(fmt::format("{} does not exist: there is no history to anchor yet", paths.audit().string()));
    }

    SnapshotInputs inputs;
    std::vector<AcknowledgedBreak>& breaks = inputs.breaks;
    if (fs::exists(paths.integrity())) {
        const Json existing = signing::load_document(paths.integrity());
        require_anchor_still_holds(paths, existing);
        breaks = acknowledged_breaks(existing);
    }

    // Each acknowledgement must name the break the chain actually has next.
    std::vector<AcknowledgedBreak> requested = acknowledge;
    std::sort(requested.begin(), requested.end(), [](const auto& a, const auto& b) { return a.entry < b.entry; });
    for (const AcknowledgedBreak& entry : requested) {
        if (entry.reason.empty()) throw Error("--acknowledge needs --reason: say who reviewed the break and why");
        const ChainReport before = verify_with(paths.audit(), breaks);
        const ChainDamage* next = blocking_damage(before);
        if (!next || next->index != entry.entry) {
            throw Error(next ? fmt::format("entry {} is not the next break of {}; the next break is entry {} ({})",
                                           entry.entry, paths.audit().string(), next->index, damage_kind_name(next->kind))
                             : fmt::format("{} has no unacknowledged break; entry {} needs no acknowledgement",
                                           paths.audit().string(), entry.entry),
                        next ? std::vector<std::string>{"after review: " + acknowledge_command(paths, breaks_to_acknowledge(paths.audit(), breaks))}
                             : std::vector<std::string>{});
        }
        if (!acknowledgeable(next->kind)) {
            throw Error(fmt::format("entry {} of {} is unreadable ({}); an acknowledgement can only re-anchor a broken link",
                                    entry.entry, paths.audit().string(), damage_kind_name(next->kind)),
                        {"repair the line by hand from a backup, then run: amp audit FILE --verify"});
        }
        breaks.push_back(pinned(paths.audit(), entry.entry, entry.reason));
    }

    inputs.audit = verify_with(paths.audit(), breaks);
    if (const ChainDamage* damage = blocking_damage(inputs.audit)) {
        // The hint repeats the acknowledgements given, so it is one complete command.
        std::vector<std::uint64_t> remaining;
        for (const AcknowledgedBreak& entry : requested) remaining.push_back(entry.entry);
        for (const std::uint64_t entry : breaks_to_acknowledge(paths.audit(), breaks)) remaining.push_back(entry);
        std::vector<std::string> hints;
        if (!remaining.empty()) hints.push_back("after review, re-anchor with: " + acknowledge_command(paths, remaining));
        throw Error(fmt::format("{}: {}; refusing to anchor a damaged chain", paths.audit().string(), damage->message),
                    hints, ExitCode::negative);
    }

    if (fs::exists(paths.drift())) {
        inputs.drift = verify_chain(paths.drift());
        if (inputs.drift->first_damage) {
            throw Error(fmt::format("{}: {}; refusing to anchor a damaged chain", paths.drift().string(),
                                    inputs.drift->first_damage->message),
                        {}, ExitCode::negative);
        }
    }
    if (fs::exists(paths.state())) inputs.state = signing::load_document(paths.state());
    return inputs;
}

// Composes the unsigned snapshot of an audit log that has `entries` lines,
// the last of which hashes to `head`.
Json compose_snapshot(const persona::PersonaPaths& paths, const SnapshotInputs& inputs, std::uint64_t entries,
                      const std::string& head, TimePoint now) {
    Json snapshot = Json::object();
    snapshot["audit_file"] = paths.audit().filename().string();
    snapshot["entries"] = entries;
    snapshot["chain_head"] = head;
    if (inputs.drift) {
        snapshot["drift_file"] = paths.drift().filename().string();
        snapshot["drift_entries"] = inputs.drift->entries;
        snapshot["drift_head"] = inputs.drift->head;
    }
    if (inputs.state) {
        snapshot["state_rev"] = inputs.state->value("state_rev", 0);
        snapshot["state_digest"] = operations::state_digest(*inputs.state);
    }
    Json acknowledged = Json::array();
    for (const AcknowledgedBreak& entry : inputs.breaks) {
        acknowledged.push_back({{"entry", entry.entry},
                                {"reason", entry.reason},
                                {"previous_entry_hash", entry.previous_entry_hash},
                                {"entry_hash", entry.entry_hash}});
    }
    snapshot["acknowledged_breaks"] = acknowledged;
    snapshot["created_at"] = format_time(now);
    return snapshot;
}

}  // namespace

Json build_snapshot(const persona::PersonaPaths& paths, const std::vector<AcknowledgedBreak>& acknowledge, TimePoint now) {
    const SnapshotInputs inputs = read_snapshot_inputs(paths, acknowledge);
    if (inputs.audit.first_damage) {
        // Only a torn final line gets here. Until a write moves it aside the
        // log fails verification, so this function does not anchor it.
        throw Error(fmt::format("{}: {}; refusing to anchor a damaged chain", paths.audit().string(),
                                inputs.audit.first_damage->message),
                    {}, ExitCode::negative);
    }
    return compose_snapshot(paths, inputs, inputs.audit.entries, inputs.audit.head, now);
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
    const SnapshotInputs inputs = read_snapshot_inputs(paths, acknowledge);

    // A torn final line is a crash artefact, not tampering: the batch moves
    // it aside with a Recovery entry, and the snapshot anchors the log as it
    // will be after that entry.
    AuditBatch batch(paths, format_time(now));
    const std::uint64_t entries = inputs.audit.entries + (batch.quarantines_torn_tail() ? 1 : 0);
    Json snapshot = compose_snapshot(paths, inputs, entries, batch.head(), now);
    std::string snapshot_text;
    try {
        if (signer) {
            snapshot = signing::sign_document(snapshot, signing::SignRequest{signer->key, signer->key_id, signer->signer, now});
        }
        snapshot_text = json::to_pretty(snapshot);
    } catch (const Error& error) {
        throw Error(fmt::format("cannot write {}: {}", paths.integrity().string(), error.what()));
    }

    Json entry = {{"event_type", "Checkpoint"},
                  {"entries", snapshot["entries"]},
                  {"chain_head", snapshot["chain_head"]},
                  {"key_id", signer ? Json(signer->key_id) : Json(nullptr)}};
    for (const AcknowledgedBreak& acknowledged : acknowledge) {
        entry["acknowledged"].push_back({{"entry", acknowledged.entry}, {"reason", acknowledged.reason}});
    }
    batch.add(entry);

    // Nothing was written above, so each refusal left every file as it was.
    batch.quarantine_torn_tail();
    store::replace_file(paths.integrity(), snapshot_text);
    batch.write();
    return snapshot;
}

}  // namespace amp::audit
