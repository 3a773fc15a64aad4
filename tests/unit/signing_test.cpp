#include <catch2/catch.hpp>

#include "amp/clock.hpp"
#include "amp/crypto/encoding.hpp"
#include "amp/crypto/key_files.hpp"
#include "amp/json/canonical.hpp"
#include "amp/signing/signature.hpp"

#include <unistd.h>

using namespace amp;
using namespace amp::signing;

namespace {

const std::string signed_dir = std::string(AMP_SHARED_DIR) + "/conformance/signed/";

Json sample_document() {
    return Json::parse(R"({"$schema": "x", "version": "1.0", "name": "Agent", "role": "Tester", "n": 1.5})");
}

Json sign_with(const crypto::SecretKey& key, Json document = sample_document()) {
    return sign_document(document, SignRequest{key, "k1", "ops@example.org", *parse_time("2026-04-01T09:00:00Z")});
}

}  // namespace

TEST_CASE("signed document verifies and has the documented block", "[signing]") {
    const auto key = crypto::load_private_key(signed_dir + "test-k1.key");
    const Json signed_document = sign_with(key);

    const Json& block = signed_document["signature"];
    CHECK(block["algorithm"] == "ed25519");
    CHECK(block["canonicalization"] == "JCS-RFC8785");
    CHECK(block["signed_fields"] == Json::parse(R"(["version","name","role","n"])"));
    CHECK(block["created_at"] == "2026-04-01T09:00:00Z");
    CHECK(block["public_key"] == crypto::to_hex(key.public_key()));
    CHECK(signed_document.begin().key() == "$schema");  // member order is kept, signature goes last
    CHECK((--signed_document.end()).key() == "signature");

    const Verification result = verify_document(signed_document, KeySource::pinned(key.public_key()));
    CHECK(result.valid());
    CHECK(result.key_id == "k1");
    CHECK(result.signer == "ops@example.org");
}

TEST_CASE("re-signing replaces the whole block", "[signing]") {
    const auto key = crypto::load_private_key(signed_dir + "test-k1.key");
    Json twice = sign_with(key, sign_with(key));
    CHECK(twice["signature"]["signed_fields"].size() == 4);
    CHECK(verify_document(twice, KeySource::pinned(key.public_key())).valid());
}

TEST_CASE("each kind of damage gives its own failure", "[signing]") {
    const auto key = crypto::load_private_key(signed_dir + "test-k1.key");
    const auto other = crypto::SecretKey::generate();
    const Json good = sign_with(key);
    const KeySource pinned = KeySource::pinned(key.public_key());

    SECTION("no block") { CHECK(verify_document(sample_document(), pinned).failure == Failure::no_signature); }
    SECTION("schema uri may change") {
        Json document = good;
        document["$schema"] = "https://example.org/other";
        CHECK(verify_document(document, pinned).valid());
    }
    SECTION("member added after signing") {
        Json document = good;
        document["authority"] = Json::object();
        CHECK(verify_document(document, pinned).failure == Failure::field_not_signed);
    }
    SECTION("signed member removed") {
        Json document = good;
        document.erase("role");
        CHECK(verify_document(document, pinned).failure == Failure::signed_field_missing);
    }
    SECTION("content changed") {
        Json document = good;
        document["role"] = "Intruder";
        const Verification result = verify_document(document, pinned);
        CHECK(result.failure == Failure::digest_mismatch);
        CHECK_THAT(result.message, Catch::Contains("computed sha256:") && Catch::Contains("recorded sha256:"));
    }
    SECTION("algorithm") {
        Json document = good;
        document["signature"]["algorithm"] = "rsa";
        CHECK(verify_document(document, pinned).failure == Failure::unsupported_algorithm);
    }
    SECTION("canonicalization") {
        Json document = good;
        document["signature"]["canonicalization"] = "none";
        CHECK(verify_document(document, pinned).failure == Failure::unsupported_canonicalization);
    }
    SECTION("value not 64 bytes") {
        Json document = good;
        document["signature"]["value"] = "AAAA";
        CHECK(verify_document(document, pinned).failure == Failure::malformed_value);
    }
    SECTION("embedded key differs from the trusted key") {
        Json document = good;
        document["signature"]["public_key"] = crypto::to_hex(other.public_key());
        CHECK(verify_document(document, pinned).failure == Failure::public_key_mismatch);
    }
    SECTION("wrong key") {
        Json document = good;
        document["signature"].erase("public_key");
        CHECK(verify_document(document, KeySource::pinned(other.public_key())).failure == Failure::bad_signature);
    }
    SECTION("signature over other bytes") {
        Json document = good;
        Json forged = sign_with(other);
        document["signature"]["value"] = forged["signature"]["value"];
        CHECK(verify_document(document, pinned).failure == Failure::bad_signature);
    }
    SECTION("block not an object") {
        Json document = good;
        document["signature"] = "yes";
        CHECK(verify_document(document, pinned).failure == Failure::malformed_block);
    }
}

TEST_CASE("trust store statuses decide verification", "[signing]") {
    const auto key = crypto::load_private_key(signed_dir + "test-k1.key");
    const Json good = sign_with(key);
    const std::string path = std::string("/nonexistent-amp-trust-") + std::to_string(::getpid()) + ".json";
    auto store = trust::TrustStore::load_or_create(path);
    const TimePoint t0 = *parse_time("2026-01-01T00:00:00Z");

    CHECK(verify_document(good, KeySource::trust_store(store, t0)).failure == Failure::unknown_key);

    store.add("k1", key.public_key(), t0);
    CHECK(verify_document(good, KeySource::trust_store(store, t0)).valid());

    store.retire("k1", t0, std::chrono::hours(24));
    const Verification in_grace = verify_document(good, KeySource::trust_store(store, t0 + std::chrono::hours(23)));
    CHECK(in_grace.valid());
    REQUIRE(in_grace.warning.has_value());
    CHECK_THAT(*in_grace.warning, Catch::Contains("2026-01-02T00:00:00Z"));
    const Verification after = verify_document(good, KeySource::trust_store(store, t0 + std::chrono::hours(25)));
    CHECK(after.failure == Failure::untrusted_key);

    store.revoke("k1", "IR-1", t0);
    const Verification revoked = verify_document(good, KeySource::trust_store(store, t0));
    CHECK(revoked.failure == Failure::untrusted_key);
    CHECK_THAT(revoked.message, Catch::Contains("IR-1"));
    CHECK_THROWS_WITH(store.add("k2", key.public_key(), t0), Catch::Contains("already in the trust store"));
}
