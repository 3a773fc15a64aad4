// Strict JSON reader: see reader.hpp for the rules it enforces.
//
// The parser is iterative. An explicit stack of open arrays and objects takes
// the place of recursion, so a caller may raise max_depth without risking the
// thread's stack. Positions are byte offsets, and line and column are worked
// out only when an error is reported, which keeps the accepting path cheap.

#include "amp/json/reader.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include <fmt/format.h>

#include "amp/error.hpp"

namespace amp::json {
namespace {

// 2^53 - 1: every integer up to this magnitude survives a trip through a double.
constexpr std::int64_t max_exact_integer = 9007199254740991;

constexpr std::string_view byte_order_mark = "\xEF\xBB\xBF";

// Objects up to this many members are checked for duplicate names by a linear
// scan, which allocates nothing. Larger ones get a hash index so that a huge
// object costs O(n) rather than O(n^2).
constexpr std::size_t max_scanned_members = 16;

// ordered_map is a std::vector of members. Using the vector directly skips
// ordered_map's own linear search by name, which the duplicate check replaces.
using MemberVector = Json::object_t::Container;

MemberVector& members_of(Json& object) { return object.get_ref<Json::object_t&>(); }

// Maximum length in bytes of a number or member name quoted in an error message.
constexpr std::size_t max_quoted_bytes = 60;

struct Position {
    std::size_t line;
    std::size_t column;
};

// An array or object whose closing bracket has not been read yet.
struct OpenContainer {
    Json* value;
    std::size_t open_offset;
    // Index into Parser::name_offsets_ of this object's first member name.
    std::size_t first_name;
    // Member name -> member index, built only once an object outgrows the scan.
    std::unique_ptr<std::unordered_map<std::string, std::size_t>> name_index;
};

bool is_continuation(unsigned char byte) { return (byte & 0xC0) == 0x80; }

bool is_digit(unsigned char byte) { return byte >= '0' && byte <= '9'; }

int hex_value(unsigned char byte) {
    if (byte >= '0' && byte <= '9') return byte - '0';
    if (byte >= 'a' && byte <= 'f') return byte - 'a' + 10;
    if (byte >= 'A' && byte <= 'F') return byte - 'A' + 10;
    return -1;
}

void append_utf8(std::string& out, std::uint32_t code_point) {
    if (code_point < 0x80) {
        out += static_cast<char>(code_point);
    } else if (code_point < 0x800) {
        out += static_cast<char>(0xC0 | (code_point >> 6));
        out += static_cast<char>(0x80 | (code_point & 0x3F));
    } else if (code_point < 0x10000) {
        out += static_cast<char>(0xE0 | (code_point >> 12));
        out += static_cast<char>(0x80 | ((code_point >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (code_point & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (code_point >> 18));
        out += static_cast<char>(0x80 | ((code_point >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((code_point >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (code_point & 0x3F));
    }
}

// Cuts `text` to at most max_quoted_bytes without splitting a UTF-8 sequence.
std::string_view excerpt(std::string_view text, bool& truncated) {
    truncated = text.size() > max_quoted_bytes;
    if (!truncated) return text;

    std::size_t end = max_quoted_bytes;
    while (end > 0 && is_continuation(static_cast<unsigned char>(text[end]))) --end;
    return text.substr(0, end);
}

// Renders a decoded member name for a message: quoted, with control
// characters, quotes and backslashes escaped, and long names shortened.
std::string quote_name(std::string_view name) {
    bool truncated = false;
    std::string quoted = "\"";
    for (const char ch : excerpt(name, truncated)) {
        const auto byte = static_cast<unsigned char>(ch);
        if (ch == '"' || ch == '\\') {
            quoted += '\\';
            quoted += ch;
        } else if (byte < 0x20) {
            quoted += fmt::format("\\u{:04x}", byte);
        } else {
            quoted += ch;
        }
    }
    quoted += truncated ? "...\"" : "\"";
    return quoted;
}

// Renders the source text of a number for a message, shortened when long.
std::string quote_number(std::string_view token) {
    bool truncated = false;
    std::string quoted(excerpt(token, truncated));
    if (truncated) quoted += "...";
    return quoted;
}

// Returns the decimal exponent of the first nonzero digit of a number token
// (value = d.ddd x 10^result), saturated far beyond any double's range. Only
// used to tell overflow from underflow once from_chars has rejected a number.
std::int64_t leading_exponent(std::string_view token) {
    constexpr std::int64_t saturation = 1'000'000'000;

    std::size_t i = (token[0] == '-') ? 1 : 0;
    std::int64_t integer_digits = 0;
    std::int64_t lead = 0;
    bool found = false;
    for (; i < token.size() && is_digit(token[i]); ++i) {
        if (!found && token[i] != '0') {
            found = true;
            lead = -integer_digits;
        }
        if (integer_digits < saturation) ++integer_digits;
    }
    if (found) lead += integer_digits - 1;

    if (i < token.size() && token[i] == '.') {
        std::int64_t fraction_digits = 0;
        for (++i; i < token.size() && is_digit(token[i]); ++i) {
            if (fraction_digits < saturation) ++fraction_digits;
            if (!found && token[i] != '0') {
                found = true;
                lead = -fraction_digits;
            }
        }
    }

    std::int64_t exponent = 0;
    if (i < token.size() && (token[i] == 'e' || token[i] == 'E')) {
        ++i;
        const bool negative = token[i] == '-';
        if (token[i] == '-' || token[i] == '+') ++i;
        for (; i < token.size(); ++i) {
            if (exponent < saturation) exponent = exponent * 10 + (token[i] - '0');
        }
        if (negative) exponent = -exponent;
    }
    return lead + exponent;
}

std::string oversized_message(std::string_view size, std::size_t limit) {
    return fmt::format("document is {} bytes, over the limit of {} bytes (max_document_bytes)", size, limit);
}

class Parser {
public:
    Parser(std::string_view text, std::string_view source, const ReadLimits& limits)
        : text_(text), source_(source), limits_(limits) {}

    Json parse_document();

private:
    [[noreturn]] void fail_at(std::size_t offset, std::string_view problem) const;
    Position locate(std::size_t offset) const;
    std::string describe_unexpected(std::size_t offset) const;
    std::string where(std::size_t offset) const;

    bool at_end() const { return pos_ == text_.size(); }
    unsigned char current() const { return static_cast<unsigned char>(text_[pos_]); }
    void skip_whitespace();

    bool begin_value(Json& slot);
    [[noreturn]] void fail_no_value() const;
    void open_container(Json& slot, Json&& empty);
    void close_container();
    Json* begin_member(OpenContainer& object);
    void check_duplicate(OpenContainer& object, std::size_t name_offset);

    void read_string(std::string& out);
    void read_escape(std::string& out, std::size_t string_offset);
    std::uint32_t read_hex4(std::size_t escape_offset, std::size_t string_offset);
    std::size_t validate_utf8_sequence(std::size_t offset, std::uint32_t& code_point) const;
    void read_number(Json& slot);
    void read_integer(Json& slot, std::size_t start);
    void read_float(Json& slot, std::size_t start);
    void read_literal(Json& slot);

    std::string_view text_;
    std::string_view source_;
    const ReadLimits& limits_;
    std::size_t pos_ = 0;

    std::vector<OpenContainer> open_;
    // Byte offsets of the member names of every open object, innermost last,
    // so that a duplicate can point at the first occurrence too.
    std::vector<std::size_t> name_offsets_;
    // Reused for every string and member name to avoid an allocation per token.
    std::string scratch_;
};

void Parser::fail_at(std::size_t offset, std::string_view problem) const {
    const Position position = locate(offset);
    throw Error(fmt::format("{}:{}:{}: {}", source_, position.line, position.column, problem));
}

Position Parser::locate(std::size_t offset) const {
    Position position{1, 1};
    std::size_t line_start = 0;
    for (std::size_t i = 0; i < offset && i < text_.size(); ++i) {
        if (text_[i] == '\n') {
            ++position.line;
            line_start = i + 1;
        }
    }
    position.column = offset - line_start + 1;
    return position;
}

std::string Parser::where(std::size_t offset) const {
    const Position position = locate(offset);
    return fmt::format("line {}, column {}", position.line, position.column);
}

// Names the byte at `offset` for a message. A non-ASCII byte is first checked
// as UTF-8, so that invalid UTF-8 is reported as such wherever it appears.
std::string Parser::describe_unexpected(std::size_t offset) const {
    const auto byte = static_cast<unsigned char>(text_[offset]);
    if (byte >= 0x80) {
        std::uint32_t code_point = 0;
        validate_utf8_sequence(offset, code_point);
        if (code_point == 0xFEFF) return "a byte order mark (U+FEFF), which is allowed only at the start";
        return fmt::format("character U+{:04X}", code_point);
    }
    if (byte < 0x20 || byte == 0x7F) {
        return fmt::format(
            "control character 0x{:02x} (only space, tab, line feed and carriage return may separate tokens)",
            byte);
    }
    return fmt::format("'{}'", static_cast<char>(byte));
}

void Parser::skip_whitespace() {
    while (!at_end()) {
        const unsigned char byte = current();
        if (byte != ' ' && byte != '\t' && byte != '\n' && byte != '\r') return;
        ++pos_;
    }
}

Json Parser::parse_document() {
    if (text_.size() > limits_.max_document_bytes) {
        fail_at(0, oversized_message(std::to_string(text_.size()), limits_.max_document_bytes));
    }

    // Offsets, lines and columns count from the first byte after the mark.
    if (text_.starts_with(byte_order_mark)) text_.remove_prefix(byte_order_mark.size());

    Json root;
    Json* slot = &root;
    while (slot != nullptr) {
        skip_whitespace();
        const bool opened = begin_value(*slot);
        slot = nullptr;

        if (opened) {
            skip_whitespace();
            OpenContainer& container = open_.back();
            const char close = container.value->is_object() ? '}' : ']';
            if (!at_end() && text_[pos_] == close) {
                ++pos_;
                close_container();
            } else if (container.value->is_object()) {
                slot = begin_member(container);
                continue;
            } else {
                slot = &container.value->get_ref<Json::array_t&>().emplace_back();
                continue;
            }
        }

        // A value is complete: find where the next one goes, closing every
        // container that ends here.
        while (slot == nullptr && !open_.empty()) {
            skip_whitespace();
            OpenContainer& container = open_.back();
            const bool is_object = container.value->is_object();
            const char close = is_object ? '}' : ']';
            const char* kind = is_object ? "an object" : "an array";
            if (at_end()) {
                fail_at(pos_, fmt::format("unexpected end of input inside {} (opened at {})", kind,
                                          where(container.open_offset)));
            }

            if (text_[pos_] == close) {
                ++pos_;
                close_container();
            } else if (text_[pos_] == ',') {
                ++pos_;
                skip_whitespace();
                if (!at_end() && text_[pos_] == close) {
                    fail_at(pos_, fmt::format("trailing comma before '{}'", close));
                }
                slot = is_object ? begin_member(container)
                                 : &container.value->get_ref<Json::array_t&>().emplace_back();
            } else {
                fail_at(pos_, fmt::format("expected ',' or '{}' after {} in {}, found {}", close,
                                          is_object ? "a member" : "an element", kind,
                                          describe_unexpected(pos_)));
            }
        }
    }

    skip_whitespace();
    if (!at_end()) {
        fail_at(pos_, fmt::format("unexpected {} after the end of the JSON value", describe_unexpected(pos_)));
    }
    return root;
}

// Reads the value at pos_ into `slot`. Returns true when the value is an
// array or object whose members are still to be read.
bool Parser::begin_value(Json& slot) {
    if (at_end()) fail_no_value();

    switch (current()) {
        case '{':
            open_container(slot, Json::object());
            return true;
        case '[':
            open_container(slot, Json::array());
            return true;
        case '"':
            read_string(scratch_);
            slot = scratch_;
            return false;
        case 't':
        case 'f':
        case 'n':
            read_literal(slot);
            return false;
        default:
            break;
    }

    if (current() == '-' || is_digit(current())) {
        read_number(slot);
        return false;
    }

    const std::string_view rest = text_.substr(pos_);
    if (rest.starts_with("NaN") || rest.starts_with("Infinity")) {
        fail_at(pos_, "NaN and Infinity are not allowed in JSON");
    }
    switch (current()) {
        case '\'':
            fail_at(pos_, "strings must be enclosed in double quotes, not single quotes");
        case '/':
            fail_at(pos_, "comments are not allowed in JSON");
        case '+':
            fail_at(pos_, "a number must not start with '+'");
        case '.':
            fail_at(pos_, "a number must start with a digit, not '.'");
        default:
            fail_at(pos_, fmt::format("expected a JSON value, found {}", describe_unexpected(pos_)));
    }
}

void Parser::fail_no_value() const {
    if (open_.empty() && text_.find_first_not_of(" \t\n\r") == std::string_view::npos) {
        fail_at(pos_, "document is empty, expected a JSON value");
    }
    fail_at(pos_, "unexpected end of input, expected a JSON value");
}

void Parser::open_container(Json& slot, Json&& empty) {
    if (open_.size() >= limits_.max_depth) {
        fail_at(pos_, fmt::format("nesting depth exceeds the limit of {} (max_depth)", limits_.max_depth));
    }

    slot = std::move(empty);
    open_.push_back(OpenContainer{&slot, pos_, name_offsets_.size(), nullptr});
    ++pos_;
}

void Parser::close_container() {
    name_offsets_.resize(open_.back().first_name);
    open_.pop_back();
}

// Reads a member name and its colon, appends the member, and returns the
// slot its value goes into.
Json* Parser::begin_member(OpenContainer& object) {
    if (at_end()) {
        fail_at(pos_, fmt::format("unexpected end of input inside an object (opened at {})",
                                  where(object.open_offset)));
    }
    if (current() != '"') {
        fail_at(pos_, fmt::format("expected a member name in double quotes, found {}", describe_unexpected(pos_)));
    }

    const std::size_t name_offset = pos_;
    read_string(scratch_);
    check_duplicate(object, name_offset);

    skip_whitespace();
    if (at_end()) fail_at(pos_, "unexpected end of input, expected ':' after a member name");
    if (current() != ':') {
        fail_at(pos_, fmt::format("expected ':' after member name {}, found {}", quote_name(scratch_),
                                  describe_unexpected(pos_)));
    }
    ++pos_;

    MemberVector& members = members_of(*object.value);
    members.emplace_back(scratch_, nullptr);
    name_offsets_.push_back(name_offset);
    return &members.back().second;
}

// Rejects the name in scratch_ if the object already has a member of that name.
void Parser::check_duplicate(OpenContainer& object, std::size_t name_offset) {
    const MemberVector& members = members_of(*object.value);
    const std::size_t count = members.size();
    std::size_t first = count;

    if (object.name_index) {
        const auto [entry, inserted] = object.name_index->try_emplace(scratch_, count);
        if (!inserted) first = entry->second;
    } else {
        for (std::size_t i = 0; i < count; ++i) {
            if (members[i].first == scratch_) {
                first = i;
                break;
            }
        }
        if (first == count && count + 1 > max_scanned_members) {
            object.name_index = std::make_unique<std::unordered_map<std::string, std::size_t>>();
            object.name_index->reserve(2 * (count + 1));
            for (std::size_t i = 0; i < count; ++i) object.name_index->emplace(members[i].first, i);
            object.name_index->emplace(scratch_, count);
        }
    }

    if (first != count) {
        fail_at(name_offset, fmt::format("duplicate member name {}, first defined at {} "
                                         "(a signed document must not repeat a name)",
                                         quote_name(scratch_), where(name_offsets_[object.first_name + first])));
    }
}

// Reads the string starting at the quote at pos_ into `out`, decoding escapes
// and checking that every byte is valid UTF-8.
void Parser::read_string(std::string& out) {
    const std::size_t string_offset = pos_;
    out.clear();
    ++pos_;

    std::size_t run_start = pos_;
    while (!at_end()) {
        const unsigned char byte = current();
        if (byte == '"') {
            out.append(text_, run_start, pos_ - run_start);
            ++pos_;
            return;
        }
        if (byte == '\\') {
            out.append(text_, run_start, pos_ - run_start);
            read_escape(out, string_offset);
            run_start = pos_;
        } else if (byte < 0x20) {
            fail_at(pos_, fmt::format("control character 0x{:02x} inside a string must be written as an escape",
                                      byte));
        } else if (byte >= 0x80) {
            std::uint32_t code_point = 0;
            pos_ += validate_utf8_sequence(pos_, code_point);
        } else {
            ++pos_;
        }
    }
    fail_at(pos_, fmt::format("unexpected end of input inside a string (the string starts at {})",
                              where(string_offset)));
}

void Parser::read_escape(std::string& out, std::size_t string_offset) {
    const std::size_t escape_offset = pos_;
    ++pos_;
    if (at_end()) {
        fail_at(pos_, fmt::format("unexpected end of input inside a string (the string starts at {})",
                                  where(string_offset)));
    }

    const unsigned char kind = current();
    ++pos_;
    switch (kind) {
        case '"': out += '"'; return;
        case '\\': out += '\\'; return;
        case '/': out += '/'; return;
        case 'b': out += '\b'; return;
        case 'f': out += '\f'; return;
        case 'n': out += '\n'; return;
        case 'r': out += '\r'; return;
        case 't': out += '\t'; return;
        case 'u': break;
        default:
            if (kind < 0x20 || kind >= 0x7F) {
                fail_at(escape_offset, fmt::format("invalid escape sequence: '\\' followed by {}",
                                                   describe_unexpected(escape_offset + 1)));
            }
            fail_at(escape_offset, fmt::format("invalid escape sequence \\{}", static_cast<char>(kind)));
    }

    const std::uint32_t unit = read_hex4(escape_offset, string_offset);
    if (unit >= 0xDC00 && unit <= 0xDFFF) {
        fail_at(escape_offset, fmt::format("unpaired UTF-16 surrogate \\u{:04x} (a low surrogate must follow "
                                           "a high surrogate)", unit));
    }
    if (unit < 0xD800 || unit > 0xDBFF) {
        append_utf8(out, unit);
        return;
    }

    // A high surrogate must be followed at once by an escaped low surrogate.
    const std::size_t low_offset = pos_;
    if (!text_.substr(pos_).starts_with("\\u")) {
        fail_at(escape_offset, fmt::format("unpaired UTF-16 surrogate \\u{:04x} (no low surrogate follows)", unit));
    }
    pos_ += 2;
    const std::uint32_t low = read_hex4(low_offset, string_offset);
    if (low < 0xDC00 || low > 0xDFFF) {
        fail_at(escape_offset, fmt::format("unpaired UTF-16 surrogate \\u{:04x} (followed by \\u{:04x}, "
                                           "which is not a low surrogate)", unit, low));
    }
    append_utf8(out, 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00));
}

// Reads the four hex digits of a \u escape. pos_ must be just after the 'u'.
std::uint32_t Parser::read_hex4(std::size_t escape_offset, std::size_t string_offset) {
    std::uint32_t unit = 0;
    for (int i = 0; i < 4; ++i) {
        if (at_end()) {
            fail_at(pos_, fmt::format("unexpected end of input inside a string (the string starts at {})",
                                      where(string_offset)));
        }
        const int digit = hex_value(current());
        if (digit < 0) {
            fail_at(escape_offset, "invalid \\u escape: expected 4 hex digits after \\u");
        }
        unit = unit * 16 + static_cast<std::uint32_t>(digit);
        ++pos_;
    }
    return unit;
}

// Checks the UTF-8 sequence starting at `offset` (a byte >= 0x80) and returns
// its length. Rejects stray continuation bytes, overlong forms, encoded
// surrogates, code points above U+10FFFF and truncated sequences.
std::size_t Parser::validate_utf8_sequence(std::size_t offset, std::uint32_t& code_point) const {
    const auto lead = static_cast<unsigned char>(text_[offset]);
    std::size_t length = 0;
    unsigned char min_second = 0x80;
    unsigned char max_second = 0xBF;

    if (lead >= 0xC2 && lead <= 0xDF) {
        length = 2;
        code_point = lead & 0x1F;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
        length = 3;
        code_point = lead & 0x0F;
        if (lead == 0xE0) min_second = 0xA0;
        if (lead == 0xED) max_second = 0x9F;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
        length = 4;
        code_point = lead & 0x07;
        if (lead == 0xF0) min_second = 0x90;
        if (lead == 0xF4) max_second = 0x8F;
    } else if (lead == 0xC0 || lead == 0xC1) {
        fail_at(offset, fmt::format("invalid UTF-8 byte 0x{:02x} (it can only start an overlong encoding)", lead));
    } else if (is_continuation(lead)) {
        fail_at(offset, fmt::format("invalid UTF-8 byte 0x{:02x} (a continuation byte without a lead byte)", lead));
    } else {
        fail_at(offset, fmt::format("invalid UTF-8 byte 0x{:02x}", lead));
    }

    for (std::size_t i = 1; i < length; ++i) {
        if (offset + i >= text_.size()) {
            fail_at(offset, fmt::format("truncated UTF-8 sequence: input ends after lead byte 0x{:02x}", lead));
        }
        const auto byte = static_cast<unsigned char>(text_[offset + i]);
        if (!is_continuation(byte)) {
            fail_at(offset, fmt::format("truncated UTF-8 sequence: lead byte 0x{:02x} is followed by 0x{:02x}",
                                        lead, byte));
        }
        if (i == 1 && (byte < min_second || byte > max_second)) {
            if (lead == 0xE0 || lead == 0xF0) {
                fail_at(offset, fmt::format("overlong UTF-8 encoding 0x{:02x} 0x{:02x}", lead, byte));
            }
            if (lead == 0xED) {
                fail_at(offset, fmt::format("UTF-8 encoded surrogate 0x{:02x} 0x{:02x} (surrogates are not "
                                            "characters)", lead, byte));
            }
            fail_at(offset, fmt::format("UTF-8 sequence 0x{:02x} 0x{:02x} encodes a code point above U+10FFFF",
                                        lead, byte));
        }
        code_point = (code_point << 6) | (byte & 0x3F);
    }
    return length;
}

void Parser::read_number(Json& slot) {
    const std::size_t start = pos_;
    if (current() == '-') {
        ++pos_;
        if (text_.substr(pos_).starts_with("Infinity")) fail_at(start, "NaN and Infinity are not allowed in JSON");
        if (at_end() || !is_digit(current())) fail_at(pos_, "expected a digit after '-'");
    }

    if (current() == '0') {
        ++pos_;
        if (!at_end() && is_digit(current())) {
            fail_at(start, "leading zeros are not allowed in numbers");
        }
    } else {
        while (!at_end() && is_digit(current())) ++pos_;
    }

    bool integral = true;
    if (!at_end() && current() == '.') {
        integral = false;
        ++pos_;
        if (at_end() || !is_digit(current())) fail_at(pos_, "expected a digit after the decimal point");
        while (!at_end() && is_digit(current())) ++pos_;
    }
    if (!at_end() && (current() == 'e' || current() == 'E')) {
        integral = false;
        ++pos_;
        if (!at_end() && (current() == '+' || current() == '-')) ++pos_;
        if (at_end() || !is_digit(current())) fail_at(pos_, "expected a digit in the exponent");
        while (!at_end() && is_digit(current())) ++pos_;
    }

    if (integral) {
        read_integer(slot, start);
    } else {
        read_float(slot, start);
    }
}

void Parser::read_integer(Json& slot, std::size_t start) {
    const std::string_view token = text_.substr(start, pos_ - start);

    // 2^53 - 1 has 16 digits. Longer tokens cannot be in range and could
    // overflow int64_t, so they skip conversion.
    const std::size_t digits = token.size() - (token[0] == '-' ? 1 : 0);
    std::int64_t value = 0;
    bool in_range = digits <= 16;
    if (in_range) {
        std::from_chars(token.data(), token.data() + token.size(), value);
        in_range = value >= -max_exact_integer && value <= max_exact_integer;
    }
    if (!in_range) {
        fail_at(start, fmt::format("integer {} is outside ±(2^53-1), the range a double holds exactly",
                                   quote_number(token)));
    }

    // "-0" becomes integer 0, which is also its canonical form.
    slot = value;
}

void Parser::read_float(Json& slot, std::size_t start) {
    const std::string_view token = text_.substr(start, pos_ - start);

    double value = 0;
    const auto result = std::from_chars(token.data(), token.data() + token.size(), value);
    if (result.ec == std::errc::result_out_of_range) {
        if (leading_exponent(token) >= 0) {
            fail_at(start, fmt::format("number {} is too large for a double", quote_number(token)));
        }
        fail_at(start, fmt::format("number {} is too small for a double (it would round to 0)",
                                   quote_number(token)));
    }
    if (result.ec != std::errc() || result.ptr != token.data() + token.size()) {
        fail_at(start, fmt::format("number {} could not be converted to a double", quote_number(token)));
    }

    slot = value;
}

void Parser::read_literal(Json& slot) {
    const std::string_view rest = text_.substr(pos_);
    if (rest.starts_with("true")) {
        slot = true;
        pos_ += 4;
    } else if (rest.starts_with("false")) {
        slot = false;
        pos_ += 5;
    } else if (rest.starts_with("null")) {
        slot = nullptr;
        pos_ += 4;
    } else {
        fail_at(pos_, "invalid literal (expected true, false or null)");
    }
}

// Closes a file descriptor when the read is done, whichever way it ends.
class FileDescriptor {
public:
    explicit FileDescriptor(int fd) : fd_(fd) {}
    ~FileDescriptor() {
        if (fd_ >= 0) ::close(fd_);
    }
    FileDescriptor(const FileDescriptor&) = delete;
    FileDescriptor& operator=(const FileDescriptor&) = delete;
    int get() const { return fd_; }

private:
    int fd_;
};

[[noreturn]] void fail_read(const std::filesystem::path& path, int error_number) {
    throw Error(fmt::format("cannot read {}: {}", path.string(), std::strerror(error_number)));
}

}  // namespace

Json parse(std::string_view text, std::string_view source, const ReadLimits& limits) {
    Parser parser(text, source, limits);
    return parser.parse_document();
}

Json read_file(const std::filesystem::path& path, const ReadLimits& limits) {
    const FileDescriptor file(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (file.get() < 0) fail_read(path, errno);

    struct stat status {};
    if (::fstat(file.get(), &status) != 0) fail_read(path, errno);
    if (S_ISDIR(status.st_mode)) fail_read(path, EISDIR);

    // An oversized regular file is rejected before it is read. Reading also
    // stops one byte past the limit, for files whose size fstat cannot give
    // (a FIFO, a device).
    const std::size_t limit = limits.max_document_bytes;
    std::string content;
    if (S_ISREG(status.st_mode)) {
        const auto size = static_cast<std::size_t>(status.st_size);
        if (size > limit) {
            throw Error(fmt::format("{}:1:1: {}", path.string(), oversized_message(std::to_string(size), limit)));
        }
        content.reserve(size);
    }
    const std::size_t cap = limit + 1;
    char buffer[65536];
    while (content.size() < cap) {
        const std::size_t chunk_size = std::min(sizeof buffer, cap - content.size());
        const ssize_t count = ::read(file.get(), buffer, chunk_size);
        if (count < 0) {
            if (errno == EINTR) continue;
            fail_read(path, errno);
        }
        if (count == 0) break;
        content.append(buffer, static_cast<std::size_t>(count));
    }
    if (content.size() > limit) {
        throw Error(fmt::format("{}:1:1: {}", path.string(),
                                oversized_message(fmt::format("more than {}", limit), limit)));
    }

    return parse(content, path.string(), limits);
}

}  // namespace amp::json
