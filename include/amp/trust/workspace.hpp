// The workspace: the nearest directory, from a persona's own directory
// upwards, that contains `.ampersona/`. It holds the trust store, workspace
// defaults and settings (signing key, signature policy).
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "amp/json/value.hpp"

namespace amp::trust {

struct SigningConfig {
    std::filesystem::path key;  // absolute; relative paths in config.json are resolved against the workspace root
    std::string key_id;
    std::string origin;  // where the setting came from, for messages: "AMP_SIGNING_KEY" or the config.json path
};

struct Policy {
    bool require_signed_personas = false;
    bool require_signed_state = false;
};

class Workspace {
public:
    // Walks up from `start` (a directory, or a file whose directory is used).
    static std::optional<Workspace> find(const std::filesystem::path& start);

    // A workspace rooted at `root`, whether or not `.ampersona/` exists yet.
    static Workspace at(const std::filesystem::path& root);

    const std::filesystem::path& root() const noexcept { return root_; }
    std::filesystem::path directory() const { return root_ / ".ampersona"; }
    std::filesystem::path trust_store_path() const { return directory() / "trust.json"; }
    std::filesystem::path config_path() const { return directory() / "config.json"; }
    std::filesystem::path defaults_path() const { return directory() / "defaults.json"; }

    // The signing key from AMP_SIGNING_KEY / AMP_KEY_ID, else from config.json.
    // Throws amp::Error when config.json is invalid or names a key without a key_id.
    std::optional<SigningConfig> signing() const;

    Policy policy() const;

private:
    explicit Workspace(std::filesystem::path root) : root_(std::move(root)) {}
    Json config() const;
    std::filesystem::path root_;
};

// The signing key configured by the environment alone, for commands run outside any workspace.
std::optional<SigningConfig> signing_from_environment();

}  // namespace amp::trust
