#include "amp/crypto/sha256.hpp"

#include <openssl/evp.h>

#include "amp/crypto/encoding.hpp"
#include "amp/error.hpp"

namespace amp::crypto {

namespace {

EVP_MD_CTX* as_context(void* context) { return static_cast<EVP_MD_CTX*>(context); }

}  // namespace

Sha256Stream::Sha256Stream() : context_(EVP_MD_CTX_new()) {
    if (context_ == nullptr || EVP_DigestInit_ex(as_context(context_), EVP_sha256(), nullptr) != 1) {
        EVP_MD_CTX_free(as_context(context_));
        throw Error("OpenSSL failed to initialise SHA-256");
    }
}

Sha256Stream::~Sha256Stream() { EVP_MD_CTX_free(as_context(context_)); }

void Sha256Stream::update(std::string_view bytes) {
    if (EVP_DigestUpdate(as_context(context_), bytes.data(), bytes.size()) != 1) {
        throw Error("OpenSSL SHA-256 update failed");
    }
}

Sha256Digest Sha256Stream::finish() {
    Sha256Digest digest{};
    unsigned int length = 0;
    if (EVP_DigestFinal_ex(as_context(context_), digest.data(), &length) != 1 || length != digest.size()) {
        throw Error("OpenSSL SHA-256 finalisation failed");
    }
    return digest;
}

Sha256Digest sha256(std::string_view bytes) {
    Sha256Digest digest{};
    unsigned int length = 0;
    if (EVP_Digest(bytes.data(), bytes.size(), digest.data(), &length, EVP_sha256(), nullptr) != 1) {
        throw Error("OpenSSL SHA-256 failed");
    }
    return digest;
}

std::string sha256_hex(std::string_view bytes) { return to_hex(sha256(bytes)); }

std::string sha256_tagged(std::string_view bytes) { return "sha256:" + sha256_hex(bytes); }

}  // namespace amp::crypto
