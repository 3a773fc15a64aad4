// A persona's companion files, found from any one of their paths.
//
// A persona lives in DIR/STEM.json; its state, lock, audit log, drift
// ledger, integrity snapshot and the older overlay sidecar share the stem.
// Any of these paths names the persona, so `amp audit personas/*.json`
// handles each persona once even though the glob also matches state and
// integrity files.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace amp::persona {

enum class FileKind { persona, state, lock, audit, drift, integrity, overlay, audit_torn, drift_torn };

struct PersonaPaths {
    std::filesystem::path directory;
    std::string stem;

    std::filesystem::path persona() const { return directory / (stem + ".json"); }
    std::filesystem::path state() const { return directory / (stem + ".state.json"); }
    std::filesystem::path lock() const { return directory / (stem + ".state.lock"); }
    std::filesystem::path audit() const { return directory / (stem + ".audit.jsonl"); }
    std::filesystem::path drift() const { return directory / (stem + ".drift.jsonl"); }
    std::filesystem::path integrity() const { return directory / (stem + ".integrity.json"); }
    std::filesystem::path overlay() const { return directory / (stem + ".authority_overlay.json"); }
    std::filesystem::path audit_torn() const { return directory / (stem + ".audit.torn"); }
    std::filesystem::path drift_torn() const { return directory / (stem + ".drift.torn"); }

    bool operator==(const PersonaPaths&) const = default;
};

// The kind of companion `path` is by its name; a plain `.json` is a persona.
// Returns nullopt for names that are no companion at all.
std::optional<FileKind> classify(const std::filesystem::path& path);

// The persona that `path` (any companion) belongs to.
PersonaPaths resolve(const std::filesystem::path& path);

// The personas named by `paths`, each once, in order of first mention.
std::vector<PersonaPaths> resolve_unique(const std::vector<std::filesystem::path>& paths);

}  // namespace amp::persona
