// amp sign: sign personas, state files and integrity snapshots in place.
#include <filesystem>
#include <optional>

#include <fmt/format.h>

#include "amp/clock.hpp"
#include "amp/crypto/key_files.hpp"
#include "amp/operations/sign_state.hpp"
#include "amp/persona/paths.hpp"
#include "amp/signing/document_files.hpp"
#include "amp/trust/workspace.hpp"
#include "command.hpp"
#include "console.hpp"
#include "operator.hpp"

namespace amp::cli {

namespace {

namespace fs = std::filesystem;

struct SignOptions {
    std::vector<std::string> files;
    std::string key;
    std::optional<std::string> key_id;
    std::string signer;
};

int run_sign(const SignOptions& options) {
    const crypto::SecretKey key = crypto::load_private_key(options.key);
    const std::string signer = options.signer.empty() ? operator_identity() : options.signer;
    const TimePoint created_at = now();

    // The trust store settles the key_id once for the whole call.
    std::optional<trust::TrustStore> store;
    if (const auto workspace = trust::Workspace::find(options.files.front());
        workspace && fs::exists(workspace->trust_store_path())) {
        store = trust::TrustStore::load(workspace->trust_store_path());
    }
    const std::string key_id = signing::choose_key_id(key, options.key_id, store ? &*store : nullptr, now());

    // Every file is read and checked before any is written, so a bad file
    // in the list leaves all of them untouched.
    for (const std::string& file : options.files) signing::load_document(file);

    const signing::SignRequest request{key, key_id, signer, created_at};
    for (const std::string& file : options.files) {
        if (persona::classify(file) != persona::FileKind::state) {
            signing::sign_file(file, request);
            print_line(fmt::format("signed {} (key {})", file, key_id));
            continue;
        }

        const persona::PersonaPaths paths = persona::resolve(file);
        const operations::SignStateResult result = operations::sign_state(paths, key, key_id, signer, created_at);
        print_line(fmt::format("signed {} (key {})", file, key_id));
        if (result.snapshot_refreshed) {
            print_line(fmt::format("  refreshed integrity snapshot {} (key {})", paths.integrity().string(), key_id));
        } else if (result.break_message) {
            print_warning(fmt::format("{}: {}; the integrity snapshot was left unchanged", paths.audit().string(),
                                      *result.break_message));
            print_hint(fmt::format("after review, re-anchor with: amp audit {} --checkpoint-create --acknowledge {} --reason R",
                                   paths.persona().string(), result.break_entry.value_or(0)));
        }
    }
    return 0;
}

}  // namespace

void add_sign_command(CLI::App& app, Action& action) {
    auto options = std::make_shared<SignOptions>();
    CLI::App* command = app.add_subcommand("sign", "Sign personas, state files or integrity snapshots in place");
    command->footer(
        "The key id comes from --key-id, else from the trust-store entry of the key's public key.\n"
        "Signing STEM.state.json also re-signs its integrity snapshot and records a Checkpoint entry when the chain is intact.\n"
        "Exit codes: 0 every file signed, 3 key or file problem (then nothing is written), 64 usage error.");
    command->add_option("FILE", options->files, "Documents to sign")->required();
    command->add_option("--key", options->key, "Private key file (PEM, raw or hex)")->required();
    command->add_option("--key-id", options->key_id,
                        "key_id to record (default: the trust-store entry whose public key matches --key)");
    command->add_option("--signer", options->signer, "Who signs, e.g. ops@example.org (default: AMP_SIGNER or USER@HOST)");
    command->callback([options, &action] { action = [options] { return run_sign(*options); }; });
}

}  // namespace amp::cli
