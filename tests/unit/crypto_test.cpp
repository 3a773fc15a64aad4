#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include "amp/crypto/ed25519.hpp"
#include "amp/crypto/encoding.hpp"
#include "amp/crypto/key_files.hpp"
#include "amp/error.hpp"

using namespace amp::crypto;

namespace {

std::string bytes_from_hex(const std::string& hex) {
    if (hex == "-") return {};
    const auto bytes = from_hex(hex);
    REQUIRE(bytes.has_value());
    return {bytes->begin(), bytes->end()};
}

const std::string signed_dir = std::string(AMP_SHARED_DIR) + "/conformance/signed/";

}  // namespace

TEST_CASE("ed25519 matches every RFC 8032 vector", "[crypto]") {
    std::ifstream vectors(std::string(AMP_SHARED_DIR) + "/conformance/ed25519/rfc8032-vectors.txt");
    REQUIRE(vectors.good());
    std::string line;
    int checked = 0;
    while (std::getline(vectors, line)) {
        if (line.empty() || line[0] == '#') continue;
        std::istringstream fields(line);
        std::string seed_hex, public_hex, message_hex, signature_hex;
        fields >> seed_hex >> public_hex >> message_hex >> signature_hex;

        const std::string seed = bytes_from_hex(seed_hex);
        const SecretKey key = SecretKey::from_seed({reinterpret_cast<const std::uint8_t*>(seed.data()), seed.size()});
        CHECK(to_hex(key.public_key()) == public_hex);

        const std::string message = bytes_from_hex(message_hex);
        const Signature signature = key.sign(message);
        CHECK(to_hex(signature) == signature_hex);
        CHECK(verify(key.public_key(), message, signature));

        Signature tampered = signature;
        tampered[10] ^= 0x01;
        CHECK_FALSE(verify(key.public_key(), message, tampered));
        ++checked;
    }
    CHECK(checked == 3);
}

TEST_CASE("test key loads identically from every private form", "[crypto]") {
    const std::string expected = "5a3cc7c2b4593c148f961cb33e5003003656bdd73ef8bdc017879b7d76267bda";
    for (const char* name : {"test-k1.key", "test-k1.key.pem", "test-k1.seed.hex"}) {
        CAPTURE(name);
        CHECK(to_hex(load_private_key(signed_dir + name).public_key()) == expected);
    }
    for (const char* name : {"test-k1.pub", "test-k1.pub.pem", "test-k1.pub.hex"}) {
        CAPTURE(name);
        CHECK(to_hex(load_public_key(signed_dir + name)) == expected);
    }
}

TEST_CASE("PEM encoding round trips", "[crypto]") {
    const SecretKey key = SecretKey::generate();
    const std::string pem = private_key_pem(key);
    CHECK(pem.rfind("-----BEGIN PRIVATE KEY-----\n", 0) == 0);
    CHECK(public_key_pem(key.public_key()).rfind("-----BEGIN PUBLIC KEY-----\n", 0) == 0);
}

TEST_CASE("malformed key files are refused naming the file", "[crypto]") {
    CHECK_THROWS_WITH(load_public_key(signed_dir + "README.md"), Catch::Contains("README.md") && Catch::Contains("not an ed25519 public key"));
    CHECK_THROWS_WITH(load_private_key(signed_dir + "missing.key"), Catch::Contains("missing.key"));
    CHECK_THROWS_WITH(parse_public_key_hex("abcd", "/keys/0/public_key"), Catch::Contains("/keys/0/public_key"));
}
