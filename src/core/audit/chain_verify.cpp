#include "amp/audit/chain_verify.hpp"

#include <fcntl.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <map>
#include <cmath>
#include <cstring>
#include <memory>

#include <fmt/format.h>

#include "amp/clock.hpp"
#include "amp/crypto/encoding.hpp"
#include "amp/crypto/sha256.hpp"
#include "amp/error.hpp"
#include "amp/json/reader.hpp"
#include "amp/store/chain.hpp"

namespace amp::audit {

namespace {

using crypto::Sha256Digest;
using store::max_chain_line_bytes;
using EntryTime = std::chrono::sys_time<std::chrono::nanoseconds>;

// ---------------------------------------------------------------------------
// Lines of a chain file, read through one fixed buffer.

// Bytes requested per read(2). The buffer has room for one maximal line plus
// one chunk, so any line within the limit is seen whole in the buffer.
constexpr std::size_t read_chunk_bytes = 256 * 1024;

// SHA-256 of one line after another. crypto::sha256 sets up a new OpenSSL
// context and looks the algorithm up on every call. For lines of a few
// hundred bytes that costs about as much as the hashing itself, so this
// class keeps one context and one algorithm for a whole pass.
// NOTE: this belongs in amp/crypto/sha256.hpp as a reusable hasher, and
// lives here until that header offers one.
class LineHasher {
public:
    LineHasher() : algorithm_(EVP_MD_fetch(nullptr, "SHA256", nullptr)), context_(EVP_MD_CTX_new()) {
        if (algorithm_ == nullptr || context_ == nullptr) {
            release();
            throw Error("OpenSSL failed to initialise SHA-256");
        }
    }
    ~LineHasher() { release(); }
    LineHasher(const LineHasher&) = delete;
    LineHasher& operator=(const LineHasher&) = delete;

    Sha256Digest hash(std::string_view bytes) {
        Sha256Digest digest{};
        unsigned int length = 0;
        if (EVP_DigestInit_ex2(context_, algorithm_, nullptr) != 1 ||
            EVP_DigestUpdate(context_, bytes.data(), bytes.size()) != 1 ||
            EVP_DigestFinal_ex(context_, digest.data(), &length) != 1 || length != digest.size()) {
            throw Error("OpenSSL SHA-256 failed");
        }
        return digest;
    }

private:
    void release() {
        EVP_MD_CTX_free(context_);
        EVP_MD_free(algorithm_);
    }

    EVP_MD* algorithm_;
    EVP_MD_CTX* context_;
};

struct ChainLine {
    std::string_view bytes;     // without "\n"; empty when too_long, valid until the next read
    std::uint64_t length = 0;   // length without "\n"
    bool complete = false;      // ended in "\n"
    bool too_long = false;      // longer than max_chain_line_bytes
    Sha256Digest digest{};      // SHA-256 of the line; set for complete lines only
};

class LineReader {
public:
    explicit LineReader(const std::filesystem::path& log)
        : log_(log), buffer_(std::make_unique_for_overwrite<char[]>(capacity)) {
        fd_ = ::open(log.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd_ < 0) throw Error(fmt::format("cannot read {}: {}", log.string(), std::strerror(errno)));
        ::posix_fadvise(fd_, 0, 0, POSIX_FADV_SEQUENTIAL);
    }
    ~LineReader() { ::close(fd_); }
    LineReader(const LineReader&) = delete;
    LineReader& operator=(const LineReader&) = delete;

    // Reads the next line into `line`; returns false at the end of the file.
    bool next(ChainLine& line) {
        for (;;) {
            const char* start = buffer_.get() + begin_;
            const std::size_t buffered = end_ - begin_;
            if (const void* newline = std::memchr(start, '\n', buffered)) {
                const auto length = static_cast<std::size_t>(static_cast<const char*>(newline) - start);
                set_line(line, std::string_view(start, length), true);
                begin_ += length + 1;
                return true;
            }
            if (at_end_) {
                if (buffered == 0) return false;
                set_line(line, std::string_view(start, buffered), false);
                begin_ = end_;
                return true;
            }
            if (buffered > max_chain_line_bytes) return next_too_long(line);

            // Keep the partial line and read more behind it.
            if (begin_ > 0) {
                std::memmove(buffer_.get(), start, buffered);
                begin_ = 0;
                end_ = buffered;
            }
            if (fill() == 0) at_end_ = true;
        }
    }

    std::uint64_t bytes_read() const noexcept { return bytes_read_; }

private:
    static constexpr std::size_t capacity = max_chain_line_bytes + 1 + read_chunk_bytes;

    void set_line(ChainLine& line, std::string_view bytes, bool complete) {
        line.length = bytes.size();
        line.complete = complete;
        line.too_long = bytes.size() > max_chain_line_bytes;
        line.bytes = line.too_long ? std::string_view() : bytes;
        if (complete) line.digest = hasher_.hash(bytes);
    }

    // Appends what read(2) returns at end_; returns the count, 0 at the end of the file.
    std::size_t fill() {
        for (;;) {
            const ssize_t count = ::read(fd_, buffer_.get() + end_, capacity - end_);
            if (count < 0) {
                if (errno == EINTR) continue;
                throw Error(fmt::format("cannot read {}: {}", log_.string(), std::strerror(errno)));
            }
            end_ += static_cast<std::size_t>(count);
            bytes_read_ += static_cast<std::uint64_t>(count);
            return static_cast<std::size_t>(count);
        }
    }

    // A line over the limit never fits the buffer: hash it as it streams by.
    bool next_too_long(ChainLine& line) {
        crypto::Sha256Stream stream;
        std::uint64_t length = end_ - begin_;
        stream.update(std::string_view(buffer_.get() + begin_, end_ - begin_));
        begin_ = end_ = 0;

        for (;;) {
            if (fill() == 0) {
                at_end_ = true;
                line = ChainLine{{}, length, false, true, {}};
                return true;
            }
            if (const void* newline = std::memchr(buffer_.get(), '\n', end_)) {
                const auto part = static_cast<std::size_t>(static_cast<const char*>(newline) - buffer_.get());
                stream.update(std::string_view(buffer_.get(), part));
                begin_ = part + 1;
                line = ChainLine{{}, length + part, true, true, stream.finish()};
                return true;
            }
            stream.update(std::string_view(buffer_.get(), end_));
            length += end_;
            begin_ = end_ = 0;
        }
    }

    const std::filesystem::path& log_;
    int fd_ = -1;
    LineHasher hasher_;
    std::unique_ptr<char[]> buffer_;
    std::size_t begin_ = 0;  // first unconsumed byte
    std::size_t end_ = 0;    // end of the bytes read so far
    bool at_end_ = false;
    std::uint64_t bytes_read_ = 0;
};

// ---------------------------------------------------------------------------
// Hashes and timestamps.

std::string tagged_hash(const Sha256Digest& digest) { return "sha256:" + crypto::to_hex(digest); }

// Whether `recorded` is exactly "sha256:" + the lowercase hex of `digest`,
// the only form line hashes take.
bool is_hash_of(std::string_view recorded, const Sha256Digest& digest) {
    constexpr std::string_view prefix = "sha256:";
    constexpr char digits[] = "0123456789abcdef";
    if (recorded.size() != prefix.size() + 2 * digest.size() || !recorded.starts_with(prefix)) return false;
    for (std::size_t i = 0; i < digest.size(); ++i) {
        if (recorded[prefix.size() + 2 * i] != digits[digest[i] >> 4] ||
            recorded[prefix.size() + 2 * i + 1] != digits[digest[i] & 0x0f]) {
            return false;
        }
    }
    return true;
}

bool is_well_formed_hash(std::string_view recorded) {
    constexpr std::string_view prefix = "sha256:";
    if (recorded.size() != prefix.size() + 64 || !recorded.starts_with(prefix)) return false;
    return std::all_of(recorded.begin() + prefix.size(), recorded.end(),
                       [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

// amp::parse_time drops fractions of a second, which would hide
// "09:00:00.5Z" followed by "09:00:00.2Z"; the fraction is added back here.
std::optional<EntryTime> parse_entry_time(std::string_view text) {
    const auto whole = parse_time(text);
    if (!whole) return std::nullopt;

    std::chrono::nanoseconds fraction{0};
    if (text.size() > 19 && text[19] == '.') {
        long long scale = 100'000'000;
        for (std::size_t i = 20; i < text.size() && text[i] >= '0' && text[i] <= '9' && scale > 0; ++i) {
            fraction += std::chrono::nanoseconds((text[i] - '0') * scale);
            scale /= 10;
        }
    }
    return EntryTime(*whole) + fraction;
}

// ---------------------------------------------------------------------------
// Reading one entry: a validating scan, or the strict reader.

// The top-level members verification needs, as views into the line or
// into a parsed Json that outlives them.
struct EntryFields {
    bool is_object = false;
    std::optional<std::string_view> prev_hash;  // set only when a string
    bool has_ts = false;
    std::optional<std::string_view> ts;  // set only when a string
};

// A single-pass check of one line against the strict reader's rules that
// also locates the top-level "prev_hash" and "ts" without building a Json.
// It checks RFC 8259 grammar, UTF-8, control characters in strings, unique
// member names, integers within +/-(2^53 - 1) and finite doubles.
// It only ever accepts. Whatever it does not accept goes to the strict
// reader, which then decides and explains: invalid lines, but also any
// string with an escape, nesting deeper than 64, a byte order mark and
// numbers near the limits of a double.
class EntryScanner {
public:
    bool accepts(std::string_view line, EntryFields& fields) {
        position_ = line.data();
        end_ = line.data() + line.size();
        names_.clear();
        fields = EntryFields{};
        fields_ = &fields;

        skip_whitespace();
        fields.is_object = position_ < end_ && *position_ == '{';
        if (!value(0)) return false;
        skip_whitespace();
        return position_ == end_;
    }

private:
    // Deeper lines go to the strict reader, which applies its own limit.
    static constexpr unsigned max_depth = 64;
    static constexpr std::uint64_t max_safe_integer = 9007199254740991;  // 2^53 - 1

    void skip_whitespace() {
        while (position_ < end_ && (*position_ == ' ' || *position_ == '\t' || *position_ == '\r' || *position_ == '\n')) {
            ++position_;
        }
    }

    bool value(unsigned depth) {
        skip_whitespace();
        if (position_ == end_) return false;
        std::string_view ignored;
        switch (*position_) {
            case '{': return object(depth);
            case '[': return array(depth);
            case '"': return string(ignored);
            case 't': return literal("true");
            case 'f': return literal("false");
            case 'n': return literal("null");
            default: return number();
        }
    }

    bool object(unsigned depth) {
        if (depth >= max_depth) return false;
        ++position_;
        const std::size_t first_name = names_.size();
        skip_whitespace();
        if (position_ < end_ && *position_ == '}') {
            ++position_;
            return true;
        }
        constexpr std::size_t max_compared_names = 64;
        std::uint64_t seen_buckets = 0;
        for (;;) {
            skip_whitespace();
            std::string_view name;
            if (position_ == end_ || *position_ != '"' || !string(name)) return false;
            names_.push_back(name);
            if (names_.size() - first_name <= max_compared_names && repeats_earlier_name(first_name, name, seen_buckets)) {
                return false;
            }

            skip_whitespace();
            if (position_ == end_ || *position_ != ':') return false;
            ++position_;
            if (!member_value(depth, name)) return false;

            skip_whitespace();
            if (position_ == end_) return false;
            if (*position_ == ',') {
                ++position_;
                continue;
            }
            if (*position_ != '}') return false;
            ++position_;
            break;
        }
        const bool unique = names_.size() - first_name <= max_compared_names || names_are_unique(first_name);
        names_.resize(first_name);
        return unique;
    }

    bool member_value(unsigned depth, std::string_view name) {
        const bool is_located_member = depth == 0 && (name == "prev_hash" || name == "ts");
        if (!is_located_member) return value(depth + 1);

        skip_whitespace();
        if (name == "ts") fields_->has_ts = true;
        if (position_ == end_ || *position_ != '"') return value(depth + 1);
        std::string_view text;
        if (!string(text)) return false;
        (name == "ts" ? fields_->ts : fields_->prev_hash) = text;
        return true;
    }

    bool array(unsigned depth) {
        if (depth >= max_depth) return false;
        ++position_;
        skip_whitespace();
        if (position_ < end_ && *position_ == ']') {
            ++position_;
            return true;
        }
        for (;;) {
            if (!value(depth + 1)) return false;
            skip_whitespace();
            if (position_ == end_) return false;
            if (*position_ == ',') {
                ++position_;
                continue;
            }
            if (*position_ != ']') return false;
            ++position_;
            return true;
        }
    }

    // Accepts only strings without escapes, so `text` is the value itself and
    // names compare byte for byte. Escaped strings are rare in entries and
    // left to the strict reader, which decodes them.
    bool string(std::string_view& text) {
        const char* start = ++position_;
        for (;;) {
            while (end_ - position_ >= 8) {
                const std::size_t plain = plain_prefix(position_);
                position_ += plain;
                if (plain < 8) break;
            }
            if (position_ == end_) return false;

            const auto byte = static_cast<unsigned char>(*position_);
            if (byte == '"') {
                text = std::string_view(start, static_cast<std::size_t>(position_ - start));
                ++position_;
                return true;
            }
            if (byte < 0x20 || byte == '\\') return false;
            if (byte < 0x80) {
                ++position_;
                continue;
            }
            if (!utf8_sequence()) return false;
        }
    }

    // Returns how many of the 8 bytes at `bytes` (0 to 8) come before the
    // first one that ends or complicates a string: a quote, a backslash, a
    // control character or a non-ASCII byte. Strings are most of a line, so
    // testing a word at a time is the scan's main speed-up.
    static std::size_t plain_prefix(const char* bytes) {
        if constexpr (std::endian::native != std::endian::little) {
            std::size_t count = 0;
            while (count < 8 && is_plain(static_cast<unsigned char>(bytes[count]))) ++count;
            return count;
        }
        constexpr std::uint64_t ones = 0x0101010101010101;
        constexpr std::uint64_t high_bits = 0x8080808080808080;
        std::uint64_t word = 0;
        std::memcpy(&word, bytes, sizeof word);

        // (x - ones * n) & ~x & high_bits marks the bytes of x below n. A
        // borrow can also mark a byte above a marked one, never below, so
        // the lowest mark is exact.
        const std::uint64_t quote = word ^ (ones * '"');
        const std::uint64_t backslash = word ^ (ones * '\\');
        const std::uint64_t marks = ((quote - ones) & ~quote & high_bits) |
                                    ((backslash - ones) & ~backslash & high_bits) |
                                    ((word - ones * 0x20) & ~word & high_bits) | (word & high_bits);
        return marks == 0 ? 8 : static_cast<std::size_t>(std::countr_zero(marks)) / 8;
    }

    static bool is_plain(unsigned char byte) { return byte >= 0x20 && byte < 0x80 && byte != '"' && byte != '\\'; }

    // One multi-byte UTF-8 sequence, shortest form, no surrogates, at most U+10FFFF.
    bool utf8_sequence() {
        const auto byte_at = [&](std::ptrdiff_t offset) {
            return static_cast<unsigned char>(position_[offset]);
        };
        const auto lead = byte_at(0);
        std::size_t length = 0;
        unsigned char second_low = 0x80;
        unsigned char second_high = 0xbf;
        if (lead >= 0xc2 && lead <= 0xdf) {
            length = 2;
        } else if (lead >= 0xe0 && lead <= 0xef) {
            length = 3;
            if (lead == 0xe0) second_low = 0xa0;
            if (lead == 0xed) second_high = 0x9f;
        } else if (lead >= 0xf0 && lead <= 0xf4) {
            length = 4;
            if (lead == 0xf0) second_low = 0x90;
            if (lead == 0xf4) second_high = 0x8f;
        } else {
            return false;
        }
        if (static_cast<std::size_t>(end_ - position_) < length) return false;
        if (byte_at(1) < second_low || byte_at(1) > second_high) return false;
        for (std::size_t i = 2; i < length; ++i) {
            if ((byte_at(static_cast<std::ptrdiff_t>(i)) & 0xc0) != 0x80) return false;
        }
        position_ += length;
        return true;
    }

    bool literal(std::string_view word) {
        if (static_cast<std::size_t>(end_ - position_) < word.size() ||
            std::string_view(position_, word.size()) != word) {
            return false;
        }
        position_ += word.size();
        return true;
    }

    bool number() {
        const char* start = position_;
        const auto is_digit = [&] { return position_ < end_ && *position_ >= '0' && *position_ <= '9'; };
        const auto skip_digits = [&] {
            const char* first = position_;
            while (is_digit()) ++position_;
            return position_ > first;
        };

        if (position_ < end_ && *position_ == '-') ++position_;
        const char* integer_start = position_;
        if (position_ < end_ && *position_ == '0') {
            ++position_;
        } else if (!skip_digits()) {
            return false;
        }
        const auto integer_digits = static_cast<std::size_t>(position_ - integer_start);

        bool is_integer = true;
        std::size_t fraction_digits = 0;
        if (position_ < end_ && *position_ == '.') {
            ++position_;
            const char* fraction_start = position_;
            if (!skip_digits()) return false;
            fraction_digits = static_cast<std::size_t>(position_ - fraction_start);
            is_integer = false;
        }
        bool has_exponent = false;
        if (position_ < end_ && (*position_ == 'e' || *position_ == 'E')) {
            ++position_;
            if (position_ < end_ && (*position_ == '+' || *position_ == '-')) ++position_;
            if (!skip_digits()) return false;
            is_integer = false;
            has_exponent = true;
        }

        if (is_integer) {
            if (integer_digits > 16) return false;
            std::uint64_t magnitude = 0;
            std::from_chars(integer_start, position_, magnitude);
            return magnitude <= max_safe_integer;
        }
        // Without an exponent, up to 300 digits on either side of the point
        // give zero or a normal double, so converting would tell nothing new.
        if (!has_exponent && integer_digits <= 300 && fraction_digits <= 300) return true;

        // Overflow and underflow both come back as result_out_of_range; the
        // strict reader tells them apart.
        double parsed = 0;
        const auto result = std::from_chars(start, position_, parsed);
        return result.ec == std::errc{} && std::isfinite(parsed);
    }

    // A 6-bit fingerprint of a member name for NameFilter.
    static unsigned name_bucket(std::string_view name) {
        if (name.empty()) return 0;
        const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(name[i]); };
        return (static_cast<unsigned>(name.size()) * 7 + byte(0) * 3 + byte(name.size() / 2) * 5 + byte(name.size() - 1)) & 63;
    }

    // Whether `name`, the newest of the object's names starting at `first`,
    // repeats an earlier one. `seen` marks the buckets of the earlier names,
    // so a name in a fresh bucket needs no comparison at all.
    bool repeats_earlier_name(std::size_t first, std::string_view name, std::uint64_t& seen) {
        const std::uint64_t bit = std::uint64_t{1} << name_bucket(name);
        const bool maybe_seen = (seen & bit) != 0;
        seen |= bit;
        if (!maybe_seen) return false;
        return std::find(names_.begin() + static_cast<std::ptrdiff_t>(first), names_.end() - 1, name) != names_.end() - 1;
    }

    // For objects with many members, where comparing each new name with all
    // earlier ones would cost a quadratic number of comparisons.
    bool names_are_unique(std::size_t first) {
        sorted_names_.assign(names_.begin() + static_cast<std::ptrdiff_t>(first), names_.end());
        std::sort(sorted_names_.begin(), sorted_names_.end());
        return std::adjacent_find(sorted_names_.begin(), sorted_names_.end()) == sorted_names_.end();
    }

    const char* position_ = nullptr;
    const char* end_ = nullptr;
    std::vector<std::string_view> names_;  // member names of the objects open at the position
    std::vector<std::string_view> sorted_names_;
    EntryFields* fields_ = nullptr;
};

// The reader names its source, line and column. The line is always 1 for
// a single chain line, so only the column and the reason are kept.
std::string parse_error_reason(const Error& error, std::string_view source) {
    std::string_view text = error.what();
    const std::string prefix = std::string(source) + ":1:";
    if (text.starts_with(prefix)) {
        text.remove_prefix(prefix.size());
        return fmt::format("column {}", text);
    }
    return std::string(text);
}

EntryFields fields_of(const Json& entry) {
    EntryFields fields;
    fields.is_object = entry.is_object();
    if (!fields.is_object) return fields;

    if (const auto member = entry.find("prev_hash"); member != entry.end() && member->is_string()) {
        fields.prev_hash = member->get_ref<const std::string&>();
    }
    if (const auto member = entry.find("ts"); member != entry.end()) {
        fields.has_ts = true;
        if (member->is_string()) fields.ts = member->get_ref<const std::string&>();
    }
    return fields;
}

// ---------------------------------------------------------------------------
// The verification pass.

std::string entry_place(std::uint64_t index) { return fmt::format("entry {} (line {})", index, index + 1); }

class ChainVerifier {
public:
    ChainVerifier(const std::filesystem::path& log, const VerifyOptions& options)
        : log_(log), options_(options), heads_at_(options.heads_at) {
        for (const AcknowledgedLink& link : options.acknowledged_breaks) acknowledged_.emplace(link.entry, link);
        std::sort(heads_at_.begin(), heads_at_.end());
        heads_at_.erase(std::unique(heads_at_.begin(), heads_at_.end()), heads_at_.end());
    }

    ChainReport run() {
        LineReader reader(log_);
        record_head(0);

        ChainLine line;
        std::uint64_t index = 0;
        while (reader.next(line)) {
            if (!line.complete) {
                report_torn_line(index, line.length);
                break;
            }
            // Once damage is found, lines are only hashed, unless a visitor still needs them.
            if (index >= options_.from_index && (!report_.first_damage || options_.visit)) check_entry(index, line);
            previous_digest_ = line.digest;
            ++index;
            record_head(index);
        }

        report_.entries = index;
        report_.bytes = reader.bytes_read();
        report_.head = index == 0 ? std::string(store::genesis_hash) : tagged_hash(previous_digest_);
        if (unexplained_break_) classify_break();
        return std::move(report_);
    }

private:
    void check_entry(std::uint64_t index, const ChainLine& line) {
        if (line.too_long) {
            report(DamageKind::line_too_long, index,
                   fmt::format("{} is {} bytes long, over the maximum of {} bytes for a chain line", entry_place(index),
                               line.length, max_chain_line_bytes));
            return;
        }

        EntryFields fields;
        Json entry;
        if (options_.visit || !scanner_.accepts(line.bytes, fields)) {
            const std::string source = log_.string();
            try {
                entry = json::parse(line.bytes, source);
            } catch (const Error& error) {
                report(DamageKind::not_json, index,
                       fmt::format("{} is not valid JSON: {}", entry_place(index), parse_error_reason(error, source)));
                return;
            }
            fields = fields_of(entry);
            if (options_.visit && fields.is_object) options_.visit(index, entry, line.bytes);
        }

        if (!fields.is_object) {
            report(DamageKind::not_an_object, index, fmt::format("{} is valid JSON but not an object", entry_place(index)));
            return;
        }
        if (!fields.prev_hash) {
            report(DamageKind::not_an_object, index,
                   fmt::format("{} has no prev_hash member with a string value", entry_place(index)));
            return;
        }

        const bool link_trusted = (index > 0 && index == options_.from_index) || acknowledged_link(index, line);
        if (!link_trusted) check_link(index, *fields.prev_hash);
        check_time(index, fields, link_trusted);
    }

    // True when an acknowledgement covers this entry's link and neither line
    // of the link changed since: an edit after the review is not covered.
    bool acknowledged_link(std::uint64_t index, const ChainLine& line) const {
        const auto [first, last] = acknowledged_.equal_range(index);
        const std::string previous = index == 0 ? std::string(store::genesis_hash) : tagged_hash(previous_digest_);
        for (auto it = first; it != last; ++it) {
            if (it->second.previous_entry_hash == previous && it->second.entry_hash == tagged_hash(line.digest)) return true;
        }
        return false;
    }

    void check_link(std::uint64_t index, std::string_view recorded) {
        const bool linked = index == 0 ? recorded == store::genesis_hash : is_hash_of(recorded, previous_digest_);
        if (linked || report_.first_damage) return;

        if (index > 0 && recorded == store::genesis_hash) {
            const std::string computed = tagged_hash(previous_digest_);
            report(DamageKind::second_genesis, index,
                   fmt::format("{} starts a second chain (prev_hash \"genesis\") instead of linking to entry {} ({})",
                               entry_place(index), index - 1, computed),
                   recorded);
        } else {
            // content_changed or out_of_order: only a second pass over the
            // file can tell, so run() settles it at the end.
            report(DamageKind::content_changed, index, {}, recorded);
            unexplained_break_ = true;
        }
    }

    void check_time(std::uint64_t index, const EntryFields& fields, bool link_trusted) {
        if (!fields.ts) {
            report(DamageKind::invalid_timestamp, index,
                   fields.has_ts ? fmt::format("{} has a ts member that is not a string", entry_place(index))
                                 : fmt::format("{} has no ts member", entry_place(index)),
                   *fields.prev_hash);
            return;
        }
        const auto time = parse_entry_time(*fields.ts);
        if (!time) {
            report(DamageKind::invalid_timestamp, index,
                   fmt::format("{} has ts \"{}\", which is not an RFC 3339 time", entry_place(index), *fields.ts),
                   *fields.prev_hash);
            return;
        }
        if (previous_time_ && !link_trusted && *time < *previous_time_) {
            report(DamageKind::timestamp_backwards, index,
                   fmt::format("{} has ts {}, earlier than ts {} of entry {}", entry_place(index), *fields.ts,
                               previous_ts_, previous_time_index_),
                   *fields.prev_hash);
        }
        previous_time_ = time;
        previous_ts_.assign(*fields.ts);
        previous_time_index_ = index;
    }

    void report_torn_line(std::uint64_t index, std::uint64_t length) {
        if (report_.first_damage) return;
        report(DamageKind::torn_final_line, index,
               fmt::format("line {}: the final {} bytes have no trailing newline, a torn write; the next append "
                           "moves them to the .torn file",
                           index + 1, length));
    }

    // Records the first damage only, so later calls change nothing. Lines
    // are hashed after their check, so previous_digest_ is still the hash of
    // the line before `index`.
    void report(DamageKind kind, std::uint64_t index, std::string message, std::string_view recorded_hash = {}) {
        if (report_.first_damage) return;
        ChainDamage damage;
        damage.kind = kind;
        damage.index = index;
        damage.line = index + 1;
        damage.computed_hash = index == 0 ? std::string(store::genesis_hash) : tagged_hash(previous_digest_);
        damage.recorded_hash = std::string(recorded_hash);
        damage.message = std::move(message);
        report_.first_damage = std::move(damage);
    }

    void record_head(std::uint64_t count) {
        if (!std::binary_search(heads_at_.begin(), heads_at_.end(), count)) return;
        report_.heads_at[count] = count == 0 ? std::string(store::genesis_hash) : tagged_hash(previous_digest_);
    }

    // Looks for a line whose hash the broken entry records. If there is one,
    // the entries are out of order. If not, the previous entry was changed or
    // entries were removed. The search is a second streaming pass, so memory
    // stays flat, and it only runs on a broken chain.
    void classify_break() {
        ChainDamage& damage = *report_.first_damage;
        const std::string previous = damage.index == 0 ? std::string("genesis") : fmt::format("entry {}", damage.index - 1);

        if (is_well_formed_hash(damage.recorded_hash)) {
            LineReader reader(log_);
            ChainLine line;
            for (std::uint64_t index = 0; reader.next(line) && line.complete; ++index) {
                if (index + 1 == damage.index || !is_hash_of(damage.recorded_hash, line.digest)) continue;
                damage.kind = DamageKind::out_of_order;
                damage.links_to = index;
                damage.message = fmt::format("{} links to entry {} instead of {}: entries are out of order",
                                             entry_place(damage.index), index, previous);
                return;
            }
        }

        damage.message =
            damage.index == 0
                ? fmt::format("{} has prev_hash {} instead of \"genesis\": the start of the log was removed or replaced",
                              entry_place(damage.index), damage.recorded_hash)
                : fmt::format("{} has prev_hash {}, but {} hashes to {}: {} was changed, or entries before {} were "
                              "removed",
                              entry_place(damage.index), damage.recorded_hash, previous, damage.computed_hash, previous,
                              entry_place(damage.index));
    }

    const std::filesystem::path& log_;
    const VerifyOptions& options_;
    std::multimap<std::uint64_t, AcknowledgedLink> acknowledged_;
    std::vector<std::uint64_t> heads_at_;      // sorted, unique
    EntryScanner scanner_;
    ChainReport report_;
    Sha256Digest previous_digest_{};
    std::optional<EntryTime> previous_time_;
    std::string previous_ts_;
    std::uint64_t previous_time_index_ = 0;
    bool unexplained_break_ = false;
};

}  // namespace

std::string_view damage_kind_name(DamageKind kind) {
    switch (kind) {
        case DamageKind::content_changed: return "content_changed";
        case DamageKind::out_of_order: return "out_of_order";
        case DamageKind::torn_final_line: return "torn_final_line";
        case DamageKind::not_json: return "not_json";
        case DamageKind::not_an_object: return "not_an_object";
        case DamageKind::invalid_timestamp: return "invalid_timestamp";
        case DamageKind::second_genesis: return "second_genesis";
        case DamageKind::timestamp_backwards: return "timestamp_backwards";
        case DamageKind::line_too_long: return "line_too_long";
    }
    return "unknown";
}

ChainReport verify_chain(const std::filesystem::path& log, const VerifyOptions& options) {
    return ChainVerifier(log, options).run();
}

ChainReport verify_chain(const std::filesystem::path& log, const EntryVisitor& visit, std::uint64_t from_index) {
    VerifyOptions options;
    options.visit = visit;
    options.from_index = from_index;
    return verify_chain(log, options);
}

}  // namespace amp::audit
