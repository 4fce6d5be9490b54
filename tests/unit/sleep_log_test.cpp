// SPDX-License-Identifier: GPL-2.0-or-later
#include "sleep/sleep_log.hpp"

#include <gtest/gtest.h>

#include "unit/test_dir.hpp"

namespace suspendfix {
namespace {

using testing::TestDir;

constexpr char kBoot[] = "0c1f3b0e-6a4d-4f5e-9c2b-7d8e9f0a1b2c";
constexpr char kOtherBoot[] = "11111111-2222-3333-4444-555555555555";

SleepLogEntry entry(SleepPhase phase, int64_t realtime, const std::string& boot = kBoot) {
  SleepLogEntry out;
  out.phase = phase;
  out.boot_id = boot;
  out.realtime = realtime;
  out.frontend = HookFrontend::kElogind;
  out.asleep_ms = realtime * 10;
  out.counters = parse_suspend_counters("success=" + std::to_string(realtime) + " fail=0");
  return out;
}

TEST(SleepLog, RoundTrips) {
  const std::vector<SleepLogEntry> entries = {entry(SleepPhase::kPre, 5),
                                              entry(SleepPhase::kPost, 6)};
  const std::string text = format_sleep_log(entries);
  EXPECT_EQ(text, std::string("# suspendfix sleeps 1\npre ") + kBoot +
                      " 5 suspend elogind asleep_ms=50 success=5 fail=0\npost " + kBoot +
                      " 6 suspend elogind asleep_ms=60 success=6 fail=0\n");
  const SleepLog log = parse_sleep_log(text, "sleeps");
  EXPECT_TRUE(log.errors.empty());
  ASSERT_EQ(log.entries.size(), 2u);
  EXPECT_EQ(log.entries[1].phase, SleepPhase::kPost);
  EXPECT_EQ(log.entries[1].frontend, HookFrontend::kElogind);
  EXPECT_EQ(log.entries[1].asleep_ms, 60);
  EXPECT_EQ(log.entries[1].counters.count(SuspendStats::kSuccess), 6u);
  EXPECT_FALSE(log.entries[1].counters.counters[SuspendStats::kFailedSuspend]) << "unknown";
}

TEST(SleepLog, BadLinesAreSkippedAndAnotherFormatIsNotRead) {
  const SleepLog log = parse_sleep_log(std::string("# suspendfix sleeps 1\nnap x\npre ") + kBoot +
                                           " -5 suspend elogind asleep_ms=0\n" + "post " + kBoot +
                                           " 7 suspend systemd-sleep asleep_ms=1\n",
                                       "sleeps");
  EXPECT_EQ(log.errors.size(), 2u);
  ASSERT_EQ(log.entries.size(), 1u);
  EXPECT_EQ(log.entries[0].realtime, 7);
  EXPECT_TRUE(parse_sleep_log("# suspendfix sleeps 2\n", "sleeps").entries.empty());
  EXPECT_EQ(parse_sleep_log("# suspendfix sleeps 2\n", "sleeps").errors.size(), 1u);
}

TEST(SleepLog, KeepsTheLastEntriesOfThisBootOnly) {
  TestDir dir;
  PrivateDirectory directory(dir.path() / "run");
  directory.open(true);
  append_sleep_log(directory, entry(SleepPhase::kPre, 1, kOtherBoot));
  for (int64_t i = 1; i <= 5; ++i) append_sleep_log(directory, entry(SleepPhase::kPre, i));
  EXPECT_EQ(read_sleep_log((dir.path() / "run").string()).entries.size(), 5u)
      << "the other boot's entry is gone";
  for (int64_t i = 6; i <= 40; ++i) append_sleep_log(directory, entry(SleepPhase::kPre, i));
  const SleepLog log = read_sleep_log((dir.path() / "run").string());
  ASSERT_EQ(log.entries.size(), kSleepLogEntries);
  EXPECT_EQ(log.entries.front().realtime, 9);
  EXPECT_EQ(log.entries.back().realtime, 40);
  for (const SleepLogEntry& kept : log.entries) EXPECT_EQ(kept.boot_id, kBoot);
}

TEST(SleepLog, ReadingAnAbsentLogIsEmptyAndARefusedOneThrows) {
  TestDir dir;
  EXPECT_TRUE(read_sleep_log((dir.path() / "absent").string()).entries.empty());
  dir.write("run/sleeps", "# suspendfix sleeps 1\n");
  std::filesystem::permissions(dir.path() / "run/sleeps", std::filesystem::perms::all);
  EXPECT_THROW(read_sleep_log((dir.path() / "run").string()), Error);
}

}  // namespace
}  // namespace suspendfix
