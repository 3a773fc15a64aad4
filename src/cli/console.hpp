// Terminal output conventions: results on stdout; "amp: error:",
// "amp: warning:" and "amp: hint:" lines on stderr; colour only on a
// terminal and never with NO_COLOR set.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "amp/json/value.hpp"

namespace amp::cli {

void print_error(std::string_view message);
void print_warning(std::string_view message);
void print_hint(std::string_view message);
void print_hints(const std::vector<std::string>& hints);

// One JSON document on stdout, pretty-printed, with a trailing newline.
void print_json(const Json& document);

// Writes a line to stdout.
void print_line(std::string_view text);

bool stdout_is_terminal();

// Wraps text in an ANSI colour when stdout is a colour terminal.
std::string green(std::string_view text);
std::string red(std::string_view text);
std::string yellow(std::string_view text);
std::string bold(std::string_view text);

}  // namespace amp::cli
