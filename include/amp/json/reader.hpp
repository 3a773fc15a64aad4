// Strict JSON reader: RFC 8259 held to I-JSON (RFC 7493) and amp's limits.
//
// Every document amp reads goes through here. It rejects what could let two
// parsers see different documents under one signature: duplicate member names,
// unpaired surrogate escapes, invalid UTF-8, integers outside +/-(2^53 - 1),
// numbers that are not finite doubles (1e400, and 1e-400, which would round
// to 0). A leading UTF-8 byte order mark is skipped.
// Failures throw amp::Error (exit code 3) whose message names the source,
// line and column: "persona.json:12:7: duplicate member name \"role\"".
// Lines end at LF. Columns count bytes from 1, not characters, and the byte
// order mark is not counted.
//
// A number without fraction or exponent is stored as number_integer ("-0"
// as 0), any other number as number_float.
//
// NOTE: I-JSON also forbids noncharacters such as U+FFFF. They are accepted
// here because they cannot make two parsers disagree on a document.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string_view>

#include "amp/json/value.hpp"

namespace amp::json {

// Limits that bound the memory one document can take.
struct ReadLimits {
    // Maximum size of the whole input in bytes, byte order mark included.
    std::size_t max_document_bytes = 16 * 1024 * 1024;
    // Maximum nesting of arrays and objects: 1 allows "[]" but not "[[]]".
    std::size_t max_depth = 128;
};

// Parses `text`; `source` names it in error messages (usually the file path).
Json parse(std::string_view text, std::string_view source, const ReadLimits& limits = {});

// Reads and parses a whole file. A missing or unreadable file is an amp::Error
// naming the path and the system error.
Json read_file(const std::filesystem::path& path, const ReadLimits& limits = {});

}  // namespace amp::json
