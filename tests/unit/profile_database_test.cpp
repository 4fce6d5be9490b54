// SPDX-License-Identifier: GPL-2.0-or-later
#include "profiles/profile_database.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <future>

#include "unit/test_dir.hpp"

namespace suspendfix {
namespace {

using testing::profile_text;
using testing::TestDir;
namespace fs = std::filesystem;

/// The loader as it runs for root, trusting root and the user running the test: a file that
/// is writable by others or owned by a third uid must still be refused.
LoadOptions checked_ownership() {
  LoadOptions options;
  options.trust = TrustRule{geteuid()};
  return options;
}

constexpr uid_t kOtherUser = 4242;

std::vector<std::string> ids(const ProfileDatabase& database) {
  std::vector<std::string> out;
  for (const Profile& profile : database.profiles) out.push_back(profile.id);
  return out;
}

TEST(ProfileDatabase, ReadsRecursivelyInNameOrder) {
  TestDir vendor;
  vendor.write("nec/upd720200.yaml", profile_text("nec"));
  vendor.write("intel/ax210.yaml", profile_text("ax210", "8086", "2725"));
  vendor.write("README.md", "not a profile");
  const auto database = load_profile_database({{vendor.path(), true}}, {});
  EXPECT_EQ(ids(database), (std::vector<std::string>{"ax210", "nec"}));
  EXPECT_TRUE(database.errors.empty());
  EXPECT_EQ(database.profiles[1].relative_name, "nec/upd720200.yaml");
}

TEST(ProfileDatabase, LocalFileOverridesVendorFileOfTheSameName) {
  TestDir vendor, local;
  vendor.write("nec/upd720200.yaml", profile_text("nec"));
  local.write("nec/upd720200.yaml", profile_text("nec-local"));
  const auto database = load_profile_database({{vendor.path(), true}, {local.path(), true}}, {});
  EXPECT_EQ(ids(database), (std::vector<std::string>{"nec-local"}));
}

TEST(ProfileDatabase, LinkToDevNullMasks) {
  TestDir vendor, local;
  vendor.write("nec/upd720200.yaml", profile_text("nec"));
  vendor.write("other.yaml", profile_text("other", "8086", "1234"));
  fs::create_directories(local.path() / "nec");
  fs::create_symlink("/dev/null", local.path() / "nec/upd720200.yaml");
  const auto database = load_profile_database({{vendor.path(), true}, {local.path(), true}}, {});
  EXPECT_EQ(ids(database), (std::vector<std::string>{"other"}));
  EXPECT_TRUE(database.errors.empty());
}

TEST(ProfileDatabase, BadProfileIsReportedAndTheOthersStillLoad) {
  TestDir dir;
  dir.write("a.yaml", profile_text("a"));
  dir.write("b.yaml", "id: [broken\n");
  dir.write("c.yaml", profile_text("c", "8086", "1234"));
  const auto database = load_profile_database({{dir.path(), false}}, {});
  EXPECT_EQ(ids(database), (std::vector<std::string>{"a", "c"}));
  ASSERT_EQ(database.errors.size(), 1u);
  EXPECT_EQ(database.errors[0].file(), (dir.path() / "b.yaml").string());
  EXPECT_EQ(database.errors[0].line(), 2);
}

TEST(ProfileDatabase, DuplicateIdIsAnErrorNamingTheFirstFile) {
  TestDir dir;
  dir.write("a.yaml", profile_text("same"));
  dir.write("b.yaml", profile_text("same", "8086", "1234"));
  const auto database = load_profile_database({{dir.path(), false}}, {});
  EXPECT_EQ(ids(database), (std::vector<std::string>{"same"}));
  ASSERT_EQ(database.errors.size(), 1u);
  EXPECT_EQ(std::string(database.errors[0].what()), (dir.path() / "b.yaml").string() +
                                                        ": duplicate id 'same', first defined in " +
                                                        (dir.path() / "a.yaml").string());
}

TEST(ProfileDatabase, UnknownKeyWarnsAtRunTimeButFailsStrictly) {
  TestDir dir;
  dir.write("a.yaml", profile_text("a") + "colour: blue\n");
  const auto lenient = load_profile_database({{dir.path(), false}}, {});
  EXPECT_EQ(ids(lenient), (std::vector<std::string>{"a"}));
  EXPECT_EQ(lenient.warnings.size(), 1u);
  const auto strict = load_profile_paths({dir.path()});
  EXPECT_TRUE(strict.profiles.empty());
  ASSERT_EQ(strict.errors.size(), 1u);
  EXPECT_NE(std::string(strict.errors[0].what()).find("unknown key 'colour'"), std::string::npos);
}

TEST(ProfileDatabase, RefusesWritableFilesInSystemDirectories) {
  TestDir dir;
  const auto writable = dir.write("writable.yaml", profile_text("writable"));
  ASSERT_EQ(chmod(writable.c_str(), 0666), 0);
  dir.write("fine.yaml", profile_text("fine", "8086", "1234"));
  const auto checked = load_profile_database({{dir.path(), true}}, checked_ownership());
  EXPECT_EQ(ids(checked), (std::vector<std::string>{"fine"}));
  ASSERT_EQ(checked.errors.size(), 1u);
  EXPECT_EQ(std::string(checked.errors[0].what()),
            writable.string() + ": refusing a file writable by group or others");
  // A directory given by hand (--profiles) is the person's own choice: no check.
  EXPECT_EQ(load_profile_database({{dir.path(), false}}, checked_ownership()).profiles.size(), 2u);
}

TEST(ProfileDatabase, RefusesAFileOwnedByAnotherUser) {
  // Only root can give a file away; CI runs as root. untrusted_reason() is the same rule for
  // everyone (TrustedFile.OwnerMustBeRootOrTheTrustedUser).
  if (geteuid() != 0) GTEST_SKIP() << "chown to another uid needs root";
  TestDir dir;
  dir.write("fine.yaml", profile_text("fine", "8086", "1234"));
  const auto foreign = dir.write("foreign.yaml", profile_text("foreign", "8086", "9999"));
  ASSERT_EQ(chown(foreign.c_str(), kOtherUser, kOtherUser), 0);
  const auto database = load_profile_database({{dir.path(), true}}, checked_ownership());
  EXPECT_EQ(ids(database), (std::vector<std::string>{"fine"}));
  ASSERT_EQ(database.errors.size(), 1u);
  EXPECT_EQ(std::string(database.errors[0].what()),
            foreign.string() + ": refusing a file owned by uid 4242, not by root");
}

TEST(ProfileDatabase, RelativeLinkToDevNullMasksToo) {
  TestDir vendor, local;
  vendor.write("nec/upd720200.yaml", profile_text("nec"));
  local.write("keep.txt", "");
  fs::create_directories(local.path() / "nec");
  std::string up;
  for (const auto& part : local.path() / "nec") up += part == "/" ? "" : "../";
  fs::create_symlink(up + "dev/null", local.path() / "nec/upd720200.yaml");
  const auto database = load_profile_database({{vendor.path(), true}, {local.path(), true}}, {});
  EXPECT_TRUE(database.profiles.empty()) << "masked by " << up << "dev/null";
  EXPECT_TRUE(database.errors.empty());
}

/// A vendor directory with a profile, and a local one with a mask for it and a profile of
/// its own: what a user could do to profiles.d if they could write to it.
struct Overrides {
  Overrides() {
    vendor.write("nec/upd720200.yaml", profile_text("nec"));
    local.write("extra.yaml", profile_text("extra", "8086", "1234"));
    chmod(local.path().c_str(), 0755);
    fs::create_directories(local.path() / "nec");
    chmod((local.path() / "nec").c_str(), 0755);
    fs::create_symlink("/dev/null", local.path() / "nec/upd720200.yaml");
  }
  ProfileDatabase load() const {
    return load_profile_database({{vendor.path(), true}, {local.path(), true}},
                                 checked_ownership());
  }
  TestDir vendor, local;
};

TEST(ProfileDatabase, DirectoryOthersCanWriteIsRefusedMasksIncluded) {
  Overrides dirs;
  EXPECT_EQ(ids(dirs.load()), (std::vector<std::string>{"extra"})) << "trusted: masked";
  for (const mode_t mode : {0777, 0775, 01777}) {
    ASSERT_EQ(chmod(dirs.local.path().c_str(), mode), 0);
    const auto database = dirs.load();
    EXPECT_EQ(ids(database), (std::vector<std::string>{"nec"})) << std::oct << mode;
    ASSERT_EQ(database.errors.size(), 1u);
    EXPECT_EQ(std::string(database.errors[0].what()),
              dirs.local.path().string() +
                  ": refusing a directory writable by group or others: anyone could add a file "
                  "to it, sticky bit or not");
  }
}

TEST(ProfileDatabase, SubdirectoryOthersCanWriteIsRefused) {
  Overrides dirs;
  ASSERT_EQ(chmod((dirs.local.path() / "nec").c_str(), 0777), 0);
  const auto database = dirs.load();
  EXPECT_EQ(ids(database), (std::vector<std::string>{"extra", "nec"})) << "the mask is ignored";
  ASSERT_EQ(database.errors.size(), 1u);
  EXPECT_NE(std::string(database.errors[0].what()).find("nec: refusing a directory writable"),
            std::string::npos);
}

TEST(ProfileDatabase, DirectoryAboveOthersCanWriteIsRefusedUnlessSticky) {
  TestDir top;
  const auto profile = top.write("etc/profiles.d/a.yaml", profile_text("a"));
  const ProfileDirectory directory{profile.parent_path(), true};
  ASSERT_EQ(chmod((top.path() / "etc").c_str(), 0777), 0);
  auto database = load_profile_database({directory}, checked_ownership());
  EXPECT_TRUE(database.profiles.empty());
  ASSERT_EQ(database.errors.size(), 1u);
  EXPECT_EQ(std::string(database.errors[0].what()),
            (top.path() / "etc").string() +
                ": refusing a directory above it writable by group or others, without the sticky "
                "bit: anyone could replace what it holds");
  ASSERT_EQ(chmod((top.path() / "etc").c_str(), 01777), 0);
  EXPECT_EQ(ids(load_profile_database({directory}, checked_ownership())),
            (std::vector<std::string>{"a"}));
}

TEST(ProfileDatabase, LinkToAProfileIsReadOnlyFromATrustedPlace) {
  Overrides dirs;
  TestDir elsewhere;
  elsewhere.write("shared/mine.yaml", profile_text("mine", "8086", "4321"));
  fs::create_symlink(elsewhere.path() / "shared/mine.yaml", dirs.local.path() / "mine.yaml");
  EXPECT_EQ(ids(dirs.load()), (std::vector<std::string>{"extra", "mine"}));
  ASSERT_EQ(chmod((elsewhere.path() / "shared").c_str(), 0777), 0);
  const auto database = dirs.load();
  EXPECT_EQ(ids(database), (std::vector<std::string>{"extra"}));
  ASSERT_EQ(database.errors.size(), 1u);
  EXPECT_NE(std::string(database.errors[0].what()).find("shared: refusing a directory writable"),
            std::string::npos);
}

TEST(ProfileDatabase, MaskOrDirectoryOfAnotherUserIsRefused) {
  if (geteuid() != 0) GTEST_SKIP() << "chown to another uid needs root";
  Overrides dirs;
  ASSERT_EQ(lchown((dirs.local.path() / "nec/upd720200.yaml").c_str(), kOtherUser, kOtherUser), 0);
  auto database = dirs.load();
  EXPECT_EQ(ids(database), (std::vector<std::string>{"extra"}))
      << "a refused file is an error; what it replaces is not read either";
  ASSERT_EQ(database.errors.size(), 1u);
  EXPECT_EQ(std::string(database.errors[0].what()),
            (dirs.local.path() / "nec/upd720200.yaml").string() +
                ": refusing a mask owned by uid 4242, not by root");
  ASSERT_EQ(chown(dirs.local.path().c_str(), kOtherUser, kOtherUser), 0);
  database = dirs.load();
  EXPECT_EQ(ids(database), (std::vector<std::string>{"nec"}));
  EXPECT_NE(std::string(database.errors.at(0).what()).find("refusing a directory owned by uid"),
            std::string::npos);
}

TEST(ProfileDatabase, FifoNamedLikeAProfileDoesNotHang) {
  TestDir dir;
  ASSERT_EQ(mkfifo((dir.path() / "pipe.yaml").c_str(), 0644), 0);
  dir.write("a.yaml", profile_text("a"));
  auto result = std::async(std::launch::async, [&] {
    return load_profile_database({{dir.path(), false}}, {});
  });
  ASSERT_EQ(result.wait_for(std::chrono::seconds(10)), std::future_status::ready)
      << "hung on a FIFO";
  const auto database = result.get();
  EXPECT_EQ(ids(database), (std::vector<std::string>{"a"}));
  ASSERT_EQ(database.errors.size(), 1u);
  EXPECT_NE(std::string(database.errors[0].what()).find("not a regular file"), std::string::npos);
}

TEST(ProfileDatabase, HugeFileIsRefusedBeforeReading) {
  TestDir dir;
  dir.write("huge.yaml", std::string(1024 * 1024, '#'));
  const auto database = load_profile_database({{dir.path(), false}}, {});
  ASSERT_EQ(database.errors.size(), 1u);
  EXPECT_NE(std::string(database.errors[0].what()).find("more than the limit"), std::string::npos);
}

TEST(ProfileDatabase, MissingDirectoryIsEmptyButMissingPathIsAnError) {
  const auto database = load_profile_database({{"/nonexistent/suspendfix", true}}, {});
  EXPECT_TRUE(database.profiles.empty());
  EXPECT_TRUE(database.errors.empty());
  const auto validated = load_profile_paths({"/nonexistent/suspendfix.yaml"});
  ASSERT_EQ(validated.errors.size(), 1u);
  EXPECT_STREQ(validated.errors[0].what(),
               "/nonexistent/suspendfix.yaml: no such file or directory");
}

}  // namespace
}  // namespace suspendfix
