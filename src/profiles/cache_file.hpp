// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <optional>
#include <string>

#include "trusted_file.hpp"

namespace suspendfix {

/// The profile cache on disk: a file only the effective user (or root) can have written, in a
/// directory only they can write to, since as root it decides which drivers leave the kernel.

/// Creates `directory` and what is missing above it with mode 0755, whatever the umask, then
/// checks it and the directories above it under `rule`. False (logged) when it cannot be used.
bool prepare_cache_directory(const std::string& directory, TrustRule rule);

/// The bytes of the cache file, or nullopt when there is none or it is refused (logged): a
/// link, not a regular file, or not trusted under `rule`.
std::optional<std::string> read_cache_file(const std::string& path, TrustRule rule);

/// Writes the cache atomically (a temporary file, mode 0644, renamed over the old one).
/// Failures are logged at debug level: the cache is only an optimisation.
void write_cache_file(const std::string& path, const std::string& bytes);

}  // namespace suspendfix
