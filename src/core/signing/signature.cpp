#include "amp/signing/signature.hpp"

#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "amp/crypto/encoding.hpp"
#include "amp/crypto/key_files.hpp"
#include "amp/crypto/sha256.hpp"
#include "amp/error.hpp"
#include "amp/json/canonical.hpp"

namespace amp::signing {

namespace {

bool excluded_from_signing(const std::string& member) { return member == "signature" || member == "$schema"; }

Verification failed(Failure failure, std::string message) {
    Verification result;
    result.failure = failure;
    result.message = std::move(message);
    return result;
}

std::string string_member(const Json& block, const char* name) {
    return block.contains(name) && block[name].is_string() ? block[name].get<std::string>() : std::string();
}

}  // namespace

std::string to_string(Failure failure) {
    switch (failure) {
        case Failure::none: return "valid";
        case Failure::no_signature: return "no_signature";
        case Failure::malformed_block: return "malformed_signature_block";
        case Failure::unsupported_algorithm: return "unsupported_algorithm";
        case Failure::unsupported_canonicalization: return "unsupported_canonicalization";
        case Failure::field_not_signed: return "field_not_signed";
        case Failure::signed_field_missing: return "signed_field_missing";
        case Failure::digest_mismatch: return "digest_mismatch";
        case Failure::malformed_value: return "malformed_signature_value";
        case Failure::unknown_key: return "unknown_key";
        case Failure::untrusted_key: return "untrusted_key";
        case Failure::public_key_mismatch: return "public_key_mismatch";
        case Failure::bad_signature: return "bad_signature";
    }
    return "unknown";
}

bool is_signed(const Json& document) { return document.is_object() && document.contains("signature"); }

Json sign_document(const Json& document, const SignRequest& request) {
    if (!document.is_object()) throw Error("only a JSON object document can be signed");

    Json payload = Json::object();
    Json signed_fields = Json::array();
    Json result = Json::object();
    for (const auto& [name, value] : document.items()) {
        if (name == "signature") continue;
        result[name] = value;
        if (excluded_from_signing(name)) continue;
        payload[name] = value;
        signed_fields.push_back(name);
    }

    const std::string canonical = json::canonicalize(payload);
    const crypto::Signature signature = request.key.sign(canonical);
    result["signature"] = Json{{"algorithm", algorithm_name},
                               {"key_id", request.key_id},
                               {"signer", request.signer},
                               {"canonicalization", canonicalization_name},
                               {"signed_fields", std::move(signed_fields)},
                               {"created_at", format_time(request.created_at)},
                               {"digest", crypto::sha256_tagged(canonical)},
                               {"value", crypto::to_base64(signature)},
                               {"public_key", crypto::to_hex(request.key.public_key())}};
    return result;
}

KeySource KeySource::trust_store(const trust::TrustStore& store, TimePoint now) {
    KeySource source;
    source.store_ = &store;
    source.now_ = now;
    return source;
}

KeySource KeySource::pinned(const crypto::PublicKey& key) {
    KeySource source;
    source.pinned_ = key;
    return source;
}

KeySource::Resolution KeySource::resolve(const std::string& key_id) const {
    if (pinned_) return {pinned_, Failure::none, {}, {}};

    const trust::TrustedKey* entry = store_->find(key_id);
    if (entry == nullptr) {
        return {std::nullopt, Failure::unknown_key,
                fmt::format("key_id \"{}\" is not in the trust store {}", key_id, store_->path().string()), {}};
    }
    const trust::KeyVerdict verdict = trust::assess_key(*entry, now_);
    if (!verdict.trusted) return {std::nullopt, Failure::untrusted_key, verdict.message, {}};

    Resolution resolution{entry->public_key, Failure::none, {}, {}};
    if (verdict.in_grace) resolution.warning = verdict.message;
    return resolution;
}

Verification verify_document(const Json& document, const KeySource& keys) {
    if (!is_signed(document)) return failed(Failure::no_signature, "the document has no signature block");

    // Shape of the block, before anything is computed from it.
    const Json& block = document["signature"];
    if (!block.is_object()) return failed(Failure::malformed_block, "/signature must be an object");
    for (const char* name : {"algorithm", "key_id", "canonicalization", "digest", "value"}) {
        if (!block.contains(name) || !block[name].is_string()) {
            return failed(Failure::malformed_block, fmt::format("/signature/{} is missing or not a string", name));
        }
    }
    if (!block.contains("signed_fields") || !block["signed_fields"].is_array()) {
        return failed(Failure::malformed_block, "/signature/signed_fields is missing or not an array");
    }

    Verification result;
    result.key_id = string_member(block, "key_id");
    result.signer = string_member(block, "signer");
    result.created_at = string_member(block, "created_at");
    auto fail = [&result](Failure failure, std::string message) {
        result.failure = failure;
        result.message = std::move(message);
        return result;
    };

    if (block["algorithm"] != algorithm_name) {
        return fail(Failure::unsupported_algorithm,
                    fmt::format("signature algorithm \"{}\" is not supported (expected ed25519)", block["algorithm"].get<std::string>()));
    }
    if (block["canonicalization"] != canonicalization_name) {
        return fail(Failure::unsupported_canonicalization,
                    fmt::format("canonicalization \"{}\" is not supported (expected JCS-RFC8785)",
                                block["canonicalization"].get<std::string>()));
    }

    // Every member must be covered, so nothing can be added after signing.
    std::set<std::string> signed_fields;
    for (const Json& field : block["signed_fields"]) {
        if (!field.is_string()) return fail(Failure::malformed_block, "/signature/signed_fields must hold only strings");
        signed_fields.insert(field.get<std::string>());
    }
    for (const auto& [name, value] : document.items()) {
        if (!excluded_from_signing(name) && !signed_fields.contains(name)) {
            return fail(Failure::field_not_signed,
                        fmt::format("member \"{}\" is not covered by the signature (added after signing?)", name));
        }
    }
    for (const std::string& name : signed_fields) {
        if (excluded_from_signing(name)) {
            return fail(Failure::malformed_block, fmt::format("signed_fields must not list \"{}\"", name));
        }
        if (!document.contains(name)) {
            return fail(Failure::signed_field_missing, fmt::format("signed member \"{}\" was removed from the document", name));
        }
    }

    // The reader refuses duplicate names, so the members kept here are exactly the signed fields.
    const std::string canonical = json::canonicalize_members(
        document, [&signed_fields](const std::string& name) { return signed_fields.contains(name); });
    const std::string digest = crypto::sha256_tagged(canonical);
    if (digest != block["digest"].get<std::string>()) {
        return fail(Failure::digest_mismatch,
                    fmt::format("content digest mismatch: computed {}, recorded {} (the signed content was changed)",
                                digest, block["digest"].get<std::string>()));
    }

    const auto signature = crypto::from_base64(block["value"].get<std::string>());
    if (!signature || signature->size() != crypto::signature_bytes) {
        return fail(Failure::malformed_value, "/signature/value is not 64 bytes of standard base64");
    }

    // The key comes from the trust store (or --pubkey), never from the block.
    const KeySource::Resolution resolution = keys.resolve(result.key_id);
    if (!resolution.key) return fail(resolution.failure, resolution.message);
    result.warning = resolution.warning;

    if (block.contains("public_key")) {
        const std::string embedded = block["public_key"].is_string() ? block["public_key"].get<std::string>() : "";
        const auto embedded_bytes = crypto::from_hex(embedded);
        const bool same_key = embedded_bytes && std::equal(embedded_bytes->begin(), embedded_bytes->end(),
                                                           resolution.key->begin(), resolution.key->end());
        if (!same_key) {
            return fail(Failure::public_key_mismatch,
                        fmt::format("the embedded public_key {} is not the trusted key for \"{}\" ({})", embedded,
                                    result.key_id, crypto::to_hex(*resolution.key)));
        }
    }

    if (!crypto::verify(*resolution.key, canonical, *signature)) {
        return fail(Failure::bad_signature,
                    fmt::format("the ed25519 signature does not verify under key \"{}\"", result.key_id));
    }
    return result;
}

}  // namespace amp::signing
