// SPDX-License-Identifier: GPL-2.0-or-later
#include "sleep/state_store.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <memory>
#include <thread>

#include "unit/test_dir.hpp"

namespace suspendfix {
namespace {

using testing::TestDir;
namespace fs = std::filesystem;

const auto kSoon = std::chrono::steady_clock::now() + std::chrono::seconds(5);
constexpr char kBoot[] = "0c1f3b0e-6a4d-4f5e-9c2b-7d8e9f0a1b2c";

StateRecord module(const std::string& name) {
  StateRecord record;
  record.object = name;
  record.time = 1732850000;
  record.profiles = "nec";
  record.boot_id = kBoot;
  return record;
}

StateFile file_of(std::vector<StateRecord> records) {
  StateFile file;
  file.records = std::move(records);
  return file;
}

std::string first_line(const fs::path& path) {
  std::ifstream in(path);
  std::string text;
  std::getline(in, text);
  return text;
}

std::string whole(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

/// A private run directory holding `state` with text.
fs::path run_with_state(const TestDir& dir, const std::string& text) {
  dir.write("run/state", text);
  chmod((dir.path() / "run").c_str(), 0700);
  chmod((dir.path() / "run/state").c_str(), 0600);
  return dir.path() / "run";
}

TEST(StateStore, CreatesAPrivateDirectoryAndWritesAtomically) {
  TestDir dir;
  StateStore store(dir.path() / "run");
  store.lock(kSoon);
  struct stat info {};
  ASSERT_EQ(stat((dir.path() / "run").c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0700u);
  store.write(file_of({module("xhci_pci")}));
  EXPECT_FALSE(fs::exists(dir.path() / "run/state.tmp"));
  ASSERT_EQ(stat(store.path().c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  EXPECT_EQ(store.read().records.size(), 1u);
  store.write({});
  EXPECT_FALSE(fs::exists(store.path())) << "an empty record removes the file";
  EXPECT_TRUE(store.read().records.empty());
}

TEST(StateStore, RefusesALinkPlantedAtTheStatePath) {
  TestDir dir;
  const auto victim = dir.write("victim", "precious\n");
  fs::create_directories(dir.path() / "run");
  chmod((dir.path() / "run").c_str(), 0700);
  fs::create_symlink(victim, dir.path() / "run/state");
  StateStore store(dir.path() / "run");
  store.lock(kSoon);
  EXPECT_THROW(store.read(), Error);
  store.write(file_of({module("xhci_pci")}));  // rename replaces the link, never writes through it
  EXPECT_EQ(first_line(victim), "precious");
  EXPECT_FALSE(fs::is_symlink(dir.path() / "run/state"));
}

TEST(StateStore, RefusesALinkedDirectory) {
  TestDir dir;
  fs::create_directories(dir.path() / "elsewhere");
  chmod((dir.path() / "elsewhere").c_str(), 0700);
  fs::create_symlink(dir.path() / "elsewhere", dir.path() / "run");
  StateStore store(dir.path() / "run");
  EXPECT_THROW(store.lock(kSoon), Error);
}

TEST(StateStore, PlantedTemporaryLinkIsNotFollowed) {
  TestDir dir;
  const auto victim = dir.write("victim", "precious\n");
  fs::create_directories(dir.path() / "run");
  chmod((dir.path() / "run").c_str(), 0700);
  fs::create_symlink(victim, dir.path() / "run/state.tmp");
  StateStore store(dir.path() / "run");
  store.lock(kSoon);
  store.write(file_of({module("xhci_pci")}));
  EXPECT_EQ(first_line(victim), "precious");
}

// Issue 15, item 1: a directory others may write is refused with the reason, never chmod'ed.
TEST(StateStore, Regression_Issue15_WritableDirectoryIsRefusedNotRepaired) {
  TestDir dir;
  fs::create_directories(dir.path() / "run");
  chmod((dir.path() / "run").c_str(), 0777);
  StateStore store(dir.path() / "run");
  try {
    store.lock(kSoon);
    FAIL() << "accepted a world-writable state directory";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("group or others may write it (mode 0777)"),
              std::string::npos)
        << error.what();
  }
  struct stat info {};
  stat((dir.path() / "run").c_str(), &info);
  EXPECT_EQ(info.st_mode & 0777, 0777u) << "left as it was";
  StateStore reader(dir.path() / "run");
  EXPECT_THROW(reader.open_for_reading(), Error) << "status refuses it too";
}

TEST(StateStore, Regression_Issue15_StateFileOthersMayWriteIsRefused) {
  TestDir dir;
  const auto run = run_with_state(dir, "module xhci_pci - suspend 1 - -\n");
  chmod((run / "state").c_str(), 0666);
  StateStore store(run);
  store.lock(kSoon);
  EXPECT_THROW(store.read(), Error);
  chmod((run / "state").c_str(), 0620);
  EXPECT_THROW(store.read(), Error) << "group-writable too";
}

TEST(StateStore, Regression_Issue15_StateFileOfAnotherUserIsRefused) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root to give a file away";
  TestDir dir;
  const auto run = run_with_state(dir, "module xhci_pci - suspend 1 - -\n");
  ASSERT_EQ(chown((run / "state").c_str(), 65534, 65534), 0);
  StateStore store(run);
  store.lock(kSoon);
  try {
    store.read();
    FAIL() << "read a record another user planted";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("owned by uid 65534"), std::string::npos)
        << error.what();
  }
}

TEST(StateStore, FifosNeverBlock) {
  TestDir dir;
  fs::create_directories(dir.path() / "run");
  chmod((dir.path() / "run").c_str(), 0700);
  ASSERT_EQ(mkfifo((dir.path() / "run/state").c_str(), 0600), 0);
  StateStore store(dir.path() / "run");
  store.lock(kSoon);
  EXPECT_THROW(store.read(), Error);
  EXPECT_THROW(store.read_parsed(), Error);

  TestDir other;
  fs::create_directories(other.path() / "run");
  chmod((other.path() / "run").c_str(), 0700);
  ASSERT_EQ(mkfifo((other.path() / "run/lock").c_str(), 0600), 0);
  StateStore locked(other.path() / "run");
  EXPECT_THROW(locked.lock(kSoon), Error);
}

TEST(StateStore, AnotherVersionIsRefusedAndLeftAsItIs) {
  TestDir dir;
  const std::string text = "# suspendfix state 1: what 'pre' did\nmodule xhci_pci - suspend 1 -\n";
  const auto run = run_with_state(dir, text);
  StateStore store(run);
  store.lock(kSoon);
  EXPECT_THROW(store.read(), Error);
  std::string raw;
  EXPECT_TRUE(store.read_parsed(&raw).foreign());
  EXPECT_EQ(raw, text);
  EXPECT_EQ(whole(run / "state"), text);
}

TEST(StateStore, DamagedLinesSurviveEveryRewrite) {
  TestDir dir;
  const auto run = run_with_state(
      dir, std::string("# suspendfix state 2\nmodule xhci_p\nmodule e1000e - suspend 1 - ") +
               kBoot + "\n");
  StateStore store(run);
  store.lock(kSoon);
  StateFile file = store.read();
  ASSERT_EQ(file.records.size(), 2u);
  file.records.pop_back();  // e1000e was loaded back
  store.write(file);
  EXPECT_NE(whole(run / "state").find("\nmodule xhci_p\n"), std::string::npos);
  EXPECT_FALSE(fs::exists(run / "state.corrupt")) << "no second copy";
}

TEST(StateStore, ReadingWritesNothing) {
  TestDir dir;
  const auto run = run_with_state(dir, "garbage\n");
  StateStore store(run);
  ASSERT_TRUE(store.open_for_reading());
  store.read_parsed();
  store.read();
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(run)) names.push_back(entry.path().filename());
  EXPECT_EQ(names, (std::vector<std::string>{"state"}));
  EXPECT_EQ(whole(run / "state"), "garbage\n");
}

/// Runs body with the file size limit at bytes, as a full tmpfs would stop a write.
template <typename Body>
void with_file_size_limit(rlim_t bytes, Body body) {
  struct rlimit saved {};
  getrlimit(RLIMIT_FSIZE, &saved);
  const auto old_handler = signal(SIGXFSZ, SIG_IGN);
  struct rlimit limit = saved;
  limit.rlim_cur = bytes;
  setrlimit(RLIMIT_FSIZE, &limit);
  body();
  setrlimit(RLIMIT_FSIZE, &saved);
  signal(SIGXFSZ, old_handler);
}

TEST(StateStore, AFailedWriteLeavesTheOldFileAndNoTemporaryOne) {
  TestDir dir;
  StateStore store(dir.path() / "run");
  store.lock(kSoon);
  store.write(file_of({module("xhci_pci")}));
  const std::string before = whole(store.path());
  with_file_size_limit(before.size() + 10, [&] {
    EXPECT_THROW(store.write(file_of({module("xhci_pci"), module("e1000e")})), Error);
  });
  EXPECT_EQ(whole(store.path()), before);
  EXPECT_FALSE(fs::exists(dir.path() / "run/state.tmp"));
}

// The lock serialises doubled hooks: a second taker waits for the first to let go, and gives
// up at its deadline, not before. Both are checked by what happened, not by how fast.
TEST(StateStore, SecondLockWaitsForTheFirstToLetGo) {
  TestDir dir;
  auto first = std::make_unique<StateStore>(dir.path() / "run");
  first->lock(std::chrono::steady_clock::now() + std::chrono::seconds(5));
  std::atomic<bool> released{false};
  std::thread holder([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    released = true;
    first.reset();  // closes the lock file: the flock goes
  });
  StateStore second(dir.path() / "run");
  EXPECT_NO_THROW(second.lock(std::chrono::steady_clock::now() + std::chrono::seconds(30)));
  EXPECT_TRUE(released) << "the second lock was taken while the first was held";
  holder.join();
}

TEST(StateStore, SecondLockGivesUpAtItsDeadlineNotBefore) {
  TestDir dir;
  StateStore first(dir.path() / "run");
  first.lock(std::chrono::steady_clock::now() + std::chrono::seconds(5));
  StateStore second(dir.path() / "run");
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(300);
  EXPECT_THROW(second.lock(deadline), Error);
  EXPECT_GE(std::chrono::steady_clock::now(), deadline) << "it gave up without waiting";
}

}  // namespace
}  // namespace suspendfix
