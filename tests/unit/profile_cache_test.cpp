// SPDX-License-Identifier: GPL-2.0-or-later
#include "profiles/profile_cache.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <functional>
#include <thread>

#include "profiles/profile_parser.hpp"
#include "unit/test_dir.hpp"

namespace suspendfix {
namespace {

using testing::profile_text;
using testing::TestDir;
namespace fs = std::filesystem;

const char* const kFull = R"(id: full
description: every field
sources: [a, b]
match:
  pci:
    - {vendor: "1033", device: "0194", subsystem_vendor: "17aa", subsystem_device: "219c", class: "0c03"}
    - {vendor: "8086"}
  usb: [{vendor: "8087", product: "0025"}, {vendor: "0bda"}]
  dmi: {sys_vendor: "LENOVO", product_version: "ThinkPad T5*"}
  kernel: {from: "2.6.31", before: "6.2"}
sleep: [suspend, hybrid-sleep]
actions:
  unload_bound_module: true
  unload_modules: [{name: xhci, kernel: {before: "2.6.35"}}, e1000e]
  fallback: remove
)";

ProfileDatabase sample() {
  ProfileDatabase database;
  database.profiles.push_back(parse_profile(kFull, "/p/full.yaml", nullptr));
  database.profiles.back().relative_name = "full.yaml";
  database.errors.emplace_back("/p/bad.yaml", 3, 7, "bad PCI vendor id 'x'");
  database.warnings.emplace_back("/p/full.yaml", 2, 1, "unknown key 'colour'");
  database.files_read = 2;
  return database;
}

const std::vector<CacheSource> kSources = {{"full.yaml", "/p/full.yaml", 100, 5, 5, 7, 0100644, 0},
                                           {"bad.yaml", "/p/bad.yaml", 10, 6, 6, 8, 0100644, 0}};

TEST(ProfileCache, RoundTripsEveryField) {
  const auto bytes = serialize_database(sample(), kSources, "k");
  const auto back = deserialize_database(bytes, kSources, "k");
  ASSERT_TRUE(back);
  ASSERT_EQ(back->profiles.size(), 1u);
  const Profile& p = back->profiles[0];
  const ProfileDatabase expected = sample();
  const Profile& q = expected.profiles[0];
  EXPECT_EQ(p.id, q.id);
  EXPECT_EQ(p.sources, q.sources);
  ASSERT_EQ(p.pci.size(), 2u);
  EXPECT_EQ(*p.pci[0].subsystem_device, 0x219c);
  EXPECT_EQ(p.pci[0].class_prefix, q.pci[0].class_prefix);
  EXPECT_FALSE(p.pci[1].device);
  EXPECT_EQ(*p.usb[0].product, 0x0025);
  EXPECT_FALSE(p.usb[1].product);
  EXPECT_EQ(p.dmi, q.dmi);
  EXPECT_EQ(p.kernel.describe(), ">= 2.6.31, < 6.2");
  EXPECT_EQ(p.sleep, q.sleep);
  EXPECT_TRUE(p.actions.unload_bound_module);
  ASSERT_EQ(p.actions.unload_modules.size(), 2u);
  EXPECT_EQ(p.actions.unload_modules[0].kernel.describe(), "< 2.6.35");
  EXPECT_EQ(p.actions.fallback, DeviceAction::kRemove);
  EXPECT_EQ(p.origin, "/p/full.yaml");
  EXPECT_EQ(p.relative_name, "full.yaml");
  EXPECT_STREQ(back->errors.at(0).what(), "/p/bad.yaml:3:7: bad PCI vendor id 'x'");
  EXPECT_STREQ(back->warnings.at(0).what(), "/p/full.yaml:2:1: unknown key 'colour'");
  EXPECT_EQ(back->files_read, 2u);
}

TEST(ProfileCache, StaleWhenAnySourceOrTheKeyDiffers) {
  const auto bytes = serialize_database(sample(), kSources, "k");
  auto touched = kSources;
  touched[1].mtime_ns += 1;
  EXPECT_FALSE(deserialize_database(bytes, touched, "k"));
  auto changed = kSources;
  changed[1].ctime_ns += 1;
  EXPECT_FALSE(deserialize_database(bytes, changed, "k")) << "edited in place, mtime put back";
  auto chmodded = kSources;
  chmodded[0].mode = 0100666;
  EXPECT_FALSE(deserialize_database(bytes, chmodded, "k"));
  EXPECT_FALSE(deserialize_database(bytes, {kSources[0]}, "k")) << "a file went away";
  EXPECT_FALSE(deserialize_database(bytes, kSources, "other")) << "other load options";
}

TEST(ProfileCache, RoundTripsEveryShippedProfileWhole) {
  // Issue 14: a field dropped from the serializer passed every test. operator== compares them
  // all, over every shipped profile.
  const ProfileDatabase shipped =
      load_profile_database({{std::string(SUSPENDFIX_SOURCE_DIR) + "/profiles", false}}, {});
  ASSERT_GT(shipped.profiles.size(), 5u);
  ASSERT_TRUE(shipped.errors.empty()) << shipped.errors[0].what();
  ProfileDatabase both = shipped;
  both.profiles.push_back(sample().profiles[0]);  // every optional field set
  const auto back = deserialize_database(serialize_database(both, kSources, "k"), kSources, "k");
  ASSERT_TRUE(back);
  ASSERT_EQ(back->profiles.size(), both.profiles.size());
  for (size_t i = 0; i < both.profiles.size(); ++i)
    EXPECT_TRUE(back->profiles[i] == both.profiles[i]) << both.profiles[i].origin;
}

TEST(ProfileCache, OperatorEqualsSeesEveryField) {
  const Profile base = sample().profiles[0];
  std::vector<std::function<void(Profile&)>> edits = {
      [](Profile& p) { p.id += "x"; },
      [](Profile& p) { p.description += "x"; },
      [](Profile& p) { p.sources.pop_back(); },
      [](Profile& p) { p.pci[0].vendor ^= 1; },
      [](Profile& p) { p.pci[0].device.reset(); },
      [](Profile& p) { p.pci[0].subsystem_vendor.reset(); },
      [](Profile& p) { p.pci[0].subsystem_device.reset(); },
      [](Profile& p) { p.pci[0].class_prefix->second = 1; },
      [](Profile& p) { p.usb[0].vendor ^= 1; },
      [](Profile& p) { p.usb[0].product.reset(); },
      [](Profile& p) { p.dmi[0].second += "x"; },
      [](Profile& p) { p.kernel.before = KernelVersion::parse("6.2.0"); },
      [](Profile& p) { p.sleep.pop_back(); },
      [](Profile& p) { p.actions.unload_bound_module = false; },
      [](Profile& p) { p.actions.unload_modules[0].name += "x"; },
      [](Profile& p) { p.actions.unload_modules[0].kernel = {}; },
      [](Profile& p) { p.actions.device = DeviceAction::kUnbind; },
      [](Profile& p) { p.actions.fallback = DeviceAction::kNone; },
      [](Profile& p) { p.origin += "x"; },
      [](Profile& p) { p.relative_name += "x"; },
  };
  for (size_t i = 0; i < edits.size(); ++i) {
    Profile edited = base;
    edits[i](edited);
    EXPECT_FALSE(edited == base) << "edit " << i;
  }
}

TEST(ProfileCache, CraftedValuesWithAValidChecksumAreRefused) {
  // Issue 15: a class byte count of 4, 5 or 200 gave "shift exponent -16 is negative" under
  // UBSan in PciMatch::matches. Every count and enum read from the cache is bounded.
  for (const auto& [value, bytes] : std::vector<std::pair<uint32_t, int>>{
           {0x0c, 0}, {0x0c, 4}, {0x0c, 5}, {0x0c, 200}, {0x10c, 1}, {0x1000000, 3}}) {
    ProfileDatabase crafted = sample();
    crafted.profiles[0].pci[0].class_prefix = std::make_pair(value, bytes);
    EXPECT_FALSE(deserialize_database(serialize_database(crafted, kSources, "k"), kSources, "k"))
        << bytes << " byte(s) of class " << value;
  }
  ProfileDatabase bad_module = sample();
  bad_module.profiles[0].actions.unload_modules[0].name = "-rf";
  EXPECT_FALSE(deserialize_database(serialize_database(bad_module, kSources, "k"), kSources, "k"));
  ProfileDatabase bad_line = sample();
  bad_line.errors[0] = ProfileError("/p/bad.yaml", -1, 7, "x");
  EXPECT_FALSE(deserialize_database(serialize_database(bad_line, kSources, "k"), kSources, "k"));
}

TEST(ProfileCache, EveryCorruptionIsRefusedWithoutACrash) {
  const auto bytes = serialize_database(sample(), kSources, "k");
  for (size_t length = 0; length < bytes.size(); ++length)
    EXPECT_FALSE(deserialize_database(std::string_view(bytes).substr(0, length), kSources, "k"))
        << length;
  for (size_t at = 0; at < bytes.size(); ++at) {
    std::string flipped = bytes;
    flipped[at] = static_cast<char>(flipped[at] ^ 0x5a);
    EXPECT_FALSE(deserialize_database(flipped, kSources, "k")) << at;
  }
  EXPECT_FALSE(deserialize_database("not a cache at all", kSources, "k"));
}

/// The database loader with a cache directory: the real files, stat()ed.
class CachedDatabaseTest : public ::testing::Test {
 protected:
  ProfileDatabase load() {
    LoadOptions options;
    options.cache_directory = (cache_.path() / "cache").string();
    return load_profile_database({{profiles_.path(), false}}, options);
  }
  TestDir profiles_, cache_;
};

TEST_F(CachedDatabaseTest, SecondLoadComesFromTheCacheAndGivesTheSameResult) {
  profiles_.write("nec.yaml", profile_text("nec"));
  profiles_.write("bad.yaml", "id: [broken\n");
  const auto first = load();
  EXPECT_FALSE(first.from_cache);
  const auto second = load();
  EXPECT_TRUE(second.from_cache);
  ASSERT_EQ(second.profiles.size(), 1u);
  EXPECT_EQ(second.profiles[0].id, "nec");
  ASSERT_EQ(second.errors.size(), 1u) << "a bad file is still reported from the cache";
  EXPECT_STREQ(second.errors[0].what(), first.errors[0].what());
}

TEST_F(CachedDatabaseTest, EditingAddingOrMaskingAProfileRebuildsIt) {
  profiles_.write("nec.yaml", profile_text("nec"));
  load();
  profiles_.write("nec.yaml",
                  profile_text("nec-edited"));  // same size or not, the inode/mtime moves
  auto database = load();
  EXPECT_FALSE(database.from_cache);
  EXPECT_EQ(database.profiles.at(0).id, "nec-edited");
  profiles_.write("other.yaml", profile_text("other", "8086", "1234"));
  EXPECT_EQ(load().profiles.size(), 2u);
  fs::remove(profiles_.path() / "other.yaml");
  fs::create_symlink("/dev/null", profiles_.path() / "other.yaml");
  database = load();
  EXPECT_FALSE(database.from_cache);
  EXPECT_EQ(database.profiles.size(), 1u);
  EXPECT_TRUE(load().from_cache);
}

TEST_F(CachedDatabaseTest, CorruptCacheIsIgnoredAndRewritten) {
  profiles_.write("nec.yaml", profile_text("nec"));
  load();
  for (const auto& entry : fs::directory_iterator(cache_.path() / "cache"))
    std::ofstream(entry.path(), std::ios::binary | std::ios::trunc) << "garbage";
  const auto database = load();
  EXPECT_FALSE(database.from_cache);
  EXPECT_EQ(database.profiles.size(), 1u);
  EXPECT_TRUE(load().from_cache) << "rewritten";
}

}  // namespace
}  // namespace suspendfix
