#include "amp/signing/document_files.hpp"

#include <sys/stat.h>

#include <fmt/format.h>

#include "amp/crypto/encoding.hpp"
#include "amp/diagnostics.hpp"
#include "amp/error.hpp"
#include "amp/json/reader.hpp"
#include "amp/json/writer.hpp"
#include "amp/store/files.hpp"
#include "amp/trust/trust_store.hpp"

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
                          const trust::TrustStore* store, TimePoint now) {
    const trust::TrustedKey* by_key = store != nullptr ? store->find(key.public_key()) : nullptr;

    if (by_key != nullptr && by_key->status == trust::KeyStatus::revoked) {
        throw Error(fmt::format("this signing key is revoked in {} as \"{}\" ({})", store->path().string(), by_key->key_id,
                                by_key->reason),
                    {"generate a new key pair with: amp keygen --key-id NEW_ID"});
    }
    // A signature by a key past its grace period fails verification the
    // moment it is written; refuse rather than produce it.
    if (by_key != nullptr && by_key->status == trust::KeyStatus::retired && !trust::assess_key(*by_key, now).trusted) {
        throw Error(fmt::format("this signing key is retired in {} as \"{}\" and its grace period has ended: {}",
                                store->path().string(), by_key->key_id, trust::assess_key(*by_key, now).message),
                    {"sign with the current key; see: amp trust list"});
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

void require_trusted_signing_key(const crypto::SecretKey& key, const std::string& key_id,
                                 const trust::TrustStore& store, TimePoint now, std::string_view origin) {
    const trust::TrustedKey* entry = store.find(key_id);
    if (entry == nullptr) {
        throw Error(fmt::format("the signing key from {} has key_id \"{}\", which is not in the trust store {}; "
                                "refusing to sign with it",
                                origin, key_id, store.path().string()),
                    {fmt::format("add its public key first: amp trust add PUBFILE --key-id {}", key_id)});
    }
    if (entry->public_key != key.public_key()) {
        throw Error(fmt::format("the signing key from {} does not match the key the trust store {} contains for \"{}\" "
                                "(trusted {}, given {}); refusing to sign with it",
                                origin, store.path().string(), key_id, crypto::to_hex(entry->public_key),
                                crypto::to_hex(key.public_key())),
                    {"point the configuration at the private key of that key_id: amp trust list"});
    }
    const trust::KeyVerdict verdict = trust::assess_key(*entry, now);
    if (!verdict.trusted) {
        throw Error(fmt::format("the signing key \"{}\" from {} can no longer sign: {}; refusing to sign "
                                "with it",
                                key_id, origin, verdict.message),
                    {"configure the current key: set /signing/key and /signing/key_id in .ampersona/config.json"});
    }
    if (verdict.in_grace) {
        warn(fmt::format("signing with retired key \"{}\" from {}: {}", key_id, origin, verdict.message));
    }
}

const trust::TrustStore& TrustStores::for_file(const fs::path& file) {
    // Files of one directory share a workspace. A fleet check looks up
    // thousands of them, and each look-up walks the tree with stat calls.
    const fs::path directory = file.parent_path();
    if (const auto known = by_directory_.find(directory); known != by_directory_.end()) return *known->second;

    const trust::TrustStore& store = find_for(file);
    by_directory_.emplace(directory, &store);
    return store;
}

const trust::TrustStore& TrustStores::find_for(const fs::path& file) {
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
