#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "amp/error.hpp"
#include "amp/store/files.hpp"

#include "temp_dir.hpp"

namespace fs = std::filesystem;
using amp::store::create_new_file;
using amp::store::read_file;
using amp::store::replace_file;

namespace {

using amp::testing::TempDir;

void write_bytes(const fs::path& path, const std::string& bytes) {
    std::ofstream out(path, std::ios::binary);
    out << bytes;
    REQUIRE(out.good());
}

mode_t mode_of(const fs::path& path) {
    struct stat status {};
    REQUIRE(::stat(path.c_str(), &status) == 0);
    return status.st_mode & 07777;
}

std::vector<std::string> names_in(const fs::path& directory) {
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(directory)) names.push_back(entry.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
}

// Sets the process umask for one scope, so mode checks do not depend on the caller's.
class UmaskScope {
public:
    explicit UmaskScope(mode_t mask) : previous_(::umask(mask)) {}
    ~UmaskScope() { ::umask(previous_); }

private:
    mode_t previous_;
};

std::string error_message_of(const std::function<void()>& action) {
    try {
        action();
    } catch (const amp::Error& error) {
        return error.what();
    }
    FAIL("expected amp::Error");
    return {};
}

}  // namespace

TEST_CASE("read_file returns the exact bytes", "[store]") {
    TempDir dir;
    const std::string bytes("line one\n\0binary\xff\r\n", 19);
    write_bytes(dir / "data.bin", bytes);

    CHECK(read_file(dir / "data.bin") == bytes);
}

TEST_CASE("read_file names a missing file", "[store]") {
    TempDir dir;
    const std::string message = error_message_of([&] { read_file(dir / "absent.json"); });

    CHECK_THAT(message, Catch::Contains((dir / "absent.json").string()));
    CHECK_THAT(message, Catch::Contains("No such file or directory"));
}

TEST_CASE("read_file rejects a directory", "[store]") {
    TempDir dir;
    const std::string message = error_message_of([&] { read_file(dir.path()); });

    CHECK_THAT(message, Catch::Contains(dir.path().string()));
    CHECK_THAT(message, Catch::Contains("directory"));
}

TEST_CASE("replace_file writes new contents and keeps the mode", "[store]") {
    TempDir dir;
    const UmaskScope umask_scope(022);
    const fs::path target = dir / "agent.state.json";
    write_bytes(target, "old contents\n");
    REQUIRE(::chmod(target.c_str(), 0664) == 0);

    replace_file(target, "new contents\n");

    CHECK(read_file(target) == "new contents\n");
    CHECK(mode_of(target) == 0664);
    CHECK(names_in(dir.path()) == std::vector<std::string>{"agent.state.json"});
}

TEST_CASE("replace_file gives a new file mode_for_new", "[store]") {
    TempDir dir;
    const UmaskScope umask_scope(022);
    const fs::path target = dir / "trust.json";

    replace_file(target, "{}\n", 0600);
    CHECK(read_file(target) == "{}\n");
    CHECK(mode_of(target) == 0600);

    replace_file(dir / "persona.json", "{}\n");
    CHECK(mode_of(dir / "persona.json") == 0644);
    CHECK(names_in(dir.path()) == std::vector<std::string>{"persona.json", "trust.json"});
}

TEST_CASE("replace_file writes empty and large contents", "[store]") {
    TempDir dir;
    const std::string large(3 * 1024 * 1024 + 17, 'x');

    replace_file(dir / "large.bin", large);
    CHECK(read_file(dir / "large.bin") == large);

    replace_file(dir / "large.bin", "");
    CHECK(read_file(dir / "large.bin").empty());
    CHECK(names_in(dir.path()) == std::vector<std::string>{"large.bin"});
}

TEST_CASE("replace_file fails when the parent is a file", "[store]") {
    TempDir dir;
    write_bytes(dir / "plain", "not a directory\n");
    const fs::path target = dir / "plain" / "state.json";

    const std::string message = error_message_of([&] { replace_file(target, "{}\n"); });

    CHECK_THAT(message, Catch::Contains(target.string()));
    CHECK_THAT(message, Catch::Contains("Not a directory"));
    CHECK(read_file(dir / "plain") == "not a directory\n");
    CHECK(names_in(dir.path()) == std::vector<std::string>{"plain"});
}

TEST_CASE("replace_file fails in a missing directory", "[store]") {
    TempDir dir;
    const fs::path target = dir / "missing" / "state.json";

    const std::string message = error_message_of([&] { replace_file(target, "{}\n"); });

    CHECK_THAT(message, Catch::Contains(target.string()));
    CHECK_THAT(message, Catch::Contains("No such file or directory"));
    CHECK(names_in(dir.path()).empty());
}

TEST_CASE("replace_file removes its temporary file when rename fails", "[store]") {
    TempDir dir;
    // rename(2) cannot put a file over a non-empty directory, so the failure
    // comes after the temporary file was written.
    const fs::path target = dir / "state.json";
    fs::create_directory(target);
    write_bytes(target / "inside", "kept\n");

    const std::string message = error_message_of([&] { replace_file(target, "{}\n"); });

    CHECK_THAT(message, Catch::Contains(target.string()));
    CHECK_THAT(message, Catch::Contains("rename failed"));
    CHECK(names_in(dir.path()) == std::vector<std::string>{"state.json"});
    CHECK(read_file(target / "inside") == "kept\n");
}

TEST_CASE("create_new_file writes with the given mode", "[store]") {
    TempDir dir;
    const UmaskScope umask_scope(077);
    const fs::path target = dir / "ops.key";

    create_new_file(target, "secret seed bytes", 0600);
    CHECK(read_file(target) == "secret seed bytes");
    CHECK(mode_of(target) == 0600);

    // The mode is applied exactly, not narrowed by the umask.
    create_new_file(dir / "ops.pub", "public", 0644);
    CHECK(mode_of(dir / "ops.pub") == 0644);
}

TEST_CASE("create_new_file rejects an existing file", "[store]") {
    TempDir dir;
    const fs::path target = dir / "ops.key";
    write_bytes(target, "original key\n");
    REQUIRE(::chmod(target.c_str(), 0600) == 0);

    const std::string message = error_message_of([&] { create_new_file(target, "replacement", 0600); });

    CHECK_THAT(message, Catch::Contains(target.string()));
    CHECK_THAT(message, Catch::Contains("already exists"));
    CHECK(read_file(target) == "original key\n");
}

TEST_CASE("create_new_file fails in a missing directory", "[store]") {
    TempDir dir;
    const fs::path target = dir / "keys" / "ops.key";

    const std::string message = error_message_of([&] { create_new_file(target, "seed", 0600); });

    CHECK_THAT(message, Catch::Contains(target.string()));
    CHECK_THAT(message, Catch::Contains("No such file or directory"));
}
