#include "amp/clock.hpp"

#include <charconv>
#include <cstdlib>

#include <fmt/format.h>

#include "amp/error.hpp"

namespace amp {

namespace {

// Reads exactly `width` decimal digits at `position`.
std::optional<int> read_digits(std::string_view text, std::size_t position, std::size_t width) {
    if (position + width > text.size()) return std::nullopt;
    int value = 0;
    for (std::size_t i = position; i < position + width; ++i) {
        if (text[i] < '0' || text[i] > '9') return std::nullopt;
        value = value * 10 + (text[i] - '0');
    }
    return value;
}

}  // namespace

TimePoint now() {
    if (const char* fixed = std::getenv("AMP_NOW"); fixed != nullptr && *fixed != '\0') {
        const auto parsed = parse_time(fixed);
        if (!parsed) {
            throw Error(fmt::format("invalid AMP_NOW value \"{}\": expected an RFC 3339 time such as 2026-04-01T09:00:00Z", fixed));
        }
        return *parsed;
    }
    return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
}

std::string format_time(TimePoint time) {
    const auto day = std::chrono::floor<std::chrono::days>(time);
    const std::chrono::year_month_day date{day};
    const std::chrono::hh_mm_ss clock{time - day};
    return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", static_cast<int>(date.year()),
                       static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                       clock.hours().count(), clock.minutes().count(), clock.seconds().count());
}

std::optional<TimePoint> parse_time(std::string_view text) {
    // YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM)
    const auto year = read_digits(text, 0, 4);
    const auto month = read_digits(text, 5, 2);
    const auto day = read_digits(text, 8, 2);
    const auto hour = read_digits(text, 11, 2);
    const auto minute = read_digits(text, 14, 2);
    const auto second = read_digits(text, 17, 2);
    if (!year || !month || !day || !hour || !minute || !second) return std::nullopt;
    if (text[4] != '-' || text[7] != '-' || (text[10] != 'T' && text[10] != 't') || text[13] != ':' ||
        text[16] != ':') {
        return std::nullopt;
    }

    const std::chrono::year_month_day date{std::chrono::year{*year}, std::chrono::month{static_cast<unsigned>(*month)},
                                           std::chrono::day{static_cast<unsigned>(*day)}};
    if (!date.ok() || *hour > 23 || *minute > 59 || *second > 60) return std::nullopt;

    std::size_t position = 19;
    if (position < text.size() && text[position] == '.') {
        ++position;
        const std::size_t digits_start = position;
        while (position < text.size() && text[position] >= '0' && text[position] <= '9') ++position;
        if (position == digits_start) return std::nullopt;
    }
    if (position >= text.size()) return std::nullopt;

    std::chrono::seconds offset{0};
    if (text[position] == 'Z' || text[position] == 'z') {
        ++position;
    } else if (text[position] == '+' || text[position] == '-') {
        const auto offset_hours = read_digits(text, position + 1, 2);
        const auto offset_minutes = read_digits(text, position + 4, 2);
        if (!offset_hours || !offset_minutes || text[position + 3] != ':' || *offset_hours > 23 ||
            *offset_minutes > 59) {
            return std::nullopt;
        }
        offset = std::chrono::hours{*offset_hours} + std::chrono::minutes{*offset_minutes};
        if (text[position] == '-') offset = -offset;
        position += 6;
    } else {
        return std::nullopt;
    }
    if (position != text.size()) return std::nullopt;

    // A leap second (:60) is folded into the next second.
    const auto local = std::chrono::sys_days{date} + std::chrono::hours{*hour} + std::chrono::minutes{*minute} +
                       std::chrono::seconds{*second};
    return TimePoint{local - offset};
}

std::optional<std::chrono::seconds> parse_duration(std::string_view text) {
    if (text.empty()) return std::nullopt;
    long long multiplier = 1;
    switch (text.back()) {
        case 'd': multiplier = 86400; break;
        case 'h': multiplier = 3600; break;
        case 'm': multiplier = 60; break;
        case 's': multiplier = 1; break;
        default: multiplier = 0; break;
    }
    const std::string_view digits = multiplier == 0 ? text : text.substr(0, text.size() - 1);
    if (multiplier == 0) multiplier = 1;

    long long count = 0;
    const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), count);
    if (error != std::errc{} || end != digits.data() + digits.size() || digits.empty() || count < 0 ||
        count > 100LL * 365 * 86400 / multiplier) {
        return std::nullopt;
    }
    return std::chrono::seconds{count * multiplier};
}

}  // namespace amp
