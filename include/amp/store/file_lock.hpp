// Advisory writer lock on a persona's STEM.state.lock (flock).
#pragma once

#include <chrono>
#include <filesystem>

namespace amp::store {

class FileLock {
public:
    // Waits up to `timeout` for an exclusive flock on `lock_path`, creating the
    // file if needed. Throws amp::Error (exit 3) naming the file on timeout;
    // never falls back to running unlocked.
    static FileLock acquire(const std::filesystem::path& lock_path, std::chrono::milliseconds timeout);

    FileLock(FileLock&& other) noexcept;
    FileLock& operator=(FileLock&& other) noexcept;
    FileLock(const FileLock&) = delete;
    FileLock& operator=(const FileLock&) = delete;
    ~FileLock();

private:
    explicit FileLock(int fd) : fd_(fd) {}
    int fd_ = -1;
};

// The lock timeout: AMP_LOCK_TIMEOUT (seconds) if set, else 30 seconds.
std::chrono::milliseconds default_lock_timeout();

}  // namespace amp::store
