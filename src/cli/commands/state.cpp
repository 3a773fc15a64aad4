// amp state rebuild: recover a lost or corrupted state file from the audit log.
#include <optional>

#include <fmt/format.h>

#include "amp/audit/recovery.hpp"
#include "amp/clock.hpp"
#include "amp/crypto/key_files.hpp"
#include "amp/persona/paths.hpp"
#include "amp/signing/document_files.hpp"
#include "amp/trust/workspace.hpp"
#include "command.hpp"
#include "console.hpp"

namespace amp::cli {

namespace {

struct StateOptions {
    std::string file;
    std::string key;
    std::optional<std::string> key_id;
    bool json = false;
};

int run_rebuild(const StateOptions& options) {
    const persona::PersonaPaths paths = persona::resolve(options.file);
    const crypto::SecretKey key = crypto::load_private_key(options.key);
    std::optional<trust::TrustStore> store;
    if (const auto workspace = trust::Workspace::find(paths.persona());
        workspace && std::filesystem::exists(workspace->trust_store_path())) {
        store = trust::TrustStore::load(workspace->trust_store_path());
    }
    const std::string key_id = signing::choose_key_id(key, options.key_id, store ? &*store : nullptr, now());

    const audit::RebuildResult result = audit::rebuild_state(paths, key, key_id, now());
    if (options.json) {
        print_json(Json{{"state", result.state}, {"from_entry", result.from_entry}, {"chain_intact", result.chain_intact},
                        {"message", result.message}});
        return 0;
    }
    print_line(result.message);
    if (!result.chain_intact) {
        print_warning("the audit chain is broken: entries after the break need manual review");
        print_hint(fmt::format("re-anchor after review: amp audit {} --checkpoint-create --acknowledge N --reason R",
                               paths.persona().string()));
    }
    return 0;
}

}  // namespace

void add_state_command(CLI::App& app, Action& action) {
    auto options = std::make_shared<StateOptions>();
    CLI::App* command = app.add_subcommand("state", "Manage a persona's state file");
    command->footer(
        "Exit codes: 0 state file rewritten, 3 no audit log, no usable StateChange, key problem or lock timeout, 64 usage error.");
    command->require_subcommand(1, 1);
    CLI::App* rebuild = command->add_subcommand(
        "rebuild", "Rebuild the state file from the audit log's latest intact StateChange, sign it, record a Recovery entry");
    rebuild->add_option("FILE", options->file, "Persona file (or any companion file)")->required();
    rebuild->add_option("--key", options->key, "Private key to sign the rebuilt state with")->required();
    rebuild->add_option("--key-id", options->key_id, "key_id of --key (default: from the trust store)");
    rebuild->add_flag("--json", options->json, "Print one JSON report on stdout");
    rebuild->callback([options, &action] { action = [options] { return run_rebuild(*options); }; });
}

}  // namespace amp::cli
