#include <catch2/catch.hpp>

#include "amp/crypto/encoding.hpp"
#include "amp/crypto/sha256.hpp"

using namespace amp::crypto;

namespace {
std::vector<std::uint8_t> bytes_of(std::string_view text) { return {text.begin(), text.end()}; }
}  // namespace

TEST_CASE("base64 round trips RFC 4648 vectors", "[encoding]") {
    const std::vector<std::pair<std::string, std::string>> vectors = {
        {"", ""}, {"f", "Zg=="}, {"fo", "Zm8="}, {"foo", "Zm9v"},
        {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"}};
    for (const auto& [plain, encoded] : vectors) {
        CHECK(to_base64(bytes_of(plain)) == encoded);
        const auto decoded = from_base64(encoded);
        REQUIRE(decoded.has_value());
        CHECK(*decoded == bytes_of(plain));
    }
}

TEST_CASE("base64 rejects malformed text", "[encoding]") {
    CHECK_FALSE(from_base64("Zg=").has_value());
    CHECK_FALSE(from_base64("Zg=a").has_value());
    CHECK_FALSE(from_base64("Z===").has_value());
    CHECK_FALSE(from_base64("Zh==").has_value());  // bits under the padding
    CHECK_FALSE(from_base64("Zm9v!A==").has_value());
    CHECK_FALSE(from_base64("Zm9v\n").has_value());
}

TEST_CASE("hex decodes either case and rejects odd input", "[encoding]") {
    CHECK(from_hex("00fFaB") == std::optional(std::vector<std::uint8_t>{0x00, 0xff, 0xab}));
    CHECK_FALSE(from_hex("abc").has_value());
    CHECK_FALSE(from_hex("zz").has_value());
    CHECK(to_hex(std::vector<std::uint8_t>{0x00, 0xff, 0x10}) == "00ff10");
}

TEST_CASE("sha256 of known inputs", "[sha256]") {
    CHECK(sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    CHECK(sha256_tagged("abc") == "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    Sha256Stream stream;
    stream.update("a");
    stream.update("bc");
    CHECK(to_hex(stream.finish()) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}
