// SPDX-License-Identifier: GPL-2.0-or-later
#include "sleep/state_store.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "unit/test_dir.hpp"

namespace suspendfix {
namespace {

using testing::TestDir;
namespace fs = std::filesystem;

const auto kSoon = std::chrono::steady_clock::now() + std::chrono::seconds(5);

StateRecord module(const std::string& name, const std::string& profiles = "nec") {
  StateRecord record;
  record.object = name;
  record.time = 1732850000;
  record.profiles = profiles;
  return record;
}

std::string first_line(const fs::path& path) {
  std::ifstream in(path);
  std::string text;
  std::getline(in, text);
  return text;
}

TEST(StateFormat, RoundTrips) {
  StateRecord unbind;
  unbind.kind = StateRecord::Kind::kUnbind;
  unbind.object = "0000:0f:00.0";
  unbind.driver = "xhci_hcd";
  unbind.sleep = SleepType::kHibernate;
  const std::vector<StateRecord> records = {module("xhci_pci"), module("xhci_hcd", ""), unbind};
  const std::string text = format_state(records);
  EXPECT_NE(text.find("module xhci_pci - suspend 1732850000 nec\n"), std::string::npos);
  const ParsedState parsed = parse_state(text, "state");
  EXPECT_TRUE(parsed.errors.empty());
  ASSERT_EQ(parsed.records.size(), 3u);
  EXPECT_EQ(parsed.records[1].profiles, "");
  EXPECT_EQ(parsed.records[2].kind, StateRecord::Kind::kUnbind);
  EXPECT_EQ(parsed.records[2].driver, "xhci_hcd");
  EXPECT_EQ(parsed.records[2].sleep, SleepType::kHibernate);
}

TEST(StateFormat, BadLinesAreErrorsAndGoodLinesSurvive) {
  const ParsedState parsed = parse_state(
      "# header\nmodule xhci_pci - suspend 1 nec\ngarbage\nmodule ../etc - suspend 1 -\n"
      "module e1000e - nap 1 -\nmodule e1000e - suspend notanumber -\nmodule e1000e - suspend 2 - "
      "extra\n"
      "module iwlwifi - suspend 3 -\n",
      "state");
  ASSERT_EQ(parsed.records.size(), 2u);
  EXPECT_EQ(parsed.records[1].object, "iwlwifi");
  ASSERT_EQ(parsed.errors.size(), 5u);
  EXPECT_STREQ(parsed.errors[0].what(), "state:3: unreadable record 'garbage'");
}

TEST(StateStore, CreatesAPrivateDirectoryAndWritesAtomically) {
  TestDir dir;
  StateStore store(dir.path() / "run");
  store.lock(kSoon);
  struct stat info {};
  ASSERT_EQ(stat((dir.path() / "run").c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0700u);
  store.write({module("xhci_pci")});
  EXPECT_FALSE(fs::exists(dir.path() / "run/state.tmp"));
  ASSERT_EQ(stat(store.path().c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  EXPECT_EQ(store.read().size(), 1u);
  store.write({});
  EXPECT_FALSE(fs::exists(store.path())) << "an empty record removes the file";
  EXPECT_TRUE(store.read().empty());
}

TEST(StateStore, RefusesALinkPlantedAtTheStatePath) {
  TestDir dir;
  const auto victim = dir.write("victim", "precious\n");
  fs::create_directories(dir.path() / "run");
  fs::create_symlink(victim, dir.path() / "run/state");
  StateStore store(dir.path() / "run");
  store.lock(kSoon);
  EXPECT_THROW(store.read(), Error);
  store.write({module("xhci_pci")});  // rename replaces the link itself, never writes through it
  EXPECT_EQ(first_line(victim), "precious");
  EXPECT_FALSE(fs::is_symlink(dir.path() / "run/state"));
}

TEST(StateStore, RefusesALinkedDirectory) {
  TestDir dir;
  fs::create_directories(dir.path() / "elsewhere");
  fs::create_symlink(dir.path() / "elsewhere", dir.path() / "run");
  StateStore store(dir.path() / "run");
  EXPECT_THROW(store.lock(kSoon), Error);
}

TEST(StateStore, PlantedTemporaryLinkIsNotFollowed) {
  TestDir dir;
  const auto victim = dir.write("victim", "precious\n");
  fs::create_directories(dir.path() / "run");
  fs::create_symlink(victim, dir.path() / "run/state.tmp");
  StateStore store(dir.path() / "run");
  store.lock(kSoon);
  store.write({module("xhci_pci")});
  EXPECT_EQ(first_line(victim), "precious");
}

TEST(StateStore, CorruptFileKeepsGoodRecordsAndTheEvidence) {
  TestDir dir;
  dir.write("run/state", "module xhci_pci - suspend 1 nec\n\x01\x02 binary junk\n");
  chmod((dir.path() / "run").c_str(), 0700);
  StateStore store(dir.path() / "run");
  store.lock(kSoon);
  const auto records = store.read();
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].object, "xhci_pci");
  EXPECT_TRUE(fs::exists(dir.path() / "run/state.corrupt"));
}

TEST(StateStore, SecondLockWaitsAndTimesOut) {
  TestDir dir;
  StateStore first(dir.path() / "run");
  first.lock(kSoon);
  StateStore second(dir.path() / "run");
  const auto started = std::chrono::steady_clock::now();
  EXPECT_THROW(second.lock(started + std::chrono::milliseconds(100)), Error);
}

}  // namespace
}  // namespace suspendfix
