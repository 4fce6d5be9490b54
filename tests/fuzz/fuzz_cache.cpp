// SPDX-License-Identifier: GPL-2.0-or-later
// The cache reader on any body. The input is what follows the sources and key in the payload:
// the target adds the header and the checksum a crafted cache would carry, so that mutations
// reach the reader instead of failing the checksum. A profile read back must be as safe to use
// as a parsed one (a class byte count of 4 shifted by a negative amount in matches()).
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

#include "exercise.hpp"
#include "profiles/profile_cache.hpp"

using namespace suspendfix;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // An empty database's bytes: magic, format, checksum, then the sources-and-key prefix and an
  // empty body. Keep the prefix, put the input in place of the body, fix the checksum.
  static const std::string empty = serialize_database({}, {}, "fuzz");
  static const size_t header = 8 + 4 + 8;
  static const size_t prefix = empty.size() - header - (8 + 4 + 4 + 4);
  std::string payload = empty.substr(header, prefix);
  payload.append(reinterpret_cast<const char*>(data), size);
  std::string bytes = empty.substr(0, header - 8);
  const uint64_t checksum = fnv1a(payload);
  bytes.append(reinterpret_cast<const char*>(&checksum), sizeof checksum);
  bytes += payload;
  if (const auto database = deserialize_database(bytes, {}, "fuzz")) {
    for (const Profile& profile : database->profiles) fuzz::exercise(profile, false);
    for (const FileError& error : database->errors) escape_for_terminal(error.what());
  }
  return 0;
}
