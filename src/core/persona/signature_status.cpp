#include "amp/persona/signature_status.hpp"

#include <fmt/format.h>

#include "amp/error.hpp"
#include "amp/signing/signature.hpp"

namespace amp::persona {

void append_signature_status(CheckReport& report, const Json& document, const std::filesystem::path& file,
                             signing::TrustStores& stores, TimePoint now) {
    if (!signing::is_signed(document)) {
        report.diagnostics.push_back({"W090", Severity::warning, "", "the persona is not signed; sign it with: amp sign FILE --key KEY"});
        return;
    }

    const trust::TrustStore* store = nullptr;
    try {
        store = &stores.for_file(file);
    } catch (const Error& error) {
        report.diagnostics.push_back(
            {"W091", Severity::warning, "/signature", fmt::format("the signature was not checked: {}", error.what())});
        return;
    }

    const signing::Verification verification =
        signing::verify_document(document, signing::KeySource::trust_store(*store, now));
    if (!verification.valid()) {
        report.diagnostics.push_back({"E090", Severity::error, "/signature",
                                      fmt::format("invalid signature ({}): {}", signing::to_string(verification.failure),
                                                  verification.message)});
    } else if (verification.warning) {
        report.diagnostics.push_back({"W092", Severity::warning, "/signature", *verification.warning});
    }
}

}  // namespace amp::persona
