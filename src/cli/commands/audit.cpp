// amp audit: verify history with exact break points, manage integrity
// snapshots, append incident notes.
#include <optional>

#include <fmt/format.h>

#include "amp/audit/history.hpp"
#include "amp/audit/integrity.hpp"
#include "amp/audit/recovery.hpp"
#include "amp/clock.hpp"
#include "amp/crypto/key_files.hpp"
#include "amp/error.hpp"
#include "amp/persona/paths.hpp"
#include "amp/signing/document_files.hpp"
#include "amp/trust/workspace.hpp"
#include "command.hpp"
#include "console.hpp"
#include "operator.hpp"

namespace amp::cli {

namespace {

struct AuditOptions {
    std::vector<std::string> files;
    bool verify = false;
    bool checkpoint_create = false;
    bool checkpoint_verify = false;
    std::optional<std::string> note;
    std::string approver;
    std::uint64_t from = 0;
    std::string sign_key;
    std::optional<std::string> key_id;
    std::vector<std::uint64_t> acknowledge;
    std::string reason;
    bool json = false;
};

void print_chain(const char* label, const Json& chain) {
    if (!chain.value("exists", false)) {
        print_line(fmt::format("  {}: none", label));
        return;
    }
    const int entries = chain.value("entries", 0);
    print_line(fmt::format("  {}: {} {}, head {}", label, entries, entries == 1 ? "entry" : "entries", chain.value("head", "?")));
    if (!chain.contains("damage")) return;
    const Json& damage = chain["damage"];
    print_line(fmt::format("    {} {}", red(damage.value("kind", "?")), damage.value("message", "")));
    if (!damage.value("recorded_hash", "").empty()) {
        print_line(fmt::format("    computed prev_hash: {}", damage.value("computed_hash", "")));
        print_line(fmt::format("    recorded prev_hash: {}", damage.value("recorded_hash", "")));
    }
}

void print_history(const audit::HistoryReport& report) {
    const Json& details = report.details;
    const std::string persona = details.value("persona", "?");
    print_line(fmt::format("{}: {}", persona, report.intact ? green("intact") : red("DAMAGED")));
    print_chain("audit log", details["audit"]);
    print_chain("drift ledger", details["drift"]);

    const Json& integrity = details["integrity"];
    if (integrity.value("exists", false)) {
        const Json& signature = integrity.value("signature", Json::object());
        std::string line = fmt::format("  snapshot: signature {}", signature.value("status", "?"));
        if (signature.contains("key_id")) line += fmt::format(" (key {}, signer {})", signature.value("key_id", "?"), signature.value("signer", "?"));
        if (integrity.contains("audit_anchor_matches")) {
            line += integrity["audit_anchor_matches"].get<bool>() ? ", audit anchor matches" : red(", audit anchor does NOT match");
        }
        print_line(line);
        for (const Json& acknowledged : integrity.value("acknowledged_breaks", Json::array())) {
            print_line(fmt::format("    break at entry {} acknowledged by the snapshot's signer: {}",
                                   acknowledged.value("entry", 0), acknowledged.value("reason", "")));
        }
        for (const Json& problem : integrity.value("problems", Json::array())) print_line(fmt::format("    {}", problem.get<std::string>()));
    } else {
        print_line("  snapshot: none");
    }

    const Json& continuity = details["state_rev"];
    if (continuity.contains("problem")) print_line(fmt::format("  state_rev: {}", red(continuity["problem"].value("message", ""))));
    const Json& state_file = continuity.value("state_file", Json::object());
    if (!state_file.value("message", "").empty()) print_line(fmt::format("  state file: {}", red(state_file.value("message", ""))));

    if (details.contains("anchored_range")) {
        print_line(fmt::format("  anchored by the signed snapshot: entries {}..{}", details["anchored_range"].value("first", 0),
                               details["anchored_range"].value("last", 0)));
    }
    if (details.contains("review_range")) {
        print_line(fmt::format("  needs manual review: entries {}..{}", details["review_range"].value("first", 0),
                               details["review_range"].value("last", 0)));
        print_hint(fmt::format("after review, re-anchor with: amp audit {} --checkpoint-create --sign-key KEY --acknowledge {} --reason R",
                               persona, details.value("first_break", 0)));
    } else if (details["audit"].contains("damage") && details["audit"]["damage"].value("kind", "") == "torn_final_line") {
        print_hint(fmt::format("a torn final line is a crash artefact: the next append moves it to the .torn file, "
                               "e.g. amp audit {} --note TEXT --approver WHO",
                               persona));
    }
}

int run_verify(const AuditOptions& options) {
    std::vector<std::filesystem::path> paths(options.files.begin(), options.files.end());
    signing::TrustStores stores;
    const TimePoint current = now();
    bool all_intact = true;
    Json reports = Json::array();
    for (const persona::PersonaPaths& persona : persona::resolve_unique(paths)) {
        const audit::HistoryReport report = audit::verify_history(persona, stores, current, options.from);
        all_intact = all_intact && report.intact;
        if (options.json) {
            reports.push_back(report.details);
        } else {
            print_history(report);
        }
    }
    if (options.json) print_json(Json{{"intact", all_intact}, {"personas", reports}});
    return all_intact ? 0 : static_cast<int>(ExitCode::negative);
}

int run_checkpoint_create(const AuditOptions& options) {
    const persona::PersonaPaths paths = persona::resolve(options.files.front());
    const auto workspace = trust::Workspace::find(paths.persona());

    // The key: --sign-key, else the workspace's signing key.
    std::string key_file = options.sign_key;
    std::optional<std::string> requested_key_id = options.key_id;
    std::string key_origin = "--sign-key";
    if (key_file.empty()) {
        const auto configured = workspace ? workspace->signing() : trust::signing_from_environment();
        if (configured) {
            key_file = configured->key.string();
            requested_key_id = configured->key_id;
            key_origin = configured->origin;
        }
    }

    std::optional<crypto::SecretKey> key;
    std::string key_id;
    if (!key_file.empty()) {
        key = crypto::load_private_key(key_file);
        std::optional<trust::TrustStore> store;
        if (workspace && std::filesystem::exists(workspace->trust_store_path())) {
            store = trust::TrustStore::load(workspace->trust_store_path());
        }
        key_id = signing::choose_key_id(*key, requested_key_id, store ? &*store : nullptr, now());

        // A snapshot signed by a key the trust store does not vouch for
        // anchors nothing: verify would call the history damaged.
        if (!store) {
            throw Error(fmt::format("no trust store to check the snapshot's signing key against ({})", key_origin),
                        {"add the key first: amp trust add PUBFILE --key-id ID"});
        }
        signing::require_trusted_signing_key(*key, key_id, *store, now(), key_origin);
    } else {
        if (std::filesystem::exists(paths.integrity()) &&
            signing::is_signed(signing::load_document(paths.integrity()))) {
            throw Error(fmt::format("{} is signed; refusing to replace it with an unsigned snapshot", paths.integrity().string()),
                        {"pass --sign-key KEY"});
        }
        print_warning("the snapshot is unsigned (no --sign-key and no signing key configured): it anchors nothing and "
                      "its acknowledgements are not honoured");
    }

    std::vector<audit::AcknowledgedBreak> acknowledge;
    for (const std::uint64_t entry : options.acknowledge) acknowledge.push_back({entry, options.reason});
    std::optional<audit::SnapshotSigner> signer;
    if (key) signer.emplace(audit::SnapshotSigner{*key, key_id, operator_identity()});

    const Json snapshot = audit::create_checkpoint(paths, acknowledge, signer, now());
    if (options.json) {
        print_json(snapshot);
        return 0;
    }
    print_line(fmt::format("wrote {}: audit entries {} (head {}){}", paths.integrity().string(), snapshot.value("entries", 0),
                           snapshot.value("chain_head", "?"), key ? fmt::format(", signed with key {}", key_id) : ""));
    for (const audit::AcknowledgedBreak& entry : acknowledge) {
        print_line(fmt::format("  break at entry {} acknowledged: {}", entry.entry, entry.reason));
    }
    return 0;
}

int run_checkpoint_verify(const AuditOptions& options) {
    const persona::PersonaPaths paths = persona::resolve(options.files.front());
    signing::TrustStores stores;
    const audit::HistoryReport report = audit::verify_history(paths, stores, now());
    const Json& integrity = report.details["integrity"];
    if (!integrity.value("exists", false)) {
        throw Error(fmt::format("{} not found", paths.integrity().string()),
                    {fmt::format("create one with: amp audit {} --checkpoint-create --sign-key KEY", paths.persona().string())});
    }
    const bool ok = integrity.value("trusted", false) && integrity.value("audit_anchor_matches", false) &&
                    integrity.value("drift_anchor_matches", true) && !integrity.contains("problems");
    if (options.json) {
        print_json(Json{{"ok", ok}, {"integrity", integrity}});
    } else {
        print_line(fmt::format("{}: {}", paths.integrity().string(), ok ? green("valid") : red("INVALID")));
        print_line(fmt::format("  signature: {}", integrity["signature"].value("status", "?")));
        print_line(fmt::format("  audit anchor matches: {}", integrity.value("audit_anchor_matches", false)));
        if (integrity.contains("drift_anchor_matches")) print_line(fmt::format("  drift anchor matches: {}", integrity["drift_anchor_matches"].get<bool>()));
        for (const Json& problem : integrity.value("problems", Json::array())) print_line(fmt::format("  {}", problem.get<std::string>()));
    }
    return ok ? 0 : static_cast<int>(ExitCode::negative);
}

int run_note(const AuditOptions& options) {
    const persona::PersonaPaths paths = persona::resolve(options.files.front());
    const Json entry = audit::append_note(paths, *options.note, options.approver, now());
    if (options.json) {
        print_json(entry);
    } else {
        print_line(fmt::format("recorded note in {} by {}", paths.audit().string(), options.approver));
    }
    return 0;
}

}  // namespace

void add_audit_command(CLI::App& app, Action& action) {
    auto options = std::make_shared<AuditOptions>();
    CLI::App* command = app.add_subcommand(
        "audit", "Verify audit and drift chains, integrity snapshots and state_rev continuity; manage snapshots; add notes");
    command->footer(
        "Only --verify takes several files. --note needs --approver. --checkpoint-create signs with --sign-key, else with\n"
        "the configured key (.ampersona/config.json or AMP_SIGNING_KEY); either must be trusted in the trust store.\n"
        "Without any key the snapshot is unsigned and anchors nothing.\n"
        "Exit codes: 0 intact / written / valid, 1 damaged, unacknowledged break or snapshot mismatch,\n"
        "3 a file cannot be read or the request is rejected (nothing is written), 64 usage error.");
    command->add_option("FILE", options->files, "Persona files (or any companion files)")->required();
    auto* verify = command->add_flag("--verify", options->verify, "Verify each persona's history; exit 1 unless all are intact");
    auto* from = command->add_option("--from", options->from, "Trust the first N audit entries and check from entry N on")->needs(verify);
    auto* create = command->add_flag("--checkpoint-create", options->checkpoint_create, "Write STEM.integrity.json anchoring the chains now");
    auto* check = command->add_flag("--checkpoint-verify", options->checkpoint_verify, "Check STEM.integrity.json against the chains");
    auto* note = command->add_option("--note", options->note, "Append an incident note to the audit log");
    auto* approver = command->add_option("--approver", options->approver, "Who records the note")->needs(note);
    auto* sign_key = command->add_option("--sign-key", options->sign_key, "Private key to sign the snapshot with")
                         ->needs(create);
    command->add_option("--key-id", options->key_id, "key_id of --sign-key (default: from the trust store)")->needs(sign_key);
    auto* acknowledge = command->add_option("--acknowledge", options->acknowledge,
                                            "Entry index of a reviewed break to re-anchor (repeat for several)")->needs(create);
    auto* reason = command->add_option("--reason", options->reason, "Why the break is acceptable, e.g. IR-2211 reviewed");
    acknowledge->needs(reason);
    reason->needs(acknowledge);
    acknowledge->expected(1)->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
    command->add_flag("--json", options->json, "Print one JSON report on stdout");
    verify->excludes(create)->excludes(check)->excludes(note);
    create->excludes(check)->excludes(note);
    check->excludes(note);
    (void)from;
    (void)approver;
    command->callback([options, &action] {
        const int modes = int(options->verify) + int(options->checkpoint_create) + int(options->checkpoint_verify) + int(options->note.has_value());
        if (modes == 0) throw CLI::RequiredError("one of --verify, --checkpoint-create, --checkpoint-verify or --note");
        if (!options->verify && options->files.size() > 1) {
            throw CLI::ValidationError("FILE", "only --verify takes several personas");
        }
        if (options->note && options->approver.empty()) throw CLI::RequiredError("--approver");
        action = [options] {
            if (options->verify) return run_verify(*options);
            if (options->checkpoint_create) return run_checkpoint_create(*options);
            if (options->checkpoint_verify) return run_checkpoint_verify(*options);
            return run_note(*options);
        };
    });
}

}  // namespace amp::cli
