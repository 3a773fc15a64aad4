// The signature part of `amp check`: codes E090-E099 and W090-W099.
#pragma once

#include <filesystem>

#include "amp/clock.hpp"
#include "amp/persona/check.hpp"
#include "amp/signing/document_files.hpp"

namespace amp::persona {

// Adds the signature status of `document` to `report`:
// W090 unsigned; W091 signed, but no trust store to check it against;
// W092 valid, but by a retired key inside its grace period;
// E090 signature present and invalid (the message says which check failed).
void append_signature_status(CheckReport& report, const Json& document, const std::filesystem::path& file,
                             signing::TrustStores& stores, TimePoint now);

}  // namespace amp::persona
