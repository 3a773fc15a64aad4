// Durable file primitives: whole-file reads and atomic replacement.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace amp::store {

// Reads a whole file. Throws amp::Error naming the path and the system error.
std::string read_file(const std::filesystem::path& path);

// Replaces `target` so that a reader sees either the old or the new contents,
// never a mix: a temporary file in the same directory (O_EXCL, the target's
// mode, else `mode_for_new`), fsync, rename over the target, fsync of the
// directory. Throws amp::Error and leaves the target untouched on failure.
void replace_file(const std::filesystem::path& target, std::string_view contents,
                  mode_t mode_for_new = 0644);

// Removes the temporary files that replace_file left beside `target` when a
// writer was killed before its rename. Call it only while holding the lock
// that every writer of `target` takes, so that no live writer's file goes.
// Returns how many were removed.
std::size_t remove_abandoned_temporaries(const std::filesystem::path& target);

// Creates a new file that must not exist yet (O_EXCL), with `mode`, and fsyncs
// it and its directory. Used for private keys.
void create_new_file(const std::filesystem::path& target, std::string_view contents, mode_t mode);

}  // namespace amp::store
