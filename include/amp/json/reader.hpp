// Strict JSON reader: RFC 8259 held to I-JSON (RFC 7493) and amp's limits.
//
// Every document amp reads goes through here. It rejects what could let two
// parsers see different documents under one signature: duplicate member names,
// unpaired surrogate escapes, invalid UTF-8, integers outside +/-(2^53 - 1),
// non-finite numbers. A leading UTF-8 byte order mark is skipped.
// Failures throw amp::Error (exit code 3) whose message names the source,
// line and column: "persona.json:12:7: duplicate member name \"role\"".
#pragma once

#include <cstddef>
#include <filesystem>
#include <string_view>

#include "amp/json/value.hpp"

namespace amp::json {

struct ReadLimits {
    std::size_t max_document_bytes = 16 * 1024 * 1024;
    std::size_t max_depth = 128;
};

// Parses `text`; `source` names it in error messages (usually the file path).
Json parse(std::string_view text, std::string_view source, const ReadLimits& limits = {});

// Reads and parses a whole file. A missing or unreadable file is an amp::Error
// naming the path and the system error.
Json read_file(const std::filesystem::path& path, const ReadLimits& limits = {});

}  // namespace amp::json
