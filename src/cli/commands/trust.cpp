// amp trust: manage the workspace trust store (.ampersona/trust.json).
#include <filesystem>

#include <fmt/format.h>

#include "amp/clock.hpp"
#include "amp/crypto/encoding.hpp"
#include "amp/crypto/key_files.hpp"
#include "amp/error.hpp"
#include "amp/trust/trust_store.hpp"
#include "amp/trust/workspace.hpp"
#include "command.hpp"
#include "console.hpp"

namespace amp::cli {

namespace {

namespace fs = std::filesystem;

struct TrustOptions {
    std::string public_key_file;
    std::string key_id;
    std::string grace = "30d";
    std::string reason;
    bool json = false;
};

trust::Workspace existing_workspace() {
    auto workspace = trust::Workspace::find(fs::current_path());
    if (!workspace) {
        throw Error("no workspace: no .ampersona/ directory in this or any parent directory",
                    {"run amp from the project directory, or create the trust store with: amp trust add PUBFILE --key-id ID"});
    }
    return *workspace;
}

int run_add(const TrustOptions& options) {
    const crypto::PublicKey public_key = crypto::load_public_key(options.public_key_file);
    auto workspace = trust::Workspace::find(fs::current_path());
    if (!workspace) {
        workspace = trust::Workspace::at(fs::current_path());
        print_warning(fmt::format("no workspace found; creating {}", workspace->directory().string()));
    }

    trust::TrustStore store = trust::TrustStore::load_or_create(workspace->trust_store_path());
    store.add(options.key_id, public_key, now());
    store.save();
    print_line(fmt::format("trusted key \"{}\" ({}) in {}", options.key_id, crypto::to_hex(public_key),
                           store.path().string()));
    return 0;
}

int run_list(const TrustOptions& options) {
    const trust::TrustStore store = trust::TrustStore::load(existing_workspace().trust_store_path());
    if (options.json) {
        print_json(store.to_json());
        return 0;
    }

    const TimePoint current = now();
    print_line(fmt::format("{:<20} {:<8} {:<20} {}", "KEY_ID", "STATUS", "ADDED", "NOTE"));
    for (const trust::TrustedKey& key : store.keys()) {
        const trust::KeyVerdict verdict = trust::assess_key(key, current);
        std::string note;
        if (key.status == trust::KeyStatus::retired) {
            note = verdict.trusted ? fmt::format("accepted until {}", format_time(*key.valid_until))
                                   : fmt::format("grace ended {}", format_time(*key.valid_until));
        } else if (key.status == trust::KeyStatus::revoked) {
            note = fmt::format("revoked {}: {}", key.revoked_at, key.reason);
        }
        print_line(fmt::format("{:<20} {:<8} {:<20} {}", key.key_id, trust::to_string(key.status), key.added_at, note));
    }
    return 0;
}

int run_retire(const TrustOptions& options) {
    const auto grace = parse_duration(options.grace);
    if (!grace) {
        throw Error(fmt::format("invalid --grace \"{}\": use a number with d, h, m or s, e.g. 30d", options.grace),
                    {}, ExitCode::usage);
    }
    trust::TrustStore store = trust::TrustStore::load(existing_workspace().trust_store_path());
    store.retire(options.key_id, now(), *grace);
    store.save();
    print_line(fmt::format("retired key \"{}\"; its signatures are accepted until {}", options.key_id,
                           format_time(*store.find(options.key_id)->valid_until)));
    return 0;
}

int run_revoke(const TrustOptions& options) {
    trust::TrustStore store = trust::TrustStore::load(existing_workspace().trust_store_path());
    store.revoke(options.key_id, options.reason, now());
    store.save();
    print_line(fmt::format("revoked key \"{}\" (reason: {}); every signature by it now fails verification",
                           options.key_id, options.reason));
    print_hint("generate the new key: amp keygen --key-id NEW_ID -o keys/NEW");
    print_hint("trust it and point .ampersona/config.json at it: amp trust add keys/NEW.pub --key-id NEW_ID");
    print_hint("then re-sign personas and state files with the new key: amp sign FILE... --key keys/NEW.key");
    return 0;
}

}  // namespace

void add_trust_command(CLI::App& app, Action& action) {
    auto options = std::make_shared<TrustOptions>();
    CLI::App* trust = app.add_subcommand("trust", "Manage the trust store .ampersona/trust.json");
    trust->footer(
        "The trust store is .ampersona/trust.json of the nearest workspace: the first directory upwards from the\n"
        "current one that has .ampersona/. 'trust add' creates .ampersona/ in the current directory when there is none.\n"
        "Exit codes: 0 done, 3 missing or invalid key file or trust store, unknown or duplicate key id, 64 usage error.");
    trust->require_subcommand(1, 1);

    CLI::App* add = trust->add_subcommand("add", "Trust a public key (raw, hex or PEM file) under a new key_id");
    add->add_option("PUBFILE", options->public_key_file, "Public key file")->required();
    add->add_option("--key-id", options->key_id, "Identifier for the key; never reused")->required();
    add->callback([options, &action] { action = [options] { return run_add(*options); }; });

    CLI::App* list = trust->add_subcommand("list", "List trusted, retired and revoked keys");
    list->add_flag("--json", options->json, "Print the trust store as JSON");
    list->callback([options, &action] { action = [options] { return run_list(*options); }; });

    CLI::App* retire = trust->add_subcommand("retire", "Retire a key: its signatures verify until the grace period ends");
    retire->add_option("KEY_ID", options->key_id, "Key to retire")->required();
    retire->add_option("--grace", options->grace, "Grace period, e.g. 30d, 12h, 0s (default 30d)");
    retire->callback([options, &action] { action = [options] { return run_retire(*options); }; });

    CLI::App* revoke = trust->add_subcommand("revoke", "Revoke a key: every signature by it fails from now on");
    revoke->add_option("KEY_ID", options->key_id, "Key to revoke")->required();
    revoke->add_option("--reason", options->reason, "Why, e.g. an incident id")->required();
    revoke->callback([options, &action] { action = [options] { return run_revoke(*options); }; });
}

}  // namespace amp::cli
