// Who is running amp, for signature blocks and audit records.
#pragma once

#include <string>

namespace amp::cli {

// AMP_SIGNER if set, else USER@HOST, else "amp".
std::string operator_identity();

}  // namespace amp::cli
