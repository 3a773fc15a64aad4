#include "amp/trust/trust_store.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "amp/crypto/encoding.hpp"
#include "amp/crypto/key_files.hpp"
#include "amp/error.hpp"
#include "amp/json/reader.hpp"
#include "amp/json/writer.hpp"
#include "amp/store/files.hpp"

namespace amp::trust {

namespace fs = std::filesystem;

namespace {

std::string required_string(const Json& entry, const char* name, const std::string& where) {
    if (!entry.contains(name) || !entry[name].is_string() || entry[name].get<std::string>().empty()) {
        throw Error(fmt::format("{}/{}: missing or not a non-empty string", where, name));
    }
    return entry[name].get<std::string>();
}

std::string optional_string(const Json& entry, const char* name, const std::string& where) {
    if (!entry.contains(name)) return {};
    if (!entry[name].is_string()) throw Error(fmt::format("{}/{}: must be a string", where, name));
    return entry[name].get<std::string>();
}

KeyStatus parse_status(const std::string& text, const std::string& where) {
    if (text == "active") return KeyStatus::active;
    if (text == "retired") return KeyStatus::retired;
    if (text == "revoked") return KeyStatus::revoked;
    throw Error(fmt::format("{}/status: \"{}\" is not one of active, retired, revoked", where, text));
}

TrustedKey parse_entry(const Json& entry, const std::string& where) {
    if (!entry.is_object()) throw Error(fmt::format("{}: each key entry must be an object", where));
    TrustedKey key;
    key.key_id = required_string(entry, "key_id", where);
    const std::string algorithm = required_string(entry, "algorithm", where);
    if (algorithm != "ed25519") {
        throw Error(fmt::format("{}/algorithm: \"{}\" is not supported; amp trusts ed25519 keys only", where, algorithm));
    }
    key.public_key = crypto::parse_public_key_hex(required_string(entry, "public_key", where), where + "/public_key");
    key.status = parse_status(required_string(entry, "status", where), where);
    key.added_at = optional_string(entry, "added_at", where);
    key.retired_at = optional_string(entry, "retired_at", where);
    key.revoked_at = optional_string(entry, "revoked_at", where);
    key.reason = optional_string(entry, "reason", where);

    if (key.status == KeyStatus::retired) {
        const std::string until = required_string(entry, "valid_until", where);
        key.valid_until = parse_time(until);
        if (!key.valid_until) throw Error(fmt::format("{}/valid_until: \"{}\" is not an RFC 3339 time", where, until));
    }
    return key;
}

}  // namespace

std::string to_string(KeyStatus status) {
    switch (status) {
        case KeyStatus::active: return "active";
        case KeyStatus::retired: return "retired";
        case KeyStatus::revoked: return "revoked";
    }
    return "unknown";
}

KeyVerdict assess_key(const TrustedKey& key, TimePoint now) {
    switch (key.status) {
        case KeyStatus::active:
            return {true, false, {}};
        case KeyStatus::retired:
            if (key.valid_until && now <= *key.valid_until) {
                return {true, true,
                        fmt::format("key {} is retired; signatures by it are accepted only until {}", key.key_id,
                                    format_time(*key.valid_until))};
            }
            return {false, false,
                    fmt::format("key {} was retired and its grace period ended at {}", key.key_id,
                                key.valid_until ? format_time(*key.valid_until) : std::string("(unknown)"))};
        case KeyStatus::revoked:
            return {false, false,
                    fmt::format("key {} was revoked at {} (reason: {})", key.key_id,
                                key.revoked_at.empty() ? "(unknown time)" : key.revoked_at,
                                key.reason.empty() ? "none given" : key.reason)};
    }
    return {};
}

TrustStore::TrustStore(fs::path path, Json document) : path_(std::move(path)), document_(std::move(document)) {
    const std::string source = path_.string();
    if (!document_.is_object()) throw Error(fmt::format("{}: the trust store must be a JSON object", source));
    if (!document_.contains("version") || document_["version"] != 1) {
        throw Error(fmt::format("{}: /version must be 1", source));
    }
    if (!document_.contains("keys") || !document_["keys"].is_array()) {
        throw Error(fmt::format("{}: /keys must be an array", source));
    }

    const Json& entries = document_["keys"];
    for (std::size_t i = 0; i < entries.size(); ++i) {
        const std::string where = fmt::format("{}: /keys/{}", source, i);
        TrustedKey key = parse_entry(entries[i], where);
        if (find(key.key_id) != nullptr) {
            throw Error(fmt::format("{}/key_id: \"{}\" appears twice; each key_id must be unique", where, key.key_id));
        }
        if (const TrustedKey* other = find(key.public_key)) {
            throw Error(fmt::format("{}/public_key: the same public key is already listed as \"{}\"", where, other->key_id));
        }
        keys_.push_back(std::move(key));
    }
}

TrustStore TrustStore::load(const fs::path& path) {
    std::error_code error;
    if (!fs::exists(path, error)) {
        throw Error(fmt::format("trust store {} not found", path.string()),
                    {"add a trusted key with: amp trust add PUBFILE --key-id ID",
                     "or verify against one key with: amp verify FILE --pubkey PUBFILE"});
    }
    return TrustStore(path, json::read_file(path));
}

TrustStore TrustStore::load_or_create(const fs::path& path) {
    std::error_code error;
    if (fs::exists(path, error)) return load(path);
    return TrustStore(path, Json{{"version", 1}, {"keys", Json::array()}});
}

const TrustedKey* TrustStore::find(std::string_view key_id) const {
    const auto found = std::find_if(keys_.begin(), keys_.end(), [&](const TrustedKey& key) { return key.key_id == key_id; });
    return found == keys_.end() ? nullptr : &*found;
}

const TrustedKey* TrustStore::find(const crypto::PublicKey& public_key) const {
    const auto found =
        std::find_if(keys_.begin(), keys_.end(), [&](const TrustedKey& key) { return key.public_key == public_key; });
    return found == keys_.end() ? nullptr : &*found;
}

void TrustStore::add(const std::string& key_id, const crypto::PublicKey& public_key, TimePoint now) {
    if (key_id.empty()) throw Error("a key_id must not be empty");
    if (const TrustedKey* existing = find(key_id)) {
        throw Error(fmt::format("{}: key_id \"{}\" is already in the trust store ({})", path_.string(), key_id,
                                to_string(existing->status)),
                    {"choose a new key_id; entries are never reused"});
    }
    if (const TrustedKey* existing = find(public_key)) {
        throw Error(fmt::format("{}: this public key is already in the trust store as \"{}\" ({})", path_.string(),
                                existing->key_id, to_string(existing->status)),
                    {existing->status == KeyStatus::revoked ? "a revoked key can never be trusted again; generate a new key pair"
                                                            : "the key is already trusted under that key_id"});
    }

    Json entry = {{"key_id", key_id},
                  {"algorithm", "ed25519"},
                  {"public_key", crypto::to_hex(public_key)},
                  {"status", "active"},
                  {"added_at", format_time(now)}};
    TrustedKey key;
    key.key_id = key_id;
    key.public_key = public_key;
    key.added_at = format_time(now);
    document_["keys"].push_back(std::move(entry));
    keys_.push_back(std::move(key));
}

void TrustStore::retire(const std::string& key_id, TimePoint now, std::chrono::seconds grace) {
    const auto index = static_cast<std::size_t>(std::distance(
        keys_.begin(), std::find_if(keys_.begin(), keys_.end(), [&](const TrustedKey& k) { return k.key_id == key_id; })));
    if (index == keys_.size()) {
        throw Error(fmt::format("{}: no key with key_id \"{}\"", path_.string(), key_id), {"list the keys with: amp trust list"});
    }
    TrustedKey& key = keys_[index];
    if (key.status != KeyStatus::active) {
        throw Error(fmt::format("{}: key \"{}\" is already {}; only an active key can be retired", path_.string(), key_id,
                                to_string(key.status)));
    }

    key.status = KeyStatus::retired;
    key.retired_at = format_time(now);
    key.valid_until = now + grace;
    Json& entry = document_["keys"][index];
    entry["status"] = "retired";
    entry["retired_at"] = key.retired_at;
    entry["valid_until"] = format_time(*key.valid_until);
}

void TrustStore::revoke(const std::string& key_id, const std::string& reason, TimePoint now) {
    if (reason.empty()) throw Error("revoking a key needs a reason (--reason), e.g. an incident id");
    const auto index = static_cast<std::size_t>(std::distance(
        keys_.begin(), std::find_if(keys_.begin(), keys_.end(), [&](const TrustedKey& k) { return k.key_id == key_id; })));
    if (index == keys_.size()) {
        throw Error(fmt::format("{}: no key with key_id \"{}\"", path_.string(), key_id), {"list the keys with: amp trust list"});
    }
    TrustedKey& key = keys_[index];
    if (key.status == KeyStatus::revoked) {
        throw Error(fmt::format("{}: key \"{}\" was already revoked at {}", path_.string(), key_id, key.revoked_at));
    }

    key.status = KeyStatus::revoked;
    key.revoked_at = format_time(now);
    key.reason = reason;
    Json& entry = document_["keys"][index];
    entry["status"] = "revoked";
    entry["revoked_at"] = key.revoked_at;
    entry["reason"] = reason;
}

void TrustStore::save() const {
    std::error_code error;
    fs::create_directories(path_.parent_path(), error);
    if (error) throw Error(fmt::format("cannot create {}: {}", path_.parent_path().string(), error.message()));
    store::replace_file(path_, json::to_pretty(document_), 0644);
}

Json TrustStore::to_json() const { return document_; }

}  // namespace amp::trust
