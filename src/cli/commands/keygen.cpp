// amp keygen: a new ed25519 key pair for signing.
#include <fmt/format.h>

#include "amp/crypto/encoding.hpp"
#include "amp/crypto/key_files.hpp"
#include "amp/error.hpp"
#include "amp/store/files.hpp"
#include "command.hpp"
#include "console.hpp"

namespace amp::cli {

namespace {

struct KeygenOptions {
    std::string key_id;
    std::string prefix;
    bool raw = false;
};

int run_keygen(const KeygenOptions& options) {
    const std::string prefix = options.prefix.empty() ? options.key_id : options.prefix;
    const std::string private_path = prefix + ".key";
    const std::string public_path = prefix + ".pub";

    const crypto::SecretKey key = crypto::SecretKey::generate();
    if (options.raw) {
        const auto seed = key.seed();
        store::create_new_file(private_path, {reinterpret_cast<const char*>(seed.data()), seed.size()}, 0600);
        const auto& public_key = key.public_key();
        store::create_new_file(public_path, {reinterpret_cast<const char*>(public_key.data()), public_key.size()}, 0644);
    } else {
        store::create_new_file(private_path, crypto::private_key_pem(key), 0600);
        store::create_new_file(public_path, crypto::public_key_pem(key.public_key()), 0644);
    }

    print_line(fmt::format("created key pair \"{}\"", options.key_id));
    print_line(fmt::format("  private key: {} (mode 0600; keep it out of the repository)", private_path));
    print_line(fmt::format("  public key:  {}", public_path));
    print_line(fmt::format("  public key hex: {}", crypto::to_hex(key.public_key())));
    print_hint(fmt::format("trust it with: amp trust add {} --key-id {}", public_path, options.key_id));
    return 0;
}

}  // namespace

void add_keygen_command(CLI::App& app, Action& action) {
    auto options = std::make_shared<KeygenOptions>();
    CLI::App* command = app.add_subcommand("keygen", "Generate an ed25519 key pair: PREFIX.key (mode 0600) and PREFIX.pub");
    command->footer(
        "Writes PREFIX.key (private, mode 0600, PEM PKCS#8) and PREFIX.pub (PEM); refuses to overwrite either.\n"
        "Next: amp trust add PREFIX.pub --key-id ID.\n"
        "Exit codes: 0 both files written, 3 a file exists or cannot be written, 64 usage error.");
    command->add_option("--key-id", options->key_id, "Identifier the key will have in the trust store, e.g. k-2026-Q2")
        ->required();
    command->add_option("-o,--output", options->prefix, "Path prefix of the two files (default: the key id)");
    command->add_flag("--raw", options->raw, "Write raw bytes (32-byte seed, 32-byte public key) instead of PEM");
    command->callback([options, &action] { action = [options] { return run_keygen(*options); }; });
}

}  // namespace amp::cli
