#include "amp/store/reverse_scan.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include <fmt/format.h>

#include "amp/error.hpp"

namespace amp::store {

namespace {

constexpr off_t block_bytes = 64 * 1024;

class ReadOnlyFile {
public:
    explicit ReadOnlyFile(int fd) : fd_(fd) {}
    ~ReadOnlyFile() {
        if (fd_ >= 0) ::close(fd_);
    }
    ReadOnlyFile(const ReadOnlyFile&) = delete;
    ReadOnlyFile& operator=(const ReadOnlyFile&) = delete;
    int fd() const { return fd_; }

private:
    int fd_;
};

}  // namespace

void scan_lines_backward(const std::filesystem::path& path, const std::function<bool(std::string_view line)>& visit) {
    const ReadOnlyFile file(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (file.fd() < 0) {
        if (errno == ENOENT) return;
        throw Error(fmt::format("cannot open {}: {}", path.string(), std::strerror(errno)));
    }
    struct stat info {};
    if (::fstat(file.fd(), &info) != 0) throw Error(fmt::format("cannot stat {}: {}", path.string(), std::strerror(errno)));

    // `pending` holds the bytes after the newest "\n" seen so far, i.e. the
    // end of a line whose start has not been read yet.
    std::string pending;
    off_t position = info.st_size;
    bool at_end = true;
    while (position > 0) {
        const off_t length = position >= block_bytes ? block_bytes : position;
        position -= length;
        std::string block(static_cast<std::size_t>(length), '\0');
        const ssize_t read = ::pread(file.fd(), block.data(), block.size(), position);
        if (read != length) throw Error(fmt::format("cannot read {}: {}", path.string(), std::strerror(errno)));
        pending.insert(0, block);

        std::size_t end = pending.size();
        if (at_end) {
            // Whatever follows the last "\n" is a torn fragment, not a line.
            const std::size_t last_newline = pending.rfind('\n');
            if (last_newline == std::string::npos) {
                continue;
            }
            end = last_newline;
            at_end = false;
        }
        while (true) {
            const std::size_t newline = end == 0 ? std::string::npos : pending.rfind('\n', end - 1);
            if (newline == std::string::npos) break;
            if (visit(std::string_view(pending).substr(newline + 1, end - newline - 1))) return;
            end = newline;
        }
        pending.resize(end);
    }
    if (!at_end) visit(pending);
}

}  // namespace amp::store
