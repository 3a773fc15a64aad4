// amp verify: check document signatures against the trust store or one key.
#include <optional>

#include <fmt/format.h>

#include "amp/clock.hpp"
#include "amp/crypto/key_files.hpp"
#include "amp/error.hpp"
#include "amp/signing/document_files.hpp"
#include "command.hpp"
#include "console.hpp"

namespace amp::cli {

namespace {

struct VerifyOptions {
    std::vector<std::string> files;
    std::string public_key_file;
    bool json = false;
};

struct FileResult {
    std::string file;
    std::optional<signing::Verification> verification;  // empty when the file was rejected
    std::string rejection;                              // why the file could not be checked
    std::vector<std::string> hints;
};

FileResult verify_one(const std::string& file, const std::optional<crypto::PublicKey>& pinned,
                      signing::TrustStores& stores, TimePoint current) {
    FileResult result{file, std::nullopt, {}, {}};
    try {
        const Json document = signing::load_document(file);
        if (!signing::is_signed(document)) {
            // No key is needed to see that there is no signature.
            result.verification = signing::verify_document(document, signing::KeySource::pinned({}));
            return result;
        }
        const signing::KeySource keys = pinned ? signing::KeySource::pinned(*pinned)
                                               : signing::KeySource::trust_store(stores.for_file(file), current);
        result.verification = signing::verify_document(document, keys);
    } catch (const Error& error) {
        result.rejection = error.what();
        result.hints = error.hints();
    }
    return result;
}

Json to_json(const FileResult& result) {
    Json entry = {{"file", result.file}};
    if (!result.verification) {
        entry["status"] = "rejected";
        entry["valid"] = false;
        entry["error"] = result.rejection;
        return entry;
    }
    const signing::Verification& verification = *result.verification;
    entry["status"] = verification.valid() ? "valid" : "invalid";
    entry["valid"] = verification.valid();
    entry["code"] = signing::to_string(verification.failure);
    entry["key_id"] = verification.key_id;
    entry["signer"] = verification.signer;
    entry["created_at"] = verification.created_at;
    if (!verification.valid()) entry["error"] = verification.message;
    if (verification.warning) entry["warning"] = *verification.warning;
    return entry;
}

void print_human(const FileResult& result) {
    if (!result.verification) {
        print_error(result.rejection);
        print_hints(result.hints);
        return;
    }
    const signing::Verification& verification = *result.verification;
    if (verification.warning) print_warning(fmt::format("{}: {}", result.file, *verification.warning));
    if (verification.valid()) {
        print_line(fmt::format("{}: {} (key {}, signer {}, signed {})", result.file, green("valid"), verification.key_id,
                               verification.signer, verification.created_at));
    } else {
        print_line(fmt::format("{}: {}: {}", result.file, red("INVALID"), verification.message));
    }
}

int run_verify(const VerifyOptions& options) {
    std::optional<crypto::PublicKey> pinned;
    if (!options.public_key_file.empty()) pinned = crypto::load_public_key(options.public_key_file);

    signing::TrustStores stores;
    const TimePoint current = now();
    bool any_invalid = false;
    bool any_rejected = false;
    Json report = Json::array();
    for (const std::string& file : options.files) {
        const FileResult result = verify_one(file, pinned, stores, current);
        any_rejected = any_rejected || !result.verification;
        any_invalid = any_invalid || (result.verification && !result.verification->valid());
        if (options.json) {
            report.push_back(to_json(result));
        } else {
            print_human(result);
        }
    }

    if (options.json) print_json(Json{{"valid", !any_invalid && !any_rejected}, {"files", report}});
    // "Could not check" outranks "checked and invalid": an unreadable file must not pass as merely invalid.
    if (any_rejected) return static_cast<int>(ExitCode::failure);
    return any_invalid ? static_cast<int>(ExitCode::negative) : 0;
}

}  // namespace

void add_verify_command(CLI::App& app, Action& action) {
    auto options = std::make_shared<VerifyOptions>();
    CLI::App* command = app.add_subcommand("verify", "Verify the signatures of personas, state files or integrity snapshots");
    command->footer(
        "Keys come from the nearest workspace's trust store (.ampersona/trust.json), never from the signature block.\n"
        "Exit codes: 0 every file verifies, 1 at least one fails, 3 at least one could not be checked, 64 usage error.");
    command->add_option("FILE", options->files, "Documents to verify")->required();
    command->add_option("--pubkey", options->public_key_file,
                        "Verify against this public key only, bypassing the trust store");
    command->add_flag("--json", options->json, "Print one JSON report on stdout");
    command->callback([options, &action] { action = [options] { return run_verify(*options); }; });
}

}  // namespace amp::cli
