#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>
#include <thread>

#include "amp/error.hpp"
#include "amp/store/file_lock.hpp"

#include "temp_dir.hpp"

namespace fs = std::filesystem;
using amp::store::default_lock_timeout;
using amp::store::FileLock;
using namespace std::chrono_literals;

namespace {

using amp::testing::TempDir;

// Exit codes of try_lock_in_child.
constexpr int child_acquired = 0;
constexpr int child_timed_out = 1;
constexpr int child_failed = 2;

// Tries the lock from a forked process, which has its own open file
// description as another amp process would. Returns one of the codes above.
int try_lock_in_child(const fs::path& lock_path, std::chrono::milliseconds timeout) {
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        int code = child_failed;
        try {
            const FileLock lock = FileLock::acquire(lock_path, timeout);
            code = child_acquired;
        } catch (const amp::Error& error) {
            if (std::string(error.what()).find("timed out") != std::string::npos) code = child_timed_out;
        } catch (...) {
        }
        ::_exit(code);
    }
    int status = 0;
    REQUIRE(::waitpid(pid, &status, 0) == pid);
    REQUIRE(WIFEXITED(status));
    return WEXITSTATUS(status);
}

// A forked process that takes the lock, reports that through a pipe, and
// holds it until release() or for `hold_for` if given.
class LockHolder {
public:
    explicit LockHolder(const fs::path& lock_path, std::optional<std::chrono::milliseconds> hold_for = std::nullopt) {
        int ready[2];
        int release_pipe[2];
        REQUIRE(::pipe(ready) == 0);
        REQUIRE(::pipe(release_pipe) == 0);

        pid_ = ::fork();
        REQUIRE(pid_ >= 0);
        if (pid_ == 0) {
            ::close(ready[0]);
            ::close(release_pipe[1]);
            int code = 0;
            try {
                const FileLock lock = FileLock::acquire(lock_path, 5s);
                const char signal = 'L';
                if (::write(ready[1], &signal, 1) != 1) code = 1;
                if (hold_for) {
                    std::this_thread::sleep_for(*hold_for);
                } else {
                    char ignored = 0;
                    [[maybe_unused]] const auto count = ::read(release_pipe[0], &ignored, 1);
                }
            } catch (...) {
                code = 1;
            }
            ::_exit(code);
        }

        ::close(ready[1]);
        ::close(release_pipe[0]);
        release_fd_ = release_pipe[1];
        char signal = 0;
        const auto count = ::read(ready[0], &signal, 1);
        ::close(ready[0]);
        REQUIRE(count == 1);
    }
    ~LockHolder() {
        if (pid_ > 0) release();
    }
    LockHolder(const LockHolder&) = delete;
    LockHolder& operator=(const LockHolder&) = delete;

    // Lets the holder drop the lock, waits for it to exit and returns its exit code.
    int release() {
        ::close(release_fd_);
        int status = 0;
        ::waitpid(pid_, &status, 0);
        pid_ = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }

private:
    pid_t pid_ = -1;
    int release_fd_ = -1;
};

// Sets or unsets an environment variable for one scope.
class EnvironmentScope {
public:
    EnvironmentScope(const char* name, const char* value) : name_(name) {
        if (const char* old = std::getenv(name)) previous_ = old;
        if (value != nullptr) {
            ::setenv(name, value, 1);
        } else {
            ::unsetenv(name);
        }
    }
    ~EnvironmentScope() {
        if (previous_) {
            ::setenv(name_, previous_->c_str(), 1);
        } else {
            ::unsetenv(name_);
        }
    }

private:
    const char* name_;
    std::optional<std::string> previous_;
};

}  // namespace

TEST_CASE("lock excludes another process", "[store]") {
    TempDir dir;
    const fs::path lock_path = dir / "agent.state.lock";
    LockHolder holder(lock_path);

    const auto start = std::chrono::steady_clock::now();
    std::string message;
    try {
        const FileLock lock = FileLock::acquire(lock_path, 300ms);
        FAIL("acquired a lock that another process holds");
    } catch (const amp::Error& error) {
        message = error.what();
    }
    const auto waited = std::chrono::steady_clock::now() - start;

    CHECK(message == "timed out after 0.3s waiting for the lock on " + lock_path.string() +
                         " (another amp process is writing this persona); retry, or find the holder with: fuser " +
                         lock_path.string());
    CHECK(waited >= 300ms);
    CHECK(waited < 3s);

    CHECK(holder.release() == 0);
    const FileLock lock = FileLock::acquire(lock_path, 1s);
}

TEST_CASE("lock timeout message uses whole seconds", "[store]") {
    TempDir dir;
    const fs::path lock_path = dir / "agent.state.lock";
    const FileLock first_lock = FileLock::acquire(lock_path, 0ms);

    // flock locks belong to the open file description, so a second open in
    // the same process conflicts just as another process would.
    try {
        const FileLock second = FileLock::acquire(lock_path, 1000ms);
        FAIL("acquired a lock that is held");
    } catch (const amp::Error& error) {
        CHECK_THAT(error.what(), Catch::StartsWith("timed out after 1s waiting for the lock on "));
        CHECK(error.code() == amp::ExitCode::failure);
    }
}

TEST_CASE("lock released on destruction", "[store]") {
    TempDir dir;
    const fs::path lock_path = dir / "agent.state.lock";
    {
        const FileLock lock = FileLock::acquire(lock_path, 1s);
        CHECK(try_lock_in_child(lock_path, 0ms) == child_timed_out);
    }
    CHECK(try_lock_in_child(lock_path, 0ms) == child_acquired);
}

TEST_CASE("lock moves keep it held", "[store]") {
    TempDir dir;
    const fs::path lock_path = dir / "agent.state.lock";
    std::optional<FileLock> moved;
    {
        FileLock original = FileLock::acquire(lock_path, 1s);
        moved.emplace(std::move(original));
    }
    CHECK(try_lock_in_child(lock_path, 0ms) == child_timed_out);

    FileLock assigned = FileLock::acquire(dir / "other.state.lock", 1s);
    assigned = std::move(*moved);
    moved.reset();
    CHECK(try_lock_in_child(lock_path, 0ms) == child_timed_out);
    CHECK(try_lock_in_child(dir / "other.state.lock", 0ms) == child_acquired);
}

TEST_CASE("lock waits for a holder that finishes", "[store]") {
    TempDir dir;
    const fs::path lock_path = dir / "agent.state.lock";
    LockHolder holder(lock_path, 200ms);

    const auto start = std::chrono::steady_clock::now();
    const FileLock lock = FileLock::acquire(lock_path, 5s);
    const auto waited = std::chrono::steady_clock::now() - start;

    CHECK(waited >= 100ms);
    CHECK(waited < 2s);
    CHECK(holder.release() == 0);
}

TEST_CASE("lock creates the lock file", "[store]") {
    TempDir dir;
    const fs::path lock_path = dir / "new.state.lock";
    REQUIRE_FALSE(fs::exists(lock_path));

    const FileLock lock = FileLock::acquire(lock_path, 0ms);

    CHECK(fs::is_regular_file(lock_path));
}

TEST_CASE("lock in a missing directory names the file", "[store]") {
    TempDir dir;
    const fs::path lock_path = dir / "missing" / "agent.state.lock";

    try {
        const FileLock lock = FileLock::acquire(lock_path, 0ms);
        FAIL("locked a file in a missing directory");
    } catch (const amp::Error& error) {
        CHECK_THAT(error.what(), Catch::Contains(lock_path.string()));
        CHECK_THAT(error.what(), Catch::Contains("No such file or directory"));
    }
}

TEST_CASE("AMP_LOCK_TIMEOUT sets the lock timeout", "[store]") {
    {
        const EnvironmentScope unset("AMP_LOCK_TIMEOUT", nullptr);
        CHECK(default_lock_timeout() == 30s);
    }
    {
        const EnvironmentScope empty("AMP_LOCK_TIMEOUT", "");
        CHECK(default_lock_timeout() == 30s);
    }
    {
        const EnvironmentScope whole("AMP_LOCK_TIMEOUT", "5");
        CHECK(default_lock_timeout() == 5000ms);
    }
    {
        const EnvironmentScope fraction("AMP_LOCK_TIMEOUT", "2.5");
        CHECK(default_lock_timeout() == 2500ms);
    }
    {
        const EnvironmentScope zero("AMP_LOCK_TIMEOUT", "0");
        CHECK(default_lock_timeout() == 0ms);
    }
    {
        const EnvironmentScope tiny("AMP_LOCK_TIMEOUT", "0.0001");
        CHECK(default_lock_timeout() == 1ms);
    }
}

TEST_CASE("AMP_LOCK_TIMEOUT rejects invalid values", "[store]") {
    for (const char* value : {"abc", "-1", "5s", " 5", "5 ", "1e3", "nan", "inf", "+5", "86401", "0x10"}) {
        INFO("AMP_LOCK_TIMEOUT=" << value);
        const EnvironmentScope scope("AMP_LOCK_TIMEOUT", value);
        try {
            default_lock_timeout();
            FAIL("accepted an invalid AMP_LOCK_TIMEOUT");
        } catch (const amp::Error& error) {
            CHECK_THAT(error.what(), Catch::StartsWith(std::string("invalid AMP_LOCK_TIMEOUT value \"") + value + "\""));
        }
    }
}
