// SPDX-License-Identifier: GPL-2.0-or-later
// Writes the seed corpus of fuzz_cache: the body of a cache (what follows the sources and the
// key) for every profile directory given, one file each, plus the regression case of issue 15
// (a class byte count of 5). Run by hand when the cache format changes:
//   build/tests/fuzz/fuzz_cache_seeds tests/fuzz/corpus/cache profiles tests/data/profiles/...
#include <fstream>
#include <iostream>

#include "profiles/profile_cache.hpp"
#include "profiles/profile_database.hpp"

using namespace suspendfix;

namespace {

/// The body of a cache of `database` (the fuzz target adds the rest back).
std::string body(const ProfileDatabase& database) {
  const std::string empty = serialize_database({}, {}, "fuzz");
  const std::string full = serialize_database(database, {}, "fuzz");
  const size_t prefix = empty.size() - (8 + 4 + 4 + 4);
  return full.substr(prefix);
}

void write(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
  std::cout << path << " (" << bytes.size() << " bytes)\n";
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::cerr << "usage: fuzz_cache_seeds OUTDIR PROFILE_DIR...\n";
    return 2;
  }
  const std::string out = argv[1];
  for (int i = 2; i < argc; ++i) {
    const ProfileDatabase database = load_profile_database({{argv[i], false}}, {});
    std::string name = argv[i];
    for (char& c : name)
      if (c == '/') c = '_';
    write(out + "/" + name, body(database));
    if (i == 2 && !database.profiles.empty()) {
      ProfileDatabase crafted;
      crafted.profiles.push_back(database.profiles[0]);
      PciMatch match;
      match.vendor = 0x1033;
      match.class_prefix = std::make_pair(0x0cu, 5);
      crafted.profiles[0].pci.assign(1, match);
      write(out + "/class-bytes-5", body(crafted));
    }
  }
  return 0;
}
