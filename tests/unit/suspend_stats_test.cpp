// SPDX-License-Identifier: GPL-2.0-or-later
#include "sleep/suspend_stats.hpp"

#include <gtest/gtest.h>

#include "unit/test_dir.hpp"

namespace suspendfix {
namespace {

using testing::TestDir;

// The example in the kernel's Documentation/power/basic-pm-debugging.rst (older kernels: one
// debugfs file, the two-entry ring of failures newest first).
constexpr char kDebugfsExample[] =
    "success: 20\n"
    "fail: 5\n"
    "failed_freeze: 0\n"
    "failed_prepare: 0\n"
    "failed_suspend: 5\n"
    "failed_suspend_noirq: 0\n"
    "failed_resume: 0\n"
    "failed_resume_noirq: 0\n"
    "failures:\n"
    "  last_failed_dev:\talarm\n"
    "\t\t\tadc\n"
    "  last_failed_errno:\t-16\n"
    "\t\t\t-16\n"
    "  last_failed_step:\tsuspend\n"
    "\t\t\tsuspend\n";

TEST(SuspendStats, ParsesTheDebugfsFileWithItsRing) {
  const SuspendStats stats = parse_debugfs_suspend_stats(kDebugfsExample);
  EXPECT_EQ(stats.count(SuspendStats::kSuccess), 20u);
  EXPECT_EQ(stats.count(SuspendStats::kFail), 5u);
  EXPECT_EQ(stats.count(SuspendStats::kFailedSuspend), 5u);
  EXPECT_FALSE(stats.counters[SuspendStats::kFailedSuspendLate]) << "absent in this kernel";
  EXPECT_EQ(stats.attempts(), 25u);
  EXPECT_EQ(stats.last_failed_devices, (std::vector<std::string>{"alarm", "adc"}));
  EXPECT_EQ(stats.last_failed_errnos, (std::vector<int>{-16, -16}));
  EXPECT_EQ(stats.last_failed_steps, (std::vector<std::string>{"suspend", "suspend"}));
}

// intel-gfx CI (igt's suspend_via_rtcwake dump): an empty ring prints blank names and 0 errnos.
TEST(SuspendStats, EmptyRingEntriesAreNotFailures) {
  const SuspendStats stats = parse_debugfs_suspend_stats(
      "success: 1\nfail: 1\nfailed_suspend: 1\nfailures:\n  last_failed_dev:\t\n\t\t\t\n"
      "  last_failed_errno:\t-16\n\t\t\t0\n  last_failed_step:\tsuspend\n\t\t\t\n");
  EXPECT_TRUE(stats.last_failed_devices.empty());
  EXPECT_EQ(stats.last_failed_errnos, std::vector<int>{-16});
  EXPECT_EQ(stats.last_failed_steps, std::vector<std::string>{"suspend"});
}

TEST(SuspendStats, ReadsTheSysfsDirectoryFirst) {
  TestDir dir;
  dir.write("power/suspend_stats/success", "3\n");
  dir.write("power/suspend_stats/fail", "1\n");
  dir.write("power/suspend_stats/failed_suspend", "1\n");
  dir.write("power/suspend_stats/last_failed_dev", "0000:00:02.0\n");
  dir.write("power/suspend_stats/last_failed_errno", "-16\n");
  dir.write("power/suspend_stats/last_failed_step", "suspend\n");
  dir.write("power/suspend_stats/last_hw_sleep", "1234\n");
  dir.write("debug/suspend_stats", "success: 99\n");
  const auto stats = read_suspend_stats((dir.path() / "power/suspend_stats").string(),
                                        (dir.path() / "debug/suspend_stats").string());
  ASSERT_TRUE(stats);
  EXPECT_EQ(stats->count(SuspendStats::kSuccess), 3u);
  EXPECT_EQ(stats->last_failed_devices, std::vector<std::string>{"0000:00:02.0"});
  EXPECT_EQ(stats->last_failed_errnos, std::vector<int>{-16});
  EXPECT_EQ(stats->last_hw_sleep_us, 1234u);
  EXPECT_FALSE(stats->total_hw_sleep_us);
}

TEST(SuspendStats, FallsBackToDebugfsAndElseHasNothing) {
  TestDir dir;
  const std::string sysfs = (dir.path() / "power/suspend_stats").string();
  const std::string debugfs = (dir.path() / "debug/suspend_stats").string();
  EXPECT_FALSE(read_suspend_stats(sysfs, debugfs));
  dir.write("debug/suspend_stats", kDebugfsExample);
  const auto stats = read_suspend_stats(sysfs, debugfs);
  ASSERT_TRUE(stats);
  EXPECT_EQ(stats->count(SuspendStats::kSuccess), 20u);
}

TEST(SuspendStats, BadNumbersAreUnknownNotZeroOrWrapped) {
  SuspendStats stats;
  apply_suspend_stats_file(stats, "success", "18446744073709551616\n");  // 2^64
  apply_suspend_stats_file(stats, "fail", "-1\n");
  apply_suspend_stats_file(stats, "failed_suspend", "7 \n");
  apply_suspend_stats_file(stats, "last_failed_errno", "-99999\n");
  apply_suspend_stats_file(stats, "last_failed_dev", "\x1b[2Jx\n");
  EXPECT_FALSE(stats.counters[SuspendStats::kSuccess]);
  EXPECT_FALSE(stats.counters[SuspendStats::kFail]);
  EXPECT_EQ(stats.counters[SuspendStats::kFailedSuspend], 7u);
  EXPECT_TRUE(stats.last_failed_errnos.empty());
  EXPECT_EQ(stats.last_failed_devices, std::vector<std::string>{"[2Jx"}) << "no control bytes";
}

TEST(SuspendStatsDelta, TellsAnAttemptAndWhereItFailed) {
  SuspendStats before, after;
  apply_suspend_stats_file(before, "success", "3");
  apply_suspend_stats_file(before, "fail", "0");
  apply_suspend_stats_file(before, "failed_suspend_late", "0");
  apply_suspend_stats_file(before, "failed_freeze", "0");
  after = before;
  EXPECT_FALSE(diff(before, after).attempted());
  apply_suspend_stats_file(after, "fail", "1");
  apply_suspend_stats_file(after, "failed_suspend_late", "1");
  const SuspendStatsDelta delta = diff(before, after);
  EXPECT_TRUE(delta.attempted());
  EXPECT_TRUE(delta.failed());
  EXPECT_EQ(delta.device_step(), SuspendStats::kFailedSuspendLate);
  EXPECT_FALSE(delta.early_step());

  SuspendStats frozen = before;
  apply_suspend_stats_file(frozen, "fail", "1");
  apply_suspend_stats_file(frozen, "failed_freeze", "1");
  EXPECT_FALSE(diff(before, frozen).device_step()) << "last_failed_dev is stale after a freeze";
  EXPECT_EQ(diff(before, frozen).early_step(), SuspendStats::kFailedFreeze);
}

TEST(SuspendStatsDelta, CountersGoingBackwardsMeanNothingMoved) {
  SuspendStats before, after;
  apply_suspend_stats_file(before, "success", "10");
  apply_suspend_stats_file(after, "success", "2");  // another boot
  EXPECT_FALSE(diff(before, after).attempted());
}

TEST(SuspendStats, CountersRoundTripThroughTheirTextForm) {
  const SuspendStats stats = parse_debugfs_suspend_stats(kDebugfsExample);
  const std::string text = format_suspend_counters(stats);
  EXPECT_EQ(text,
            "success=20 fail=5 failed_freeze=0 failed_prepare=0 failed_suspend=5 "
            "failed_suspend_noirq=0 failed_resume=0 failed_resume_noirq=0");
  EXPECT_EQ(parse_suspend_counters(text).counters, stats.counters);
  EXPECT_EQ(parse_suspend_counters("success=x fail=2 junk =3 bogus=4").attempts(), 2u);
}

}  // namespace
}  // namespace suspendfix
