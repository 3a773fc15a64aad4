#include "amp/persona/paths.hpp"

#include <algorithm>
#include <array>
#include <utility>

namespace amp::persona {

namespace fs = std::filesystem;

namespace {

// Longest suffixes first, so "x.state.json" is a state file and not a persona "x.state".
constexpr std::array<std::pair<std::string_view, FileKind>, 9> suffixes{{
    {".authority_overlay.json", FileKind::overlay},
    {".integrity.json", FileKind::integrity},
    {".state.json", FileKind::state},
    {".state.lock", FileKind::lock},
    {".audit.jsonl", FileKind::audit},
    {".drift.jsonl", FileKind::drift},
    {".audit.torn", FileKind::audit_torn},
    {".drift.torn", FileKind::drift_torn},
    {".json", FileKind::persona},
}};

}  // namespace

std::optional<FileKind> classify(const fs::path& path) {
    const std::string name = path.filename().string();
    for (const auto& [suffix, kind] : suffixes) {
        if (name.size() > suffix.size() && name.ends_with(suffix)) return kind;
    }
    return std::nullopt;
}

PersonaPaths resolve(const fs::path& path) {
    const std::string name = path.filename().string();
    for (const auto& [suffix, kind] : suffixes) {
        if (name.size() > suffix.size() && name.ends_with(suffix)) {
            return {path.parent_path(), name.substr(0, name.size() - suffix.size())};
        }
    }
    // Not a known companion name: take it as the persona file itself.
    return {path.parent_path(), path.stem().string()};
}

std::vector<PersonaPaths> resolve_unique(const std::vector<fs::path>& paths) {
    // Compared by absolute location, so "a.json" and "./a.state.json" are one persona,
    // while each keeps the spelling the operator used for messages.
    std::vector<PersonaPaths> personas;
    std::vector<fs::path> seen;
    for (const fs::path& path : paths) {
        PersonaPaths persona = resolve(path);
        const fs::path location = fs::absolute(persona.persona()).lexically_normal();
        if (std::find(seen.begin(), seen.end(), location) != seen.end()) continue;
        seen.push_back(location);
        personas.push_back(std::move(persona));
    }
    return personas;
}

}  // namespace amp::persona
