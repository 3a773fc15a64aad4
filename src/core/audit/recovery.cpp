#include "amp/audit/recovery.hpp"

#include <filesystem>

#include <fmt/format.h>

#include "amp/audit/chain_verify.hpp"
#include "amp/audit/entry_time.hpp"
#include "amp/error.hpp"
#include "amp/json/writer.hpp"
#include "amp/operations/state_binding.hpp"
#include "amp/signing/signature.hpp"
#include "amp/store/chain.hpp"
#include "amp/store/file_lock.hpp"
#include "amp/store/files.hpp"

namespace amp::audit {

namespace fs = std::filesystem;

namespace {

// Opens the audit log for appending, quarantining a torn tail with its Recovery entry.
std::unique_ptr<store::ChainAppender> open_audit(const persona::PersonaPaths& paths, const std::string& ts) {
    auto audit = std::make_unique<store::ChainAppender>(paths.audit(), paths.audit_torn());
    if (audit->quarantined_bytes() > 0) {
        audit->append(Json{{"event_type", "Recovery"},
                           {"action", "quarantine_torn_tail"},
                           {"file", paths.audit().filename().string()},
                           {"moved_to", paths.audit_torn().filename().string()},
                           {"bytes", audit->quarantined_bytes()},
                           {"prev_hash", audit->head()},
                           {"ts", ts}});
    }
    return audit;
}

}  // namespace

Json append_note(const persona::PersonaPaths& paths, const std::string& text, const std::string& approver, TimePoint now) {
    if (text.empty()) throw Error("--note needs a text: what happened, e.g. an incident id and summary");
    if (approver.empty()) throw Error("--note needs --approver: who records this note");
    if (!fs::exists(paths.persona())) throw Error(fmt::format("persona {} not found", paths.persona().string()));

    const store::FileLock lock = store::FileLock::acquire(paths.lock(), store::default_lock_timeout());
    const std::string ts = format_time(next_entry_time(paths.audit(), now));
    auto audit = open_audit(paths, ts);
    Json entry = {{"event_type", "Note"}, {"text", text}, {"approver", approver}, {"prev_hash", audit->head()}, {"ts", ts}};
    audit->append(entry);
    audit->sync();
    return entry;
}

RebuildResult rebuild_state(const persona::PersonaPaths& paths, const crypto::SecretKey& key, const std::string& key_id,
                            TimePoint now) {
    if (!fs::exists(paths.audit())) {
        throw Error(fmt::format("cannot rebuild {}: there is no audit log {}", paths.state().string(), paths.audit().string()));
    }
    const store::FileLock lock = store::FileLock::acquire(paths.lock(), store::default_lock_timeout());
    now = next_entry_time(paths.audit(), now);
    const std::string ts = format_time(now);
    // A torn final line is moved aside first: it is a crash artefact, not a break.
    auto audit = open_audit(paths, ts);

    // The last StateChange before the first damage, and the highest state_rev seen anywhere.
    std::optional<Json> source;
    std::uint64_t source_index = 0;
    std::int64_t highest_rev = -1;
    std::optional<std::uint64_t> damage_index;
    VerifyOptions options;
    options.visit = [&](std::uint64_t index, const Json& entry, std::string_view) {
        if (entry.value("event_type", "") != "StateChange") return;
        if (entry.contains("state_rev") && entry["state_rev"].is_number_integer()) {
            highest_rev = std::max(highest_rev, entry["state_rev"].get<std::int64_t>());
        }
        if (damage_index && index >= *damage_index) return;
        if (!entry.contains("state") || !entry["state"].is_object()) return;
        source = entry;
        source_index = index;
    };
    // The visitor runs in file order, so the damage index is known only afterwards:
    // run once to find it, then again to pick the last StateChange before it.
    const ChainReport report = verify_chain(paths.audit(), VerifyOptions{});
    if (report.first_damage) damage_index = report.first_damage->index;
    verify_chain(paths.audit(), options);

    if (!source) {
        throw Error(fmt::format("cannot rebuild {}: {} holds no intact StateChange entry to rebuild from",
                                paths.state().string(), paths.audit().string()),
                    {"restore the state file from a backup, then run: amp audit FILE --verify"});
    }

    RebuildResult result;
    result.from_entry = source_index;
    result.chain_intact = !damage_index.has_value();
    Json state = (*source)["state"];

    Json recovery = {{"event_type", "Recovery"},
                     {"action", "state_rebuilt"},
                     {"file", paths.state().filename().string()},
                     {"from_entry", source_index},
                     {"from_state_rev", state.value("state_rev", 0)}};
    if (damage_index) {
        // Entries after the break cannot be trusted: continue from the last
        // good state at a new revision, so the log and the file agree again.
        state["state_rev"] = highest_rev + 1;
        state["updated_at"] = ts;
        recovery["chain_break_at"] = *damage_index;
    }
    recovery["prev_hash"] = audit->head();
    recovery["ts"] = ts;
    audit->append(recovery);
    if (damage_index) {
        audit->append(Json{{"event_type", "StateChange"},
                           {"state_rev", state["state_rev"]},
                           {"cause", "Recovery"},
                           {"state", state},
                           {"state_digest", operations::state_digest(state)},
                           {"prev_hash", audit->head()},
                           {"ts", ts}});
    }
    audit->sync();

    const Json signed_state = signing::sign_document(state, signing::SignRequest{key, key_id, "amp (state rebuild)", now});
    store::replace_file(paths.state(), json::to_pretty(signed_state));

    result.state = signed_state;
    result.message = damage_index
        ? fmt::format("rebuilt {} from entry {} (the last StateChange before the break at entry {}), now state_rev {}",
                      paths.state().string(), source_index, *damage_index, state["state_rev"].dump())
        : fmt::format("rebuilt {} from entry {} (state_rev {})", paths.state().string(), source_index,
                      state["state_rev"].dump());
    return result;
}

}  // namespace amp::audit
