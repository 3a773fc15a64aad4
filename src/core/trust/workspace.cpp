#include "amp/trust/workspace.hpp"

#include <cstdlib>

#include <fmt/format.h>

#include "amp/error.hpp"
#include "amp/json/reader.hpp"

namespace amp::trust {

namespace fs = std::filesystem;

namespace {

const char* environment(const char* name) {
    const char* value = std::getenv(name);
    return value != nullptr && *value != '\0' ? value : nullptr;
}

bool read_flag(const Json& object, const char* name, const fs::path& source) {
    if (!object.contains(name)) return false;
    if (!object[name].is_boolean()) {
        throw Error(fmt::format("{}: /policy/{} must be true or false", source.string(), name));
    }
    return object[name].get<bool>();
}

}  // namespace

std::optional<Workspace> Workspace::find(const fs::path& start) {
    std::error_code error;
    fs::path directory = fs::absolute(start, error);
    if (error) return std::nullopt;
    if (!fs::is_directory(directory, error)) directory = directory.parent_path();
    directory = directory.lexically_normal();

    while (true) {
        if (fs::is_directory(directory / ".ampersona", error)) return Workspace(directory);
        const fs::path parent = directory.parent_path();
        if (parent == directory || parent.empty()) return std::nullopt;
        directory = parent;
    }
}

Workspace Workspace::at(const fs::path& root) {
    return Workspace(fs::absolute(root).lexically_normal());
}

Json Workspace::config() const {
    std::error_code error;
    if (!fs::exists(config_path(), error)) return Json::object();
    Json config = json::read_file(config_path());
    if (!config.is_object()) throw Error(fmt::format("{}: must be a JSON object", config_path().string()));
    return config;
}

std::optional<SigningConfig> signing_from_environment() {
    const char* key = environment("AMP_SIGNING_KEY");
    if (key == nullptr) return std::nullopt;
    const char* key_id = environment("AMP_KEY_ID");
    if (key_id == nullptr) {
        throw Error("AMP_SIGNING_KEY is set but AMP_KEY_ID is not",
                    {"export AMP_KEY_ID=<the key_id of that key in the trust store>"});
    }
    return SigningConfig{fs::absolute(key), key_id, "AMP_SIGNING_KEY"};
}

std::optional<SigningConfig> Workspace::signing() const {
    if (auto from_environment = signing_from_environment()) return from_environment;

    const Json settings = config();
    if (!settings.contains("signing")) return std::nullopt;
    const Json& signing = settings["signing"];
    if (!signing.is_object() || !signing.contains("key") || !signing["key"].is_string()) {
        throw Error(fmt::format("{}: /signing/key must be the path of a private key file", config_path().string()));
    }
    if (!signing.contains("key_id") || !signing["key_id"].is_string() || signing["key_id"].get<std::string>().empty()) {
        throw Error(fmt::format("{}: /signing/key_id must name the key's entry in the trust store", config_path().string()));
    }
    fs::path key = signing["key"].get<std::string>();
    if (key.is_relative()) key = root_ / key;
    return SigningConfig{key, signing["key_id"].get<std::string>(), config_path().string()};
}

Policy Workspace::policy() const {
    const Json settings = config();
    Policy policy;
    if (!settings.contains("policy")) return policy;
    const Json& object = settings["policy"];
    if (!object.is_object()) throw Error(fmt::format("{}: /policy must be an object", config_path().string()));
    policy.require_signed_personas = read_flag(object, "require_signed_personas", config_path());
    policy.require_signed_state = read_flag(object, "require_signed_state", config_path());
    return policy;
}

}  // namespace amp::trust
