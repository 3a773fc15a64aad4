#include "amp/store/files.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>

#include <fmt/format.h>

#include "amp/testing_hooks.hpp"
#include "amp/error.hpp"

namespace amp::store {

namespace {

std::string system_error_text(int error_number) { return std::strerror(error_number); }

// Closes a descriptor on scope exit unless released, so every early throw
// below leaves no descriptor behind.
class ScopedFd {
public:
    explicit ScopedFd(int fd) : fd_(fd) {}
    ~ScopedFd() {
        if (fd_ >= 0) ::close(fd_);
    }
    ScopedFd(const ScopedFd&) = delete;
    ScopedFd& operator=(const ScopedFd&) = delete;

    int get() const noexcept { return fd_; }

    // Closes now and returns the errno of close(2), or 0.
    int close_now() noexcept {
        const int result = ::close(fd_);
        fd_ = -1;
        return result == 0 ? 0 : errno;
    }

private:
    int fd_;
};

// Writes all of `bytes`, continuing after short writes and EINTR.
// Returns 0 or the errno of the failing write(2).
int write_all(int fd, std::string_view bytes) {
    while (!bytes.empty()) {
        const ssize_t written = ::write(fd, bytes.data(), bytes.size());
        if (written < 0) {
            if (errno == EINTR) continue;
            return errno;
        }
        bytes.remove_prefix(static_cast<std::size_t>(written));
    }
    return 0;
}

std::filesystem::path directory_of(const std::filesystem::path& target) {
    const auto parent = target.parent_path();
    return parent.empty() ? std::filesystem::path(".") : parent;
}

// Returns 0 or the errno of the failing open(2) or fsync(2). A rename or a
// new file is durable only once its directory entry is on disk.
int sync_directory(const std::filesystem::path& directory) {
    const int fd = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return errno;
    ScopedFd guard(fd);
    if (::fsync(fd) != 0) return errno;
    return 0;
}

// A name no other writer uses: pid, a per-process counter and the clock.
// O_EXCL still guards against a collision with a stale file.
std::filesystem::path temporary_path_for(const std::filesystem::path& target) {
    static std::atomic<unsigned> counter{0};
    const auto ticks = std::chrono::steady_clock::now().time_since_epoch().count();
    const std::string name = fmt::format(".{}.tmp-{}-{}-{:x}", target.filename().string(), ::getpid(),
                                         counter.fetch_add(1), static_cast<unsigned long long>(ticks) & 0xffffff);
    return directory_of(target) / name;
}

}  // namespace

std::size_t remove_abandoned_temporaries(const std::filesystem::path& target) {
    const std::string prefix = fmt::format(".{}.tmp-", target.filename().string());
    std::error_code error;
    std::filesystem::directory_iterator entries(directory_of(target), error);
    if (error) return 0;

    std::size_t removed = 0;
    for (const std::filesystem::directory_entry& entry : entries) {
        if (!entry.path().filename().string().starts_with(prefix)) continue;
        if (std::filesystem::remove(entry.path(), error)) ++removed;
    }
    return removed;
}

std::string read_file(const std::filesystem::path& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw Error(fmt::format("cannot read {}: {}", path.string(), system_error_text(errno)));
    ScopedFd guard(fd);

    struct stat status {};
    if (::fstat(fd, &status) != 0) {
        throw Error(fmt::format("cannot read {}: {}", path.string(), system_error_text(errno)));
    }
    if (S_ISDIR(status.st_mode)) throw Error(fmt::format("cannot read {}: it is a directory", path.string()));

    // The size is a hint only: the loop reads until end of file, so a file
    // that grows or shrinks meanwhile is still read whole.
    std::string contents;
    contents.reserve(static_cast<std::size_t>(status.st_size > 0 ? status.st_size : 0));
    char block[64 * 1024];
    for (;;) {
        const ssize_t count = ::read(fd, block, sizeof block);
        if (count < 0) {
            if (errno == EINTR) continue;
            throw Error(fmt::format("cannot read {}: {}", path.string(), system_error_text(errno)));
        }
        if (count == 0) break;
        contents.append(block, static_cast<std::size_t>(count));
    }
    return contents;
}

void replace_file(const std::filesystem::path& target, std::string_view contents, mode_t mode_for_new) {
    mode_t mode = mode_for_new;
    struct stat existing {};
    if (::stat(target.c_str(), &existing) == 0) mode = existing.st_mode & 07777;

    const auto temporary = temporary_path_for(target);
    const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    if (fd < 0) {
        throw Error(fmt::format("cannot replace {}: creating the temporary file {} failed: {}", target.string(),
                                temporary.string(), system_error_text(errno)));
    }
    ScopedFd guard(fd);

    // From here on every failure removes the temporary file, so the directory
    // contains no half-written leftovers and the target keeps its old contents.
    const auto fail = [&](std::string_view step, int error_number) {
        guard.close_now();
        ::unlink(temporary.c_str());
        return Error(fmt::format("cannot replace {}: {} failed: {}; the file was left unchanged", target.string(),
                                 step, system_error_text(error_number)));
    };

    // open(2) applies the umask, so the mode is set again explicitly.
    if (::fchmod(fd, mode) != 0) throw fail("setting the mode", errno);
    if (const int error_number = write_all(fd, contents); error_number != 0) throw fail("writing", error_number);
    if (::fsync(fd) != 0) throw fail("fsync", errno);
    if (const int error_number = guard.close_now(); error_number != 0) {
        ::unlink(temporary.c_str());
        throw Error(fmt::format("cannot replace {}: closing the temporary file failed: {}; the file was left unchanged",
                                target.string(), system_error_text(error_number)));
    }
    crash_point("before_rename");
    if (::rename(temporary.c_str(), target.c_str()) != 0) {
        const int error_number = errno;
        ::unlink(temporary.c_str());
        throw Error(fmt::format("cannot replace {}: rename failed: {}; the file was left unchanged", target.string(),
                                system_error_text(error_number)));
    }

    // The new contents are in place; only their durability across a crash is in doubt.
    if (const int error_number = sync_directory(directory_of(target)); error_number != 0) {
        throw Error(fmt::format("replaced {} but fsync of its directory failed: {}; the change may be lost on a crash",
                                target.string(), system_error_text(error_number)));
    }
}

void create_new_file(const std::filesystem::path& target, std::string_view contents, mode_t mode) {
    const int fd = ::open(target.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    if (fd < 0) {
        const int error_number = errno;
        if (error_number == EEXIST) {
            throw Error(fmt::format("cannot create {}: the file already exists and is never overwritten",
                                    target.string()),
                        {"move the existing file away first, or choose another path"});
        }
        throw Error(fmt::format("cannot create {}: {}", target.string(), system_error_text(error_number)));
    }
    ScopedFd guard(fd);

    // This call created the file, so removing it on failure loses nothing of the caller's.
    const auto fail = [&](std::string_view step, int error_number) {
        guard.close_now();
        ::unlink(target.c_str());
        return Error(fmt::format("cannot create {}: {} failed: {}", target.string(), step,
                                 system_error_text(error_number)));
    };

    if (::fchmod(fd, mode) != 0) throw fail("setting the mode", errno);
    if (const int error_number = write_all(fd, contents); error_number != 0) throw fail("writing", error_number);
    if (::fsync(fd) != 0) throw fail("fsync", errno);
    if (const int error_number = guard.close_now(); error_number != 0) {
        ::unlink(target.c_str());
        throw Error(fmt::format("cannot create {}: closing failed: {}", target.string(),
                                system_error_text(error_number)));
    }
    if (const int error_number = sync_directory(directory_of(target)); error_number != 0) {
        throw Error(fmt::format("created {} but fsync of its directory failed: {}; the file may be lost on a crash",
                                target.string(), system_error_text(error_number)));
    }
}

}  // namespace amp::store
