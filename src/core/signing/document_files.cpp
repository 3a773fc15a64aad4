#include "amp/signing/document_files.hpp"

#include <sys/stat.h>

#include <fmt/format.h>

#include "amp/crypto/encoding.hpp"
#include "amp/diagnostics.hpp"
#include "amp/error.hpp"
#include "amp/json/reader.hpp"
#include "amp/json/writer.hpp"
#include "amp/store/files.hpp"

namespace amp::signing {

namespace fs = std::filesystem;

Json load_document(const fs::path& path) {
    Json document = json::read_file(path);
    if (!document.is_object()) {
        throw Error(fmt::format("{}: the document must be a JSON object, not {}", path.string(), document.type_name()));
    }
    return document;
}

void sign_file(const fs::path& path, const SignRequest& request) {
    const Json signed_document = sign_document(load_document(path), request);
    store::replace_file(path, json::to_pretty(signed_document));
}

std::string choose_key_id(const crypto::SecretKey& key, const std::optional<std::string>& requested,
                          const trust::TrustStore* store) {
    const trust::TrustedKey* by_key = store != nullptr ? store->find(key.public_key()) : nullptr;

    if (by_key != nullptr && by_key->status == trust::KeyStatus::revoked) {
        throw Error(fmt::format("this signing key is revoked in {} as \"{}\" ({})", store->path().string(), by_key->key_id,
                                by_key->reason),
                    {"generate a new key pair with: amp keygen --key-id NEW_ID"});
    }

    if (requested) {
        if (requested->empty()) throw Error("--key-id must not be empty");
        const trust::TrustedKey* by_id = store != nullptr ? store->find(*requested) : nullptr;
        if (by_id != nullptr && by_id->public_key != key.public_key()) {
            throw Error(fmt::format("key_id \"{}\" belongs to a different public key in {}", *requested, store->path().string()),
                        {"check that --key and --key-id name the same key: amp trust list"});
        }
        if (by_key != nullptr && by_key->key_id != *requested) {
            throw Error(fmt::format("this signing key is registered as \"{}\" in {}, not \"{}\"", by_key->key_id,
                                    store->path().string(), *requested),
                        {fmt::format("sign with --key-id {}", by_key->key_id)});
        }
        if (by_key != nullptr && by_key->status == trust::KeyStatus::retired) {
            warn(fmt::format("signing with retired key \"{}\"; signatures stop verifying after its grace period", by_key->key_id));
        }
        if (by_id == nullptr) {
            warn(fmt::format("key_id \"{}\" is not in the trust store{}; these signatures fail verification until it is "
                             "added: amp trust add PUBFILE --key-id {}",
                             *requested, store != nullptr ? " " + store->path().string() : "", *requested));
        }
        return *requested;
    }

    if (by_key == nullptr) {
        throw Error(fmt::format("cannot tell the key_id of this key (public key {}): it is not in the trust store",
                                crypto::to_hex(key.public_key())),
                    {"pass --key-id ID, or register it first: amp trust add PUBFILE --key-id ID"});
    }
    if (by_key->status == trust::KeyStatus::retired) {
        warn(fmt::format("signing with retired key \"{}\"; signatures stop verifying after its grace period", by_key->key_id));
    }
    return by_key->key_id;
}

const trust::TrustStore& TrustStores::for_file(const fs::path& file) {
    std::optional<trust::Workspace> workspace = trust::Workspace::find(file);
    if (!workspace || !fs::exists(workspace->trust_store_path())) workspace = trust::Workspace::find(fs::current_path());
    if (!workspace) {
        throw Error(fmt::format("{}: no trust store: no .ampersona/ directory in this or any parent directory", file.string()),
                    {"create one with: amp trust add PUBFILE --key-id ID",
                     "or verify against one key with: --pubkey PUBFILE"});
    }

    const fs::path path = workspace->trust_store_path();
    auto found = stores_.find(path);
    if (found == stores_.end()) {
        found = stores_.emplace(path, std::make_unique<trust::TrustStore>(trust::TrustStore::load(path))).first;
    }
    return *found->second;
}

}  // namespace amp::signing
