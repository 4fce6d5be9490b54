// SPDX-License-Identifier: GPL-2.0-or-later
// The profile cache on disk, as an attacker or a careless administrator would leave it
// (issue 15): a link or a FIFO at its path, a directory others can write, a umask of 0, an
// edit that keeps the size and puts the mtime back.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ctime>
#include <thread>

#include "profiles/profile_database.hpp"
#include "unit/test_dir.hpp"

namespace suspendfix {
namespace {

using testing::profile_text;
using testing::TestDir;
namespace fs = std::filesystem;

class CacheFileTest : public ::testing::Test {
 protected:
  void SetUp() override { profiles_.write("nec.yaml", profile_text("nec")); }
  ProfileDatabase load() {
    LoadOptions options;
    options.cache_directory = cache_directory().string();
    return load_profile_database({{profiles_.path(), false}}, options);
  }
  fs::path cache_directory() const { return cache_.path() / "var" / "cache"; }
  /// The one cache file, after a first load wrote it.
  fs::path cache_file() const {
    for (const auto& entry : fs::directory_iterator(cache_directory()))
      if (entry.path().extension() == ".cache") return entry.path();
    ADD_FAILURE() << "no cache file in " << cache_directory();
    return {};
  }
  mode_t mode_of(const fs::path& path) const {
    struct stat info {};
    EXPECT_EQ(lstat(path.c_str(), &info), 0) << path;
    return info.st_mode & 07777;
  }
  TestDir profiles_, cache_;
};

TEST_F(CacheFileTest, DirectoriesAndFileGetExplicitModesWhateverTheUmask) {
  for (const mode_t mask : {0, 077}) {  // 0: everything world-writable before the fix
    fs::remove_all(cache_.path() / "var");
    const mode_t saved = umask(mask);
    load();
    umask(saved);
    EXPECT_EQ(mode_of(cache_.path() / "var"), 0755u) << "a missing parent too";
    EXPECT_EQ(mode_of(cache_directory()), 0755u);
    EXPECT_EQ(mode_of(cache_file()), 0644u);
    EXPECT_TRUE(load().from_cache);
  }
}

TEST_F(CacheFileTest, DirectoryWritableByOthersIsNotUsed) {
  for (const mode_t mode : {0777, 0775, 01777}) {
    fs::remove_all(cache_directory());
    load();
    ASSERT_TRUE(load().from_cache);
    ASSERT_EQ(chmod(cache_directory().c_str(), mode), 0);
    struct stat before {
    }, after{};
    ASSERT_EQ(stat(cache_file().c_str(), &before), 0);
    const auto database = load();
    EXPECT_FALSE(database.from_cache) << std::oct << mode;
    EXPECT_EQ(database.profiles.size(), 1u);
    ASSERT_EQ(stat(cache_file().c_str(), &after), 0);
    EXPECT_EQ(after.st_ino, before.st_ino) << "nor written there, mode " << std::oct << mode;
  }
}

TEST_F(CacheFileTest, DirectoryAboveWritableByOthersWithoutStickyBitIsNotUsed) {
  load();
  ASSERT_EQ(chmod((cache_.path() / "var").c_str(), 0777), 0);
  EXPECT_FALSE(load().from_cache);
  ASSERT_EQ(chmod((cache_.path() / "var").c_str(), 01777), 0);
  EXPECT_TRUE(load().from_cache) << "sticky: nobody else can rename what root put there";
}

/// Whether `path` was opened since the watch began: inotify records it synchronously.
class OpenWatch {
 public:
  explicit OpenWatch(const fs::path& path) : fd_(inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) {
    EXPECT_GE(inotify_add_watch(fd_, path.c_str(), IN_OPEN), 0) << path;
  }
  ~OpenWatch() { close(fd_); }
  bool opened() const {
    alignas(struct inotify_event) char events[4096];
    const ssize_t size = read(fd_, events, sizeof events);
    for (ssize_t at = 0; at < size;) {
      const auto* event = reinterpret_cast<const struct inotify_event*>(events + at);
      if (event->mask & IN_OPEN) return true;  // not IN_IGNORED: the file replaced by a rename
      at += static_cast<ssize_t>(sizeof *event + event->len);
    }
    return false;
  }

 private:
  int fd_;
};

TEST_F(CacheFileTest, LinkAtTheCachePathIsNeverFollowed) {
  load();
  const fs::path cache = cache_file();
  // Stand-ins for what a user would link there: a device that acts when opened (a FIFO is
  // observable the same way and needs no privilege), and a file of their choosing (here a
  // valid cache, which root would otherwise use).
  const fs::path device = cache_.path() / "watchdog";
  ASSERT_EQ(mkfifo(device.c_str(), 0600), 0);
  const fs::path chosen = cache_.path() / "chosen.cache";
  fs::copy_file(cache, chosen);
  for (const fs::path& target : {device, chosen}) {
    fs::remove(cache);
    fs::create_symlink(target, cache);
    const OpenWatch watch(target);
    const auto database = load();
    EXPECT_FALSE(watch.opened()) << target << " was opened through the link";
    EXPECT_FALSE(database.from_cache);
    EXPECT_EQ(database.profiles.size(), 1u);
  }
}

TEST_F(CacheFileTest, FifoAtTheCachePathIsNeverOpened) {
  load();
  const fs::path cache = cache_file();
  fs::remove(cache);
  ASSERT_EQ(mkfifo(cache.c_str(), 0644), 0);
  const OpenWatch watch(cache);
  const auto database = load();
  EXPECT_FALSE(watch.opened());
  EXPECT_EQ(database.profiles.size(), 1u);
}

TEST_F(CacheFileTest, CacheOwnedByAnotherUserIsRefused) {
  if (geteuid() != 0) GTEST_SKIP() << "chown to another uid needs root";
  load();
  ASSERT_EQ(chown(cache_file().c_str(), 4242, 4242), 0);
  EXPECT_FALSE(load().from_cache);
  ASSERT_EQ(chown(cache_directory().c_str(), 4242, 4242), 0);
  EXPECT_FALSE(load().from_cache);
}

/// Waits until a change made now gets a later timestamp than `info`'s ctime: file times come
/// from the coarse clock, so an edit within the same tick could otherwise keep the same ctime.
void wait_for_a_later_ctime(const struct stat& info) {
  for (;;) {
    struct timespec now {};
    clock_gettime(CLOCK_REALTIME_COARSE, &now);
    if (now.tv_sec > info.st_ctim.tv_sec ||
        (now.tv_sec == info.st_ctim.tv_sec && now.tv_nsec > info.st_ctim.tv_nsec))
      return;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

TEST_F(CacheFileTest, EditInPlaceThatPutsTheMtimeBackIsSeen) {
  // Issue 15: same size, same inode, mtime restored (touch -r, rsync -t, an editor that keeps
  // times): only the ctime moves, and the cache kept the old profile.
  const fs::path file = profiles_.path() / "nec.yaml";
  ASSERT_EQ(load().profiles.at(0).id, "nec");
  struct stat before {};
  ASSERT_EQ(stat(file.c_str(), &before), 0);
  wait_for_a_later_ctime(before);
  const int fd = open(file.c_str(), O_WRONLY);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(pwrite(fd, "id: nfc", 7, 0), 7);  // "id: nec" -> "id: nfc", in place
  close(fd);
  const struct timespec times[2] = {before.st_atim, before.st_mtim};
  ASSERT_EQ(utimensat(AT_FDCWD, file.c_str(), times, 0), 0);
  struct stat after {};
  ASSERT_EQ(stat(file.c_str(), &after), 0);
  ASSERT_EQ(after.st_size, before.st_size);
  ASSERT_EQ(after.st_ino, before.st_ino);
  ASSERT_EQ(after.st_mtim.tv_nsec, before.st_mtim.tv_nsec);
  const auto database = load();
  EXPECT_FALSE(database.from_cache);
  EXPECT_EQ(database.profiles.at(0).id, "nfc");
}

}  // namespace
}  // namespace suspendfix
