// SPDX-License-Identifier: GPL-2.0-or-later
// The profile parser (yaml-cpp's event stream, the tree, the typed reader) on any bytes: a
// ProfileError or a profile, never anything else. An accepted profile must survive the cache
// whole (operator==) and be safe to print.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "exercise.hpp"
#include "profiles/profile_cache.hpp"
#include "profiles/profile_parser.hpp"

using namespace suspendfix;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  std::vector<ProfileError> warnings;
  try {
    Profile profile = parse_profile(text, "fuzz.yaml", &warnings);
    profile.relative_name = "fuzz.yaml";
    fuzz::exercise(profile, true);
    ProfileDatabase database;
    database.profiles.push_back(profile);
    database.warnings.assign(warnings.begin(), warnings.end());
    const auto back = deserialize_database(serialize_database(database, {}, "fuzz"), {}, "fuzz");
    fuzz::require(back && back->profiles.size() == 1 && back->profiles[0] == profile);
  } catch (const ProfileError& error) {
    fuzz::exercise(error);
  }
  for (const ProfileError& warning : warnings) fuzz::exercise(warning);
  return 0;
}
