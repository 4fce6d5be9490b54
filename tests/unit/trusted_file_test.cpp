// SPDX-License-Identifier: GPL-2.0-or-later
#include "trusted_file.hpp"

#include <gtest/gtest.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "error.hpp"
#include "unit/test_dir.hpp"

namespace suspendfix {
namespace {

using testing::TestDir;
namespace fs = std::filesystem;

struct stat entry(uid_t owner, mode_t mode) {
  struct stat info {};
  info.st_uid = owner;
  info.st_mode = mode;
  return info;
}

/// The rule itself, with made-up owners: the same whoever runs the tests.
TEST(TrustedFile, OwnerMustBeRootOrTheTrustedUser) {
  const TrustRule root{0}, user{1000};
  for (const TrustedEntry kind : {TrustedEntry::kFile, TrustedEntry::kDirectory,
                                  TrustedEntry::kAncestor, TrustedEntry::kLink}) {
    EXPECT_EQ(untrusted_reason(entry(0, S_IFREG | 0644), root, kind), "");
    EXPECT_EQ(untrusted_reason(entry(0, S_IFREG | 0644), user, kind), "") << "root, always";
    EXPECT_EQ(untrusted_reason(entry(1000, S_IFREG | 0644), user, kind), "");
    EXPECT_EQ(untrusted_reason(entry(1000, S_IFREG | 0644), root, kind),
              "owned by uid 1000, not by root");
    EXPECT_EQ(untrusted_reason(entry(4242, S_IFREG | 0644), user, kind),
              "owned by uid 4242, not by root or uid 1000");
  }
}

TEST(TrustedFile, NobodyElseMayWriteAFileOrAddToItsDirectory) {
  const TrustRule root{0};
  EXPECT_EQ(untrusted_reason(entry(0, S_IFREG | 0664), root, TrustedEntry::kFile),
            "writable by group or others");
  EXPECT_EQ(untrusted_reason(entry(0, S_IFREG | 0646), root, TrustedEntry::kFile),
            "writable by group or others");
  const std::string adding =
      "writable by group or others: anyone could add a file to it, sticky bit or not";
  EXPECT_EQ(untrusted_reason(entry(0, S_IFDIR | 0775), root, TrustedEntry::kDirectory), adding);
  EXPECT_EQ(untrusted_reason(entry(0, S_IFDIR | 01777), root, TrustedEntry::kDirectory), adding);
  EXPECT_EQ(untrusted_reason(entry(0, S_IFDIR | 0755), root, TrustedEntry::kDirectory), "");
}

TEST(TrustedFile, ADirectoryAboveMayBeStickyLikeTmp) {
  const TrustRule root{0};
  EXPECT_EQ(untrusted_reason(entry(0, S_IFDIR | 01777), root, TrustedEntry::kAncestor), "");
  EXPECT_EQ(untrusted_reason(entry(0, S_IFDIR | 0777), root, TrustedEntry::kAncestor),
            "writable by group or others, without the sticky bit: anyone could replace what it "
            "holds");
  EXPECT_EQ(untrusted_reason(entry(1000, S_IFDIR | 01777), root, TrustedEntry::kAncestor),
            "owned by uid 1000, not by root");
  EXPECT_EQ(untrusted_reason(entry(0, S_IFLNK | 0777), root, TrustedEntry::kLink), "")
      << "a link's mode means nothing";
}

std::string error_of(const std::string& path, const TrustedRead& how) {
  try {
    read_trusted_file(path, how);
  } catch (const FileError& error) {
    return error.what();
  }
  return "read";
}

TrustedRead trusting_me() {
  TrustedRead how;
  how.rule = TrustRule{geteuid()};
  return how;
}

TEST(TrustedFile, ReadsATrustedFile) {
  TestDir dir;
  const auto file = dir.write("conf/config.yaml", "keep_modules: [btusb]\n");
  EXPECT_EQ(read_trusted_file(file, trusting_me()), "keep_modules: [btusb]\n");
  EXPECT_EQ(read_trusted_file(file, {}), "keep_modules: [btusb]\n");
}

TEST(TrustedFile, FifoIsNeverOpened) {
  TestDir dir;
  const fs::path fifo = dir.path() / "config.yaml";
  ASSERT_EQ(mkfifo(fifo.c_str(), 0644), 0);
  const int watch = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  ASSERT_GE(inotify_add_watch(watch, fifo.c_str(), IN_OPEN), 0);
  EXPECT_EQ(error_of(fifo, {}), fifo.string() + ": not a regular file");
  char events[4096];
  EXPECT_LT(read(watch, events, sizeof events), 0) << "opened before its type was checked";
  close(watch);
  EXPECT_EQ(error_of("/dev/null", {}), "/dev/null: not a regular file");
}

TEST(TrustedFile, WritableFileOrDirectoryIsRefused) {
  TestDir dir;
  const auto file = dir.write("conf/config.yaml", "x: 1\n");
  ASSERT_EQ(chmod(file.c_str(), 0666), 0);
  EXPECT_EQ(error_of(file, trusting_me()),
            file.string() + ": refusing a file writable by group or others");
  EXPECT_EQ(error_of(file, {}), "read") << "no rule, no ownership check";
  ASSERT_EQ(chmod(file.c_str(), 0644), 0);
  ASSERT_EQ(chmod(file.parent_path().c_str(), 01777), 0);
  EXPECT_EQ(error_of(file, trusting_me()),
            file.parent_path().string() +
                ": refusing a directory writable by group or others: anyone could add a file to "
                "it, sticky bit or not");
  ASSERT_EQ(chmod(file.parent_path().c_str(), 0755), 0);
  ASSERT_EQ(chmod(dir.path().c_str(), 0777), 0);
  EXPECT_NE(error_of(file, trusting_me())
                .find(dir.path().string() + ": refusing a directory "
                                            "above it writable"),
            std::string::npos);
  ASSERT_EQ(chmod(dir.path().c_str(), 0700), 0);
}

TEST(TrustedFile, LinkLeadsOnlyToATrustedPlace) {
  TestDir dir;
  const auto target = dir.write("shipped/nec.yaml", "id: nec\n");
  fs::create_directories(dir.path() / "local");
  chmod((dir.path() / "local").c_str(), 0755);
  const fs::path link = dir.path() / "local" / "nec.yaml";
  fs::create_symlink("../shipped/nec.yaml", link);
  EXPECT_EQ(read_trusted_file(link, trusting_me()), "id: nec\n");
  TrustedRead no_links = trusting_me();
  no_links.follow_link = false;
  EXPECT_EQ(error_of(link, no_links), link.string() + ": refusing a symbolic link");
  ASSERT_EQ(chmod(target.parent_path().c_str(), 0777), 0);
  EXPECT_NE(error_of(link, trusting_me()).find("shipped: refusing a directory writable"),
            std::string::npos)
      << error_of(link, trusting_me());
}

TEST(TrustedFile, FileOwnedByAnotherUserIsRefused) {
  if (geteuid() != 0) GTEST_SKIP() << "chown to another uid needs root";
  TestDir dir;
  const auto file = dir.write("config.yaml", "x: 1\n");
  ASSERT_EQ(chown(file.c_str(), 4242, 4242), 0);
  EXPECT_EQ(error_of(file, trusting_me()),
            file.string() + ": refusing a file owned by uid 4242, not by root");
  ASSERT_EQ(chown(file.c_str(), 0, 0), 0);
  ASSERT_EQ(chown(dir.path().c_str(), 4242, 4242), 0);
  EXPECT_EQ(error_of(file, trusting_me()),
            dir.path().string() + ": refusing a directory owned by uid 4242, not by root");
}

}  // namespace
}  // namespace suspendfix
