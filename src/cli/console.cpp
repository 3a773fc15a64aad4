#include "console.hpp"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include <fmt/format.h>

#include "amp/json/writer.hpp"

namespace amp::cli {

namespace {

bool colour_allowed(int fd) {
    const char* no_colour = std::getenv("NO_COLOR");
    if (no_colour != nullptr && *no_colour != '\0') return false;
    const char* term = std::getenv("TERM");
    if (term != nullptr && std::string_view(term) == "dumb") return false;
    return ::isatty(fd) == 1;
}

std::string paint(std::string_view text, std::string_view code, int fd) {
    if (!colour_allowed(fd)) return std::string(text);
    return fmt::format("\x1b[{}m{}\x1b[0m", code, text);
}

void print_prefixed(std::string_view label, std::string_view code, std::string_view message) {
    std::fflush(stdout);  // keep the two streams in order when both go to one terminal
    fmt::print(stderr, "amp: {} {}\n", paint(label, code, STDERR_FILENO), message);
}

}  // namespace

void print_error(std::string_view message) { print_prefixed("error:", "1;31", message); }
void print_warning(std::string_view message) { print_prefixed("warning:", "1;33", message); }
void print_hint(std::string_view message) { print_prefixed("hint:", "1;36", message); }

void print_hints(const std::vector<std::string>& hints) {
    for (const std::string& hint : hints) print_hint(hint);
}

void print_json(const Json& document) { fmt::print("{}", json::to_pretty(document)); }

void print_line(std::string_view text) { fmt::print("{}\n", text); }

bool stdout_is_terminal() { return ::isatty(STDOUT_FILENO) == 1; }

std::string green(std::string_view text) { return paint(text, "32", STDOUT_FILENO); }
std::string red(std::string_view text) { return paint(text, "31", STDOUT_FILENO); }
std::string yellow(std::string_view text) { return paint(text, "33", STDOUT_FILENO); }
std::string bold(std::string_view text) { return paint(text, "1", STDOUT_FILENO); }

}  // namespace amp::cli
