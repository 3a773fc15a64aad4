#include "amp/audit/recovery.hpp"

#include <algorithm>
#include <filesystem>

#include <fmt/format.h>

#include "amp/audit/chain_verify.hpp"
#include "amp/audit/entry_time.hpp"
#include "amp/audit/integrity.hpp"
#include "amp/error.hpp"
#include "amp/json/writer.hpp"
#include "amp/operations/state_binding.hpp"
#include "amp/signing/signature.hpp"
#include "amp/store/chain.hpp"
#include "amp/store/file_lock.hpp"
#include "amp/store/files.hpp"

namespace amp::audit {

namespace fs = std::filesystem;

AuditBatch::AuditBatch(const persona::PersonaPaths& paths, std::string ts) : paths_(paths), ts_(std::move(ts)) {
    const store::ChainTail tail = store::read_tail(paths_.audit());
    tail_head_ = tail.head;
    head_ = tail.head;
    torn_bytes_ = tail.torn_bytes.size();
    if (torn_bytes_ > 0) {
        quarantine_record_ = link(Json{{"event_type", "Recovery"},
                                       {"action", "quarantine_torn_tail"},
                                       {"file", paths_.audit().filename().string()},
                                       {"moved_to", paths_.audit_torn().filename().string()},
                                       {"bytes", torn_bytes_}});
    }
}

AuditBatch::~AuditBatch() = default;

Json AuditBatch::add(Json entry) {
    entries_.push_back(link(std::move(entry)));
    return entries_.back();
}

Json AuditBatch::link(Json entry) {
    entry["prev_hash"] = head_;
    entry["ts"] = ts_;
    // The same serialization as ChainAppender::append, so an entry that append
    // would reject is rejected here, before the first write, and the next
    // entry can link to this one.
    std::string line;
    try {
        line = json::to_line(entry);
    } catch (const Error& error) {
        throw Error(fmt::format("cannot append the {} entry to {}: {}", entry.value("event_type", "?"),
                                paths_.audit().string(), error.what()));
    }
    if (line.size() > store::max_chain_line_bytes) {
        throw Error(fmt::format("cannot append the {} entry to {}: it is {} bytes long, over the maximum of {} bytes "
                                "per chain line",
                                entry.value("event_type", "?"), paths_.audit().string(), line.size(),
                                store::max_chain_line_bytes));
    }
    head_ = store::line_hash(line);
    return entry;
}

void AuditBatch::quarantine_torn_tail() {
    if (appender_) return;
    appender_ = std::make_unique<store::ChainAppender>(paths_.audit(), paths_.audit_torn());
    if (appender_->head() != tail_head_ || appender_->quarantined_bytes() != torn_bytes_) {
        throw Error(fmt::format("{} changed while amp held the persona's lock: another program writes to it without "
                                "the lock",
                                paths_.audit().string()),
                    {fmt::format("inspect it with: amp audit {} --verify", paths_.persona().string())});
    }
    if (quarantine_record_) {
        appender_->append(*quarantine_record_);
        appender_->sync();
    }
}

void AuditBatch::write() {
    quarantine_torn_tail();
    for (const Json& entry : entries_) appender_->append(entry);
    appender_->sync();
    entries_.clear();
}

Json append_note(const persona::PersonaPaths& paths, const std::string& text, const std::string& approver, TimePoint now) {
    if (text.empty()) throw Error("--note needs a text: what happened, e.g. an incident id and summary");
    if (approver.empty()) throw Error("--note needs --approver: who records this note");
    if (!fs::exists(paths.persona())) throw Error(fmt::format("persona {} not found", paths.persona().string()));

    const store::FileLock lock = store::FileLock::acquire(paths.lock(), store::default_lock_timeout());
    AuditBatch batch(paths, format_time(next_entry_time(paths.audit(), now)));
    Json entry = batch.add(Json{{"event_type", "Note"}, {"text", text}, {"approver", approver}});
    batch.write();
    return entry;
}

namespace {

// The StateChange a rebuild starts from.
struct RebuildSource {
    std::optional<Json> entry;
    std::uint64_t index = 0;
    std::optional<std::uint64_t> damage_index;  // first break that no trusted snapshot acknowledges
    std::int64_t highest_rev = -1;              // highest state_rev of any StateChange, damaged or not
};

// Finds the last StateChange before the first unacknowledged damage. A torn
// final line is not damage here: the rebuild moves it aside.
RebuildSource find_rebuild_source(const fs::path& log, const std::vector<AcknowledgedLink>& acknowledged) {
    RebuildSource found;
    VerifyOptions options;
    options.acknowledged_breaks = acknowledged;

    // The visitor runs in file order, so the damage index is known only afterwards:
    // run once to find it, then again to pick the last StateChange before it.
    const ChainReport report = verify_chain(log, options);
    if (report.first_damage && report.first_damage->kind != DamageKind::torn_final_line) {
        found.damage_index = report.first_damage->index;
    }

    options.visit = [&found](std::uint64_t index, const Json& entry, std::string_view) {
        if (entry.value("event_type", "") != "StateChange") return;
        if (entry.contains("state_rev") && entry["state_rev"].is_number_integer()) {
            found.highest_rev = std::max(found.highest_rev, entry["state_rev"].get<std::int64_t>());
        }
        if (found.damage_index && index >= *found.damage_index) return;
        if (!entry.contains("state") || !entry["state"].is_object()) return;
        found.entry = entry;
        found.index = index;
    };
    verify_chain(log, options);
    return found;
}

Error no_source_error(const persona::PersonaPaths& paths, const RebuildSource& source, const TrustedBreaks& trusted) {
    std::string message = source.damage_index
        ? fmt::format("cannot rebuild {}: {} contains no intact StateChange entry before its first unacknowledged break "
                      "at entry {}",
                      paths.state().string(), paths.audit().string(), *source.damage_index)
        : fmt::format("cannot rebuild {}: {} contains no intact StateChange entry to rebuild from", paths.state().string(),
                      paths.audit().string());
    std::vector<std::string> hints;
    if (!trusted.ignored_because.empty()) {
        hints.push_back(fmt::format("the acknowledgements in {} were not honoured: {}", paths.integrity().string(),
                                    trusted.ignored_because));
    }
    if (source.damage_index) {
        hints.push_back(fmt::format("after review, acknowledge the break in a signed snapshot: amp audit {} "
                                    "--checkpoint-create --sign-key KEY --acknowledge {} --reason R",
                                    paths.persona().string(), *source.damage_index));
    }
    hints.push_back("or restore the state file from a backup, then run: amp audit FILE --verify");
    return Error(std::move(message), std::move(hints));
}

}  // namespace

RebuildResult rebuild_state(const persona::PersonaPaths& paths, const crypto::SecretKey& key, const std::string& key_id,
                            TimePoint now) {
    if (!fs::exists(paths.audit())) {
        throw Error(fmt::format("cannot rebuild {}: there is no audit log {}", paths.state().string(), paths.audit().string()));
    }
    const store::FileLock lock = store::FileLock::acquire(paths.lock(), store::default_lock_timeout());
    const TrustedBreaks trusted = trusted_acknowledged_breaks(paths, now);
    now = next_entry_time(paths.audit(), now);
    const std::string ts = format_time(now);

    const RebuildSource source = find_rebuild_source(paths.audit(), trusted.entries);
    if (!source.entry) throw no_source_error(paths, source, trusted);

    RebuildResult result;
    result.from_entry = source.index;
    result.chain_intact = !source.damage_index.has_value();
    Json state = (*source.entry)["state"];
    const Json from_state_rev = state.value("state_rev", Json(0));
    if (source.damage_index) {
        // Entries after the break cannot be trusted: continue from the last
        // good state at a new revision, so the log and the file agree again.
        state["state_rev"] = source.highest_rev + 1;
        state["updated_at"] = ts;
    }
    // Everything is signed and serialized before the first write, so a
    // failure leaves the log, its torn file and the state file as they were.
    const Json signed_state = signing::sign_document(state, signing::SignRequest{key, key_id, "amp (state rebuild)", now});
    const std::string state_text = json::to_pretty(signed_state);

    AuditBatch batch(paths, ts);
    Json recovery = {{"event_type", "Recovery"},
                     {"action", "state_rebuilt"},
                     {"file", paths.state().filename().string()},
                     {"from_entry", source.index},
                     {"from_state_rev", from_state_rev}};
    if (source.damage_index) recovery["chain_break_at"] = *source.damage_index;
    batch.add(recovery);
    if (source.damage_index) {
        batch.add(Json{{"event_type", "StateChange"},
                       {"state_rev", state["state_rev"]},
                       {"cause", "Recovery"},
                       {"state", state},
                       {"state_digest", operations::state_digest(state)}});
    }
    batch.write();
    // The persona lock is held, so any temporary state file is a killed writer's.
    store::remove_abandoned_temporaries(paths.state());
    store::replace_file(paths.state(), state_text);

    result.state = signed_state;
    result.message = source.damage_index
        ? fmt::format("rebuilt {} from entry {} (the last StateChange before the break at entry {}), now state_rev {}",
                      paths.state().string(), source.index, *source.damage_index, state["state_rev"].dump())
        : fmt::format("rebuilt {} from entry {} (state_rev {})", paths.state().string(), source.index,
                      state["state_rev"].dump());
    return result;
}

}  // namespace amp::audit
