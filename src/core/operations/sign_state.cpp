#include "amp/operations/sign_state.hpp"

#include <filesystem>

#include "amp/audit/chain_verify.hpp"
#include "amp/audit/entry_time.hpp"
#include "amp/audit/integrity.hpp"
#include "amp/error.hpp"
#include "amp/signing/document_files.hpp"
#include "amp/store/file_lock.hpp"

namespace amp::operations {

namespace fs = std::filesystem;

SignStateResult sign_state(const persona::PersonaPaths& paths, const crypto::SecretKey& key, const std::string& key_id,
                           const std::string& signer, TimePoint now) {
    const store::FileLock lock = store::FileLock::acquire(paths.lock(), store::default_lock_timeout());
    signing::sign_file(paths.state(), signing::SignRequest{key, key_id, signer, now});

    SignStateResult result;
    if (!fs::exists(paths.audit())) return result;

    std::vector<audit::AcknowledgedBreak> breaks;
    if (fs::exists(paths.integrity())) breaks = audit::acknowledged_breaks(signing::load_document(paths.integrity()));
    audit::VerifyOptions options;
    for (const audit::AcknowledgedBreak& entry : breaks) options.acknowledged_breaks.push_back(audit::link_of(entry));
    const audit::ChainReport report = audit::verify_chain(paths.audit(), options);
    // A torn final line alone is repaired by the checkpoint's own append.
    if (report.first_damage && report.first_damage->kind != audit::DamageKind::torn_final_line) {
        result.break_message = report.first_damage->message;
        result.break_entry = report.first_damage->index;
        return result;
    }
    try {
        audit::write_checkpoint(paths, {}, audit::SnapshotSigner{key, key_id, signer},
                                audit::next_entry_time(paths.audit(), now));
        result.snapshot_refreshed = true;
    } catch (const Error& error) {
        if (error.code() != ExitCode::negative) throw;
        result.break_message = error.what();
    }
    return result;
}

}  // namespace amp::operations
