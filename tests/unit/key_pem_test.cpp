// PEM key files: the two canonical RFC 8410 forms are read directly, every
// other form goes through OpenSSL. Both paths must agree, and neither may
// take a key of another algorithm for an ed25519 key.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "amp/crypto/ed25519.hpp"
#include "amp/crypto/encoding.hpp"
#include "amp/crypto/key_files.hpp"
#include "amp/error.hpp"

using namespace amp::crypto;
namespace fs = std::filesystem;

namespace {

class KeyDirectory {
public:
    KeyDirectory() : path_(fs::temp_directory_path() / ("amp-key-pem-" + std::to_string(::getpid()))) {
        fs::create_directories(path_);
    }
    ~KeyDirectory() { fs::remove_all(path_); }

    fs::path write(const std::string& name, const std::string& contents) const {
        const fs::path file = path_ / name;
        std::ofstream(file, std::ios::binary) << contents;
        fs::permissions(file, fs::perms::owner_read | fs::perms::owner_write);
        return file;
    }

private:
    fs::path path_;
};

std::vector<std::uint8_t> der_from_hex(const std::string& hex) {
    const auto bytes = from_hex(hex);
    REQUIRE(bytes.has_value());
    return *bytes;
}

// Wraps DER in a PEM block with 64-character lines and the given line end.
std::string pem(const std::string& label, const std::vector<std::uint8_t>& der, const std::string& line_end = "\n") {
    const std::string body = to_base64(der);
    std::string text = "-----BEGIN " + label + "-----" + line_end;
    for (std::size_t i = 0; i < body.size(); i += 64) text += body.substr(i, 64) + line_end;
    return text + "-----END " + label + "-----" + line_end;
}

// The RFC 8032 test 1 key: seed and public key.
const std::string seed_hex = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
const std::string public_hex = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";

}  // namespace

TEST_CASE("canonical PEM keys load with LF or CRLF line ends", "[crypto][pem]") {
    const KeyDirectory directory;
    const auto private_der = der_from_hex("302e020100300506032b657004220420" + seed_hex);
    const auto public_der = der_from_hex("302a300506032b6570032100" + public_hex);

    for (const std::string line_end : {"\n", "\r\n"}) {
        CAPTURE(line_end.size());
        CHECK(to_hex(load_private_key(directory.write("k.pem", pem("PRIVATE KEY", private_der, line_end))).public_key()) ==
              public_hex);
        CHECK(to_hex(load_public_key(directory.write("k.pub", pem("PUBLIC KEY", public_der, line_end)))) == public_hex);
    }
}

TEST_CASE("a PKCS#8 version 2 key is refused naming the file", "[crypto][pem]") {
    const KeyDirectory directory;
    // OneAsymmetricKey (RFC 5958) version 2, with the [1] public key member:
    // not the canonical form, and OpenSSL 3.0 cannot decode it for ed25519.
    const auto der = der_from_hex("3051020101300506032b657004220420" + seed_hex + "812100" + public_hex);
    CHECK_THROWS_WITH(load_private_key(directory.write("v2.pem", pem("PRIVATE KEY", der))),
                      Catch::Contains("v2.pem") && Catch::Contains("not a readable PEM private key"));
}

TEST_CASE("text before the PEM block goes through OpenSSL to the same key", "[crypto][pem]") {
    const KeyDirectory directory;
    const auto public_der = der_from_hex("302a300506032b6570032100" + public_hex);
    const fs::path file = directory.write("commented.pub", "key for the release bot\n" + pem("PUBLIC KEY", public_der));
    CHECK(to_hex(load_public_key(file)) == public_hex);
}

TEST_CASE("an X25519 key in the canonical PEM shape is not taken for ed25519", "[crypto][pem]") {
    const KeyDirectory directory;
    // Same lengths as the ed25519 forms, OID 1.3.101.110 instead of 1.3.101.112.
    const auto public_der = der_from_hex("302a300506032b656e032100" + public_hex);
    const auto private_der = der_from_hex("302e020100300506032b656e04220420" + seed_hex);
    CHECK_THROWS_WITH(load_public_key(directory.write("x.pub", pem("PUBLIC KEY", public_der))),
                      Catch::Contains("x.pub") && Catch::Contains("not ed25519"));
    CHECK_THROWS_WITH(load_private_key(directory.write("x.pem", pem("PRIVATE KEY", private_der))),
                      Catch::Contains("x.pem") && Catch::Contains("not ed25519"));
}

TEST_CASE("keys amp writes load back through the direct path", "[crypto][pem]") {
    const KeyDirectory directory;
    const SecretKey key = SecretKey::generate();
    const SecretKey loaded = load_private_key(directory.write("new.key", private_key_pem(key)));
    CHECK(to_hex(loaded.seed()) == to_hex(key.seed()));
    CHECK(to_hex(load_public_key(directory.write("new.pub", public_key_pem(key.public_key())))) ==
          to_hex(key.public_key()));
}
