#include "amp/audit/history.hpp"

#include <filesystem>

#include <fmt/format.h>

#include "amp/audit/chain_verify.hpp"
#include "amp/audit/integrity.hpp"
#include "amp/error.hpp"
#include "amp/json/access.hpp"
#include "amp/operations/state_binding.hpp"
#include "amp/signing/signature.hpp"

namespace amp::audit {

namespace fs = std::filesystem;

namespace {

Json damage_json(const ChainDamage& damage) {
    Json json = {{"kind", std::string(damage_kind_name(damage.kind))},
                 {"index", damage.index},
                 {"line", damage.line},
                 {"computed_hash", damage.computed_hash},
                 {"recorded_hash", damage.recorded_hash},
                 {"message", damage.message}};
    if (damage.links_to) json["links_to"] = *damage.links_to;
    return json;
}

// Tracks state_rev through the audit log: every StateChange must carry the
// previous revision + 1, and every event's state_rev must match the
// StateChange that follows it.
class RevisionTracker {
public:
    void visit(std::uint64_t index, const Json& entry) {
        if (problem_) return;
        const std::string type = entry.value("event_type", "");
        if (!entry.contains("state_rev") || !entry["state_rev"].is_number_integer()) return;
        const std::int64_t rev = entry["state_rev"].get<std::int64_t>();

        if (type == "StateChange") {
            if (last_rev_ && rev == *last_rev_) {
                fail(index, "state_rev_repeated", fmt::format("state_rev {} is recorded by two StateChange entries", rev));
            } else if (last_rev_ && rev < *last_rev_) {
                fail(index, "state_rev_backwards", fmt::format("state_rev goes backwards from {} to {}", *last_rev_, rev));
            } else if (last_rev_ && rev != *last_rev_ + 1) {
                fail(index, "state_rev_gap",
                     fmt::format("state_rev jumps from {} to {}: {} mutation(s) missing", *last_rev_, rev, rev - *last_rev_ - 1));
            }
            last_rev_ = rev;
            ++changes_;
            return;
        }
        // An event of the mutation recorded by the next StateChange.
        const std::int64_t expected = last_rev_ ? *last_rev_ + 1 : rev;
        if (rev != expected && !(type == "Override" && last_rev_ && rev == *last_rev_)) {
            fail(index, "state_rev_mismatch",
                 fmt::format("{} carries state_rev {} but the next mutation is state_rev {}", type, rev, expected));
        }
    }

    const std::optional<Json>& problem() const { return problem_; }
    std::optional<std::int64_t> last_rev() const { return last_rev_; }
    std::uint64_t changes() const { return changes_; }

private:
    void fail(std::uint64_t index, const char* kind, std::string message) {
        problem_ = Json{{"kind", kind}, {"index", index}, {"line", index + 1},
                        {"message", fmt::format("entry {} (line {}): {}", index, index + 1, message)}};
    }

    std::optional<std::int64_t> last_rev_;
    std::uint64_t changes_ = 0;
    std::optional<Json> problem_;
};

struct SnapshotCheck {
    Json details = Json::object();
    bool ok = true;
    std::vector<AcknowledgedLink> honoured_breaks;  // only from a validly signed snapshot
    std::optional<std::uint64_t> anchored_entries;
    std::optional<std::string> audit_head;
    std::optional<std::uint64_t> drift_entries;
    std::optional<std::string> drift_head;
};

SnapshotCheck check_snapshot(const persona::PersonaPaths& paths, signing::TrustStores& stores, TimePoint now) {
    SnapshotCheck check;
    if (!fs::exists(paths.integrity())) {
        check.details = {{"exists", false}};
        return check;
    }
    check.details["exists"] = true;
    check.details["file"] = paths.integrity().string();
    const Json snapshot = signing::load_document(paths.integrity());

    bool trusted = false;
    if (!signing::is_signed(snapshot)) {
        check.details["signature"] = {{"status", "unsigned"}};
    } else {
        try {
            const signing::Verification verification =
                signing::verify_document(snapshot, signing::KeySource::trust_store(stores.for_file(paths.integrity()), now));
            check.details["signature"] = {{"status", verification.valid() ? "valid" : "invalid"},
                                          {"key_id", verification.key_id},
                                          {"signer", verification.signer}};
            if (!verification.valid()) {
                check.details["signature"]["error"] = verification.message;
                check.ok = false;
            }
            trusted = verification.valid();
        } catch (const Error& error) {
            check.details["signature"] = {{"status", "unchecked"}, {"error", error.what()}};
            check.ok = false;
        }
    }
    check.details["trusted"] = trusted;

    // Files are named relative to the snapshot, so a restored backup still verifies.
    const auto expect_name = [&](const char* member, const fs::path& actual) {
        if (snapshot.contains(member) && snapshot[member] != actual.filename().string()) {
            check.ok = false;
            check.details["problems"].push_back(fmt::format("{} names {}, expected {}", member,
                                                            snapshot[member].dump(), actual.filename().string()));
        }
    };
    expect_name("audit_file", paths.audit());
    expect_name("drift_file", paths.drift());

    check.anchored_entries = json::count_member(snapshot, "entries");
    if (check.anchored_entries) check.audit_head = snapshot.value("chain_head", "");
    check.drift_entries = json::count_member(snapshot, "drift_entries");
    if (check.drift_entries) check.drift_head = snapshot.value("drift_head", "");
    const std::vector<AcknowledgedBreak> breaks = acknowledged_breaks(snapshot);
    Json acknowledged = Json::array();
    for (const AcknowledgedBreak& entry : breaks) {
        acknowledged.push_back({{"entry", entry.entry}, {"reason", entry.reason}});
        if (trusted) check.honoured_breaks.push_back(link_of(entry));
    }
    check.details["acknowledged_breaks"] = acknowledged;
    if (!trusted && !breaks.empty()) {
        check.details["problems"].push_back(
            "acknowledged breaks are ignored: the snapshot's signature is missing or invalid");
    }
    check.details["created_at"] = snapshot.value("created_at", Json(nullptr));
    check.details["snapshot"] = snapshot;
    return check;
}

Json chain_json(const fs::path& file, const ChainReport& report) {
    Json json = {{"file", file.string()}, {"exists", true}, {"entries", report.entries}, {"bytes", report.bytes},
                 {"head", report.head}, {"intact", report.intact()}};
    if (report.first_damage) json["damage"] = damage_json(*report.first_damage);
    return json;
}

}  // namespace

HistoryReport verify_history(const persona::PersonaPaths& paths, signing::TrustStores& stores, TimePoint now,
                             std::uint64_t from_index) {
    // A path that names nothing (a glob that matched no file, a typo) must not
    // pass as a history with nothing wrong in it.
    std::error_code ignored;
    const bool anything_there = fs::exists(paths.persona(), ignored) || fs::exists(paths.audit(), ignored) ||
                                fs::exists(paths.state(), ignored) || fs::exists(paths.drift(), ignored);
    if (!anything_there) {
        throw Error(fmt::format("cannot read {}: no such file, and no state, audit or drift file beside it",
                                paths.persona().string()),
                    {"check the path; a shell glob that matches nothing is passed on as it is"});
    }

    HistoryReport result;
    Json& details = result.details;
    details["persona"] = paths.persona().string();
    bool ok = true;

    SnapshotCheck snapshot = check_snapshot(paths, stores, now);
    ok = ok && snapshot.ok;

    // Audit chain, with state_rev continuity checked in the same pass.
    RevisionTracker revisions;
    std::optional<ChainReport> audit;
    if (fs::exists(paths.audit())) {
        VerifyOptions options;
        options.from_index = from_index;
        options.acknowledged_breaks = snapshot.honoured_breaks;
        if (snapshot.anchored_entries) options.heads_at.push_back(*snapshot.anchored_entries);
        options.visit = [&revisions](std::uint64_t index, const Json& entry, std::string_view) { revisions.visit(index, entry); };
        audit = verify_chain(paths.audit(), options);
        details["audit"] = chain_json(paths.audit(), *audit);
        ok = ok && audit->intact();
    } else {
        details["audit"] = {{"file", paths.audit().string()}, {"exists", false}, {"entries", 0}, {"intact", true}};
    }

    if (fs::exists(paths.drift())) {
        VerifyOptions options;
        if (snapshot.drift_entries) options.heads_at.push_back(*snapshot.drift_entries);
        const ChainReport drift = verify_chain(paths.drift(), options);
        details["drift"] = chain_json(paths.drift(), drift);
        ok = ok && drift.intact();
        if (snapshot.drift_entries) {
            const auto head = drift.heads_at.find(*snapshot.drift_entries);
            const bool matches = head != drift.heads_at.end() && head->second == snapshot.drift_head;
            snapshot.details["drift_anchor_matches"] = matches;
            ok = ok && matches;
        }
    } else {
        details["drift"] = {{"file", paths.drift().string()}, {"exists", false}, {"entries", 0}, {"intact", true}};
    }

    // What the snapshot still anchors, and what needs a person to review it.
    // A broken link at entry d means entry d-1 was edited or removed, so the
    // review starts there; a signed head still vouches for the entries from
    // d up to the anchor, because they link to it.
    std::optional<std::uint64_t> review_first;
    if (audit && audit->first_damage && audit->first_damage->kind != DamageKind::torn_final_line) {
        const ChainDamage& damage = *audit->first_damage;
        const bool broken_link = damage.kind == DamageKind::content_changed || damage.kind == DamageKind::out_of_order ||
                                 damage.kind == DamageKind::second_genesis || damage.kind == DamageKind::timestamp_backwards;
        review_first = broken_link && damage.index > 0 ? damage.index - 1 : damage.index;
    }
    if (snapshot.anchored_entries && audit) {
        const auto head = audit->heads_at.find(*snapshot.anchored_entries);
        const bool matches = head != audit->heads_at.end() && head->second == snapshot.audit_head;
        snapshot.details["audit_anchor_matches"] = matches;
        ok = ok && matches;
        const std::uint64_t anchored = *snapshot.anchored_entries;
        const bool trusted = snapshot.details.value("trusted", false);
        if (matches && trusted && anchored > 0) {
            const std::uint64_t first =
                audit->first_damage && audit->first_damage->index < anchored ? audit->first_damage->index : 0;
            if (first < anchored) details["anchored_range"] = {{"first", first}, {"last", anchored - 1}};
        }
    }
    if (review_first && audit) {
        const bool inside_anchor = details.contains("anchored_range") && details["anchored_range"].value("first", 0) > 0;
        const std::uint64_t last = inside_anchor ? details["anchored_range"]["first"].get<std::uint64_t>() - 1
                                                 : (audit->entries == 0 ? 0 : audit->entries - 1);
        details["review_range"] = {{"first", inside_anchor ? 0 : *review_first}, {"last", last}};
    }
    if (audit && audit->first_damage) details["first_break"] = audit->first_damage->index;
    details["integrity"] = snapshot.details;

    // state_rev continuity and the state file against the latest StateChange.
    Json continuity = {{"state_changes", revisions.changes()}};
    if (revisions.last_rev()) continuity["latest_state_rev"] = *revisions.last_rev();
    if (revisions.problem()) {
        continuity["problem"] = *revisions.problem();
        ok = false;
    }
    std::optional<Json> state;
    std::optional<std::string> unreadable_state;
    if (fs::exists(paths.state())) {
        try {
            state = signing::load_document(paths.state());
        } catch (const Error& error) {
            unreadable_state = error.what();
        }
    }
    if (unreadable_state) {
        continuity["state_file"] = {{"status", "unreadable"},
                                    {"message", fmt::format("the state file cannot be read: {}", *unreadable_state)}};
        ok = false;
    } else {
        const operations::StateBinding binding = operations::check_state_binding(paths, state);
        continuity["state_file"] = {{"status", operations::to_string(binding.status)}, {"message", binding.message}};
        if (!binding.usable()) ok = false;
    }
    details["state_rev"] = continuity;

    details["intact"] = ok;
    result.intact = ok;
    return result;
}

}  // namespace amp::audit
