#include "amp/store/chain.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "amp/crypto/sha256.hpp"
#include "amp/error.hpp"
#include "amp/json/reader.hpp"
#include "amp/json/writer.hpp"

namespace amp::store {

namespace {

// Backward reads use blocks of this size, so finding the head of a chain
// reads about one line whatever the length of the log.
constexpr std::size_t tail_block_bytes = 64 * 1024;

std::string system_error_text(int error_number) { return std::strerror(error_number); }

Error io_error(const std::filesystem::path& file, std::string_view step, int error_number) {
    return Error(fmt::format("{}: {} failed: {}", file.string(), step, system_error_text(error_number)));
}

// Reads exactly [offset, offset + length) or throws.
std::string read_range(int fd, const std::filesystem::path& file, std::uint64_t offset, std::size_t length) {
    std::string bytes(length, '\0');
    std::size_t done = 0;
    while (done < length) {
        const ssize_t count = ::pread(fd, bytes.data() + done, length - done, static_cast<off_t>(offset + done));
        if (count < 0) {
            if (errno == EINTR) continue;
            throw io_error(file, "read", errno);
        }
        if (count == 0) throw Error(fmt::format("{}: the file shrank while its tail was read", file.string()));
        done += static_cast<std::size_t>(count);
    }
    return bytes;
}

// Returns the offset of the last '\n' in [0, end), looking back at most
// `max_scan` bytes, or nullopt if there is none in that range.
std::optional<std::uint64_t> find_last_newline(int fd, const std::filesystem::path& file, std::uint64_t end,
                                               std::uint64_t max_scan) {
    const std::uint64_t scan_start = end > max_scan ? end - max_scan : 0;
    std::uint64_t block_end = end;
    while (block_end > scan_start) {
        const std::uint64_t block_start = std::max(scan_start, block_end > tail_block_bytes ? block_end - tail_block_bytes : 0);
        const std::string block = read_range(fd, file, block_start, static_cast<std::size_t>(block_end - block_start));
        if (const void* found = ::memrchr(block.data(), '\n', block.size())) {
            return block_start + static_cast<std::uint64_t>(static_cast<const char*>(found) - block.data());
        }
        block_end = block_start;
    }
    return std::nullopt;
}

// The last complete line of a chain and the torn bytes after it.
struct TailBytes {
    std::uint64_t file_size = 0;
    std::optional<std::string> last_line;  // without its "\n"; nullopt if no line is complete
    std::string torn_bytes;
};

TailBytes read_tail_bytes(int fd, const std::filesystem::path& file) {
    TailBytes tail;
    struct stat status {};
    if (::fstat(fd, &status) != 0) throw io_error(file, "fstat", errno);
    tail.file_size = static_cast<std::uint64_t>(status.st_size);

    // The torn part has no length limit: a file edited by hand may end in a
    // long unterminated line, and all of it must be quarantined.
    const auto last_newline = find_last_newline(fd, file, tail.file_size, tail.file_size);
    const std::uint64_t torn_start = last_newline ? *last_newline + 1 : 0;
    tail.torn_bytes = read_range(fd, file, torn_start, static_cast<std::size_t>(tail.file_size - torn_start));
    if (!last_newline) return tail;

    const auto previous_newline = find_last_newline(fd, file, *last_newline, max_chain_line_bytes + 1);
    const std::uint64_t line_start = previous_newline ? *previous_newline + 1 : 0;
    if (!previous_newline && *last_newline > max_chain_line_bytes) {
        throw Error(fmt::format("{}: the last line is longer than {} bytes, the maximum for a chain line; "
                                "the log is damaged",
                                file.string(), max_chain_line_bytes),
                    {fmt::format("inspect it with: amp audit {} --verify", file.string())});
    }
    tail.last_line = read_range(fd, file, line_start, static_cast<std::size_t>(*last_newline - line_start));
    return tail;
}

std::uint64_t count_lines(int fd, const std::filesystem::path& file) {
    std::uint64_t lines = 0;
    std::uint64_t offset = 0;
    std::string block(tail_block_bytes * 4, '\0');
    for (;;) {
        const ssize_t count = ::pread(fd, block.data(), block.size(), static_cast<off_t>(offset));
        if (count < 0) {
            if (errno == EINTR) continue;
            throw io_error(file, "read", errno);
        }
        if (count == 0) return lines;
        lines += static_cast<std::uint64_t>(std::count(block.data(), block.data() + count, '\n'));
        offset += static_cast<std::uint64_t>(count);
    }
}

void write_all(int fd, const std::filesystem::path& file, std::string_view bytes) {
    while (!bytes.empty()) {
        const ssize_t written = ::write(fd, bytes.data(), bytes.size());
        if (written < 0) {
            if (errno == EINTR) continue;
            throw io_error(file, "write", errno);
        }
        bytes.remove_prefix(static_cast<std::size_t>(written));
    }
}

void sync_directory_of(const std::filesystem::path& file) {
    const auto parent = file.parent_path().empty() ? std::filesystem::path(".") : file.parent_path();
    const int fd = ::open(parent.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) throw io_error(parent, "open", errno);
    const int result = ::fsync(fd);
    const int error_number = errno;
    ::close(fd);
    if (result != 0) throw io_error(parent, "fsync", error_number);
}

// Appends `bytes` to the torn file, creating it with the log's mode, and
// makes them durable before the caller cuts them from the log: a crash in
// between leaves the bytes in both files rather than in neither.
std::uint64_t quarantine(const std::filesystem::path& torn_path, std::string_view bytes, mode_t mode) {
    const int fd = ::open(torn_path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, mode);
    if (fd < 0) throw io_error(torn_path, "open", errno);

    struct stat status {};
    std::uint64_t offset = 0;
    try {
        if (::fstat(fd, &status) != 0) throw io_error(torn_path, "fstat", errno);
        offset = static_cast<std::uint64_t>(status.st_size);
        write_all(fd, torn_path, bytes);
        if (::fsync(fd) != 0) throw io_error(torn_path, "fsync", errno);
    } catch (...) {
        ::close(fd);
        throw;
    }
    ::close(fd);
    sync_directory_of(torn_path);
    return offset;
}

}  // namespace

std::string line_hash(std::string_view line) { return crypto::sha256_tagged(line); }

ChainTail read_tail(const std::filesystem::path& log, bool count_entries) {
    ChainTail tail;
    const int fd = ::open(log.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT) return tail;
        throw io_error(log, "open", errno);
    }

    try {
        TailBytes bytes = read_tail_bytes(fd, log);
        tail.torn_bytes = std::move(bytes.torn_bytes);
        if (bytes.last_line) {
            tail.head = line_hash(*bytes.last_line);
            tail.last_entry = json::parse(*bytes.last_line, log.string() + " (last line)");
        }
        if (count_entries) tail.entries = count_lines(fd, log);
    } catch (...) {
        ::close(fd);
        throw;
    }
    ::close(fd);
    return tail;
}

ChainAppender::ChainAppender(std::filesystem::path log, std::filesystem::path torn_path) : log_(std::move(log)) {
    // Creating with O_EXCL shows whether the log is new. A new file is durable
    // only once its directory entry is, so sync() then fsyncs the directory.
    fd_ = ::open(log_.c_str(), O_RDWR | O_APPEND | O_CLOEXEC);
    if (fd_ < 0 && errno == ENOENT) {
        fd_ = ::open(log_.c_str(), O_RDWR | O_APPEND | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        created_ = fd_ >= 0;
        if (fd_ < 0 && errno == EEXIST) fd_ = ::open(log_.c_str(), O_RDWR | O_APPEND | O_CLOEXEC);
    }
    if (fd_ < 0) throw io_error(log_, "open", errno);

    try {
        const TailBytes tail = read_tail_bytes(fd_, log_);
        head_ = tail.last_line ? line_hash(*tail.last_line) : std::string(genesis_hash);

        if (!tail.torn_bytes.empty()) {
            struct stat status {};
            if (::fstat(fd_, &status) != 0) throw io_error(log_, "fstat", errno);
            quarantine_offset_ = quarantine(torn_path, tail.torn_bytes, status.st_mode & 07777);

            const std::uint64_t complete_size = tail.file_size - tail.torn_bytes.size();
            if (::ftruncate(fd_, static_cast<off_t>(complete_size)) != 0) throw io_error(log_, "ftruncate", errno);
            if (::fsync(fd_) != 0) throw io_error(log_, "fsync", errno);
            quarantined_bytes_ = tail.torn_bytes.size();
        }
    } catch (...) {
        ::close(fd_);
        throw;
    }
}

ChainAppender::~ChainAppender() {
    if (fd_ >= 0) ::close(fd_);
}

std::string ChainAppender::append(const Json& entry) {
    if (!entry.is_object()) throw Error(fmt::format("{}: a chain entry must be a JSON object", log_.string()));
    const auto prev_hash = entry.find("prev_hash");
    if (prev_hash == entry.end() || !prev_hash->is_string() || prev_hash->get_ref<const std::string&>() != head_) {
        throw Error(fmt::format("{}: the entry's prev_hash must be the current head {}; another writer may have "
                                "appended without the persona's lock",
                                log_.string(), head_));
    }

    std::string line = json::to_line(entry);
    if (line.size() > max_chain_line_bytes) {
        throw Error(fmt::format("{}: the entry is {} bytes long, over the maximum of {} bytes per chain line",
                                log_.string(), line.size(), max_chain_line_bytes));
    }

    // One write(2) per line: O_APPEND then places the whole line atomically at
    // the end, and a crash leaves at most this one line torn.
    line.push_back('\n');
    ssize_t written = -1;
    do {
        written = ::write(fd_, line.data(), line.size());
    } while (written < 0 && errno == EINTR);
    if (written < 0) throw io_error(log_, "write", errno);
    line.pop_back();
    if (static_cast<std::size_t>(written) != line.size() + 1) {
        throw Error(fmt::format("{}: short write ({} of {} bytes, the disk may be full); the next append "
                                "quarantines the torn line",
                                log_.string(), written, line.size() + 1));
    }

    head_ = line_hash(line);
    return line;
}

void ChainAppender::sync() {
    if (::fsync(fd_) != 0) throw io_error(log_, "fsync", errno);
    if (created_) {
        sync_directory_of(log_);
        created_ = false;
    }
}

}  // namespace amp::store
