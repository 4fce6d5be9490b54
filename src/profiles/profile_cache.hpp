// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "profiles/profile_database.hpp"

namespace suspendfix {

/// What the cache was built from: every file of the search path with what would change if
/// someone edited, replaced, masked or chmod-ed it. Any difference makes the cache stale.
struct CacheSource {
  std::string relative;
  std::string path;
  uint64_t size = 0;
  int64_t mtime_ns = 0;
  int64_t ctime_ns = 0;
  uint64_t inode = 0;
  uint32_t mode = 0;
  uint32_t uid = 0;
};

/// FNV-1a, 64 bits: the cache's checksum and the name of a search path's cache file.
uint64_t fnv1a(std::string_view bytes);

/// The parsed database as bytes (systemd-hwdb's hwdb.bin, fwupd's quirk silo): the hook and
/// detect then skip yaml-cpp, which is ~90% of loading profiles. Pure, for tests.
std::string serialize_database(const ProfileDatabase& database,
                               const std::vector<CacheSource>& sources, const std::string& key);
/// nullopt unless the bytes are intact (magic, version, checksum, bounds) and were built from
/// exactly these sources with this key. Never throws.
std::optional<ProfileDatabase> deserialize_database(std::string_view bytes,
                                                    const std::vector<CacheSource>& sources,
                                                    const std::string& key);

}  // namespace suspendfix
