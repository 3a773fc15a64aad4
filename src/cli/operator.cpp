#include "operator.hpp"

#include <unistd.h>

#include <array>
#include <cstdlib>

namespace amp::cli {

std::string operator_identity() {
    if (const char* signer = std::getenv("AMP_SIGNER"); signer != nullptr && *signer != '\0') return signer;

    const char* user = std::getenv("USER");
    if (user == nullptr || *user == '\0') return "amp";
    std::array<char, 256> host{};
    if (::gethostname(host.data(), host.size() - 1) != 0 || host[0] == '\0') return user;
    return std::string(user) + "@" + host.data();
}

}  // namespace amp::cli
