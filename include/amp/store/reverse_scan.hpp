// Reading a JSON Lines file from its end, a line at a time.
#pragma once

#include <filesystem>
#include <functional>
#include <string_view>

namespace amp::store {

// Calls `visit` with each complete line (without "\n"), last line first,
// until it returns true or the file's start is reached. A torn final
// fragment (no "\n") is skipped. The cost is proportional to how far back
// the visitor reads, not to the file's length. A missing file has no lines.
// Throws amp::Error on read failure.
void scan_lines_backward(const std::filesystem::path& path, const std::function<bool(std::string_view line)>& visit);

}  // namespace amp::store
