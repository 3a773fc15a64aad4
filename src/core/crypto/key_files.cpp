#include "amp/crypto/key_files.hpp"

#include <sys/stat.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <sodium.h>

#include <algorithm>
#include <array>
#include <memory>

#include <fmt/format.h>

#include "amp/crypto/encoding.hpp"
#include "amp/diagnostics.hpp"
#include "amp/error.hpp"
#include "amp/store/files.hpp"

namespace amp::crypto {

namespace {

// Key file contents are wiped from memory as soon as they are parsed.
class WipedBuffer {
public:
    explicit WipedBuffer(std::string bytes) : bytes_(std::move(bytes)) {}
    ~WipedBuffer() { sodium_memzero(bytes_.data(), bytes_.size()); }
    WipedBuffer(const WipedBuffer&) = delete;
    WipedBuffer& operator=(const WipedBuffer&) = delete;
    const std::string& bytes() const { return bytes_; }

private:
    std::string bytes_;
};

struct BioDeleter {
    void operator()(BIO* bio) const { BIO_free(bio); }
};
struct PkeyDeleter {
    void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
using BioPtr = std::unique_ptr<BIO, BioDeleter>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyDeleter>;

bool starts_with_pem(std::string_view text) { return text.find("-----BEGIN ") != std::string_view::npos; }

// The text of a hex key file without one trailing newline, if it is exactly 64 hex digits.
std::optional<std::vector<std::uint8_t>> hex_key(std::string_view text) {
    if (!text.empty() && text.back() == '\n') text.remove_suffix(1);
    if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
    if (text.size() != 64) return std::nullopt;
    return from_hex(text);
}

// The DER prefixes of the two encodings RFC 8410 gives ed25519 keys, followed
// by the 32 key bytes: a SubjectPublicKeyInfo without parameters, and a
// version 1 PKCS#8 PrivateKeyInfo holding the seed. `openssl genpkey` and
// `amp keygen` write exactly these.
constexpr std::array<std::uint8_t, 12> spki_prefix = {0x30, 0x2a, 0x30, 0x05, 0x06, 0x03,
                                                      0x2b, 0x65, 0x70, 0x03, 0x21, 0x00};
constexpr std::array<std::uint8_t, 16> pkcs8_prefix = {0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06,
                                                       0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20};

// The 32 key bytes when `text` is exactly one PEM block with this label whose
// DER is `prefix` plus the key; nullopt for anything else. Keys in other
// forms go to OpenSSL. Reading these two forms directly keeps OpenSSL's
// decoder set-up (most of the cost of one `amp verify --pubkey`) off the
// common path.
template <std::size_t N>
std::optional<std::array<std::uint8_t, 32>> canonical_pem_key(std::string_view text, std::string_view label,
                                                              const std::array<std::uint8_t, N>& prefix) {
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.remove_suffix(1);
    const std::string begin = fmt::format("-----BEGIN {}-----", label);
    const std::string end = fmt::format("-----END {}-----", label);
    if (!text.starts_with(begin) || !text.ends_with(end) || text.size() < begin.size() + end.size()) {
        return std::nullopt;
    }

    std::string base64;
    for (const char c : text.substr(begin.size(), text.size() - begin.size() - end.size())) {
        if (c != '\n' && c != '\r') base64 += c;
    }
    auto der = from_base64(base64);
    sodium_memzero(base64.data(), base64.size());
    if (!der) return std::nullopt;

    std::optional<std::array<std::uint8_t, 32>> key;
    if (der->size() == N + 32 && std::equal(prefix.begin(), prefix.end(), der->begin())) {
        key.emplace();
        std::copy(der->begin() + N, der->end(), key->begin());
    }
    sodium_memzero(der->data(), der->size());
    return key;
}

// Refuses to read through OpenSSL's passphrase prompt: amp runs unattended.
int no_passphrase(char*, int, int, void*) { return -1; }

BioPtr memory_bio(std::string_view text) {
    BioPtr bio(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
    if (!bio) throw Error("OpenSSL cannot allocate a memory buffer");
    return bio;
}

SecretKey private_key_from_pem(std::string_view text, const std::filesystem::path& path) {
    if (text.find("ENCRYPTED") != std::string_view::npos) {
        throw Error(fmt::format("{}: encrypted private keys are not supported", path.string()),
                    {"decrypt it first: openssl pkey -in KEY -out PLAIN.key"});
    }
    if (auto seed = canonical_pem_key(text, "PRIVATE KEY", pkcs8_prefix)) {
        SecretKey secret = SecretKey::from_seed(*seed);
        sodium_memzero(seed->data(), seed->size());
        return secret;
    }

    const BioPtr bio = memory_bio(text);
    const PkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, no_passphrase, nullptr));
    if (!key) throw Error(fmt::format("{}: not a readable PEM private key", path.string()));
    if (EVP_PKEY_get_id(key.get()) != EVP_PKEY_ED25519) {
        throw Error(fmt::format("{}: the PEM private key is not ed25519 (amp signs with ed25519 only)", path.string()));
    }
    std::array<std::uint8_t, seed_bytes> seed{};
    std::size_t length = seed.size();
    if (EVP_PKEY_get_raw_private_key(key.get(), seed.data(), &length) != 1 || length != seed.size()) {
        throw Error(fmt::format("{}: cannot extract the ed25519 seed from the PEM key", path.string()));
    }
    SecretKey secret = SecretKey::from_seed(seed);
    sodium_memzero(seed.data(), seed.size());
    return secret;
}

PublicKey public_key_from_pem(std::string_view text, const std::filesystem::path& path) {
    if (const auto key = canonical_pem_key(text, "PUBLIC KEY", spki_prefix)) return *key;

    const BioPtr bio = memory_bio(text);
    const PkeyPtr key(PEM_read_bio_PUBKEY(bio.get(), nullptr, no_passphrase, nullptr));
    if (!key) {
        if (text.find("PRIVATE KEY") != std::string_view::npos) {
            throw Error(fmt::format("{}: this is a private key; give the public key file instead", path.string()));
        }
        throw Error(fmt::format("{}: not a readable PEM public key", path.string()));
    }
    if (EVP_PKEY_get_id(key.get()) != EVP_PKEY_ED25519) {
        throw Error(fmt::format("{}: the PEM public key is not ed25519", path.string()));
    }
    PublicKey public_key{};
    std::size_t length = public_key.size();
    if (EVP_PKEY_get_raw_public_key(key.get(), public_key.data(), &length) != 1 || length != public_key.size()) {
        throw Error(fmt::format("{}: cannot extract the ed25519 public key from the PEM file", path.string()));
    }
    return public_key;
}

void warn_if_readable_by_others(const std::filesystem::path& path) {
    struct stat info {};
    if (::stat(path.c_str(), &info) == 0 && (info.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
        warn(fmt::format("private key {} is accessible by group or others (mode {:04o}); run: chmod 600 {}",
                         path.string(), info.st_mode & 07777, path.string()));
    }
}

std::string pem_from(const PkeyPtr& key, bool private_part) {
    BioPtr bio(BIO_new(BIO_s_mem()));
    if (!bio) throw Error("OpenSSL cannot allocate a memory buffer");
    const int written = private_part
        ? PEM_write_bio_PrivateKey(bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr)
        : PEM_write_bio_PUBKEY(bio.get(), key.get());
    if (written != 1) throw Error("OpenSSL failed to encode a PEM key");
    char* data = nullptr;
    const long length = BIO_get_mem_data(bio.get(), &data);
    std::string pem(data, static_cast<std::size_t>(length));
    // The memory BIO held the private key in clear; wipe it before it is freed.
    if (private_part) sodium_memzero(data, static_cast<std::size_t>(length));
    return pem;
}

}  // namespace

SecretKey load_private_key(const std::filesystem::path& path) {
    const WipedBuffer contents(store::read_file(path));
    const std::string& bytes = contents.bytes();
    warn_if_readable_by_others(path);

    if (starts_with_pem(bytes)) return private_key_from_pem(bytes, path);

    if (auto seed = hex_key(bytes)) {
        SecretKey key = SecretKey::from_seed(*seed);
        sodium_memzero(seed->data(), seed->size());
        return key;
    }
    const auto* raw = reinterpret_cast<const std::uint8_t*>(bytes.data());
    if (bytes.size() == seed_bytes) return SecretKey::from_seed({raw, seed_bytes});
    if (bytes.size() == seed_bytes + public_key_bytes) {
        SecretKey key = SecretKey::from_seed({raw, seed_bytes});
        if (!std::equal(key.public_key().begin(), key.public_key().end(), raw + seed_bytes)) {
            throw Error(fmt::format("{}: the public half of this 64-byte key does not match its seed; the file is corrupt",
                                    path.string()));
        }
        return key;
    }
    throw Error(fmt::format("{}: not an ed25519 private key ({} bytes); expected a 32-byte seed, a 64-byte "
                            "seed and public key, 64 hex characters, or a PEM PKCS#8 key",
                            path.string(), bytes.size()));
}

PublicKey load_public_key(const std::filesystem::path& path) {
    const std::string bytes = store::read_file(path);
    if (starts_with_pem(bytes)) return public_key_from_pem(bytes, path);

    if (const auto decoded = hex_key(bytes)) {
        PublicKey key{};
        std::copy(decoded->begin(), decoded->end(), key.begin());
        return key;
    }
    if (bytes.size() == public_key_bytes) {
        PublicKey key{};
        std::copy(bytes.begin(), bytes.end(), key.begin());
        return key;
    }
    throw Error(fmt::format("{}: not an ed25519 public key ({} bytes); expected 32 raw bytes, 64 hex "
                            "characters, or a PEM public key",
                            path.string(), bytes.size()));
}

PublicKey parse_public_key_hex(std::string_view hex, std::string_view context) {
    const auto decoded = hex.size() == 64 ? from_hex(hex) : std::nullopt;
    if (!decoded) throw Error(fmt::format("{}: public key must be 64 hex characters", context));
    PublicKey key{};
    std::copy(decoded->begin(), decoded->end(), key.begin());
    return key;
}

std::string private_key_pem(const SecretKey& key) {
    const auto seed = key.seed();
    const PkeyPtr pkey(EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, seed.data(), seed.size()));
    if (!pkey) throw Error("OpenSSL cannot build an ed25519 private key");
    return pem_from(pkey, true);
}

std::string public_key_pem(const PublicKey& key) {
    const PkeyPtr pkey(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, key.data(), key.size()));
    if (!pkey) throw Error("OpenSSL cannot build an ed25519 public key");
    return pem_from(pkey, false);
}

}  // namespace amp::crypto
