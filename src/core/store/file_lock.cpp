#include "amp/store/file_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <string_view>
#include <thread>

#include <fmt/format.h>

#include "amp/error.hpp"

namespace amp::store {

namespace {

// Maximum AMP_LOCK_TIMEOUT in seconds. It keeps the conversion to
// milliseconds far from overflow, and one day is far beyond any real wait
// for a persona lock.
constexpr double max_lock_timeout_seconds = 86400;

std::string format_seconds(std::chrono::milliseconds timeout) {
    // fmt prints the shortest form: 30 for 30 s, 0.25 for 250 ms.
    return fmt::format("{}s", static_cast<double>(timeout.count()) / 1000.0);
}

}  // namespace

// Polls flock(LOCK_EX | LOCK_NB) with short sleeps rather than blocking in
// flock(2) under alarm(2): SIGALRM is process-wide, would disturb any other
// timer or thread of the host process, and a lost race between alarm and
// flock could block forever. The sleeps grow from 1 ms to 50 ms, so a lock
// released by a short command is taken within a few milliseconds.
FileLock FileLock::acquire(const std::filesystem::path& lock_path, std::chrono::milliseconds timeout) {
    const int fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
        throw Error(fmt::format("cannot open the lock file {}: {}", lock_path.string(), std::strerror(errno)));
    }

    const auto deadline = std::chrono::steady_clock::now() + timeout;
    auto pause = std::chrono::milliseconds(1);
    for (;;) {
        if (::flock(fd, LOCK_EX | LOCK_NB) == 0) return FileLock(fd);

        const int error_number = errno;
        if (error_number != EWOULDBLOCK && error_number != EINTR) {
            ::close(fd);
            throw Error(fmt::format("cannot lock {}: {}", lock_path.string(), std::strerror(error_number)));
        }

        const auto now = std::chrono::steady_clock::now();
        if (now >= deadline) break;
        std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(pause, deadline - now));
        pause = std::min(pause * 2, std::chrono::milliseconds(50));
    }

    ::close(fd);
    const std::string file = lock_path.string();
    throw Error(fmt::format("timed out after {} waiting for the lock on {} (another amp process is writing this "
                            "persona); retry, or find the holder with: fuser {}",
                            format_seconds(timeout), file, file));
}

FileLock::FileLock(FileLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }

FileLock& FileLock::operator=(FileLock&& other) noexcept {
    if (this != &other) {
        if (fd_ >= 0) ::close(fd_);
        fd_ = other.fd_;
        other.fd_ = -1;
    }
    return *this;
}

// Closing the last descriptor of the open file description releases the flock.
FileLock::~FileLock() {
    if (fd_ >= 0) ::close(fd_);
}

std::chrono::milliseconds default_lock_timeout() {
    const char* text = std::getenv("AMP_LOCK_TIMEOUT");
    if (text == nullptr || *text == '\0') return std::chrono::seconds(30);

    const std::string_view value(text);
    double seconds = 0;
    const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), seconds,
                                              std::chars_format::fixed);
    if (error != std::errc{} || end != value.data() + value.size() || !std::isfinite(seconds) || seconds < 0 ||
        seconds > max_lock_timeout_seconds) {
        throw Error(fmt::format("invalid AMP_LOCK_TIMEOUT value \"{}\": expected a number of seconds from 0 to {}, "
                                "such as 30 or 2.5",
                                value, max_lock_timeout_seconds));
    }

    // Rounded up so that a tiny positive value still waits at least 1 ms.
    return std::chrono::milliseconds(static_cast<long long>(std::ceil(seconds * 1000.0)));
}

}  // namespace amp::store
