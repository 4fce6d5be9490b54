// SPDX-License-Identifier: GPL-2.0-or-later
// The pieces of diagnose that take text: log prefixes, the sleep managers' lines (written
// from their sources' format strings, not from real logs: see log_excerpts_test.cpp for
// those), bounded memory, the counters' attribution, and escaping.
#include <gtest/gtest.h>

#include <random>
#include <string>

#include "diagnose/attribution.hpp"
#include "diagnose/log_line.hpp"
#include "diagnose/log_reader.hpp"
#include "diagnose/log_sources.hpp"
#include "diagnose/log_stream.hpp"
#include "text_safety.hpp"

namespace suspendfix {
namespace {

LogFindings read_log(std::string_view text) {
  KernelLogReader reader;
  while (!text.empty()) {
    const size_t end = text.find('\n');
    reader.feed(text.substr(0, end));
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
  }
  return reader.finish();
}

TEST(LogPrefix, EveryWriter) {
  struct Case {
    const char* line;
    const char* message;
    const char* timestamp;
    const char* identifier;
  };
  const Case cases[] = {
      {"6,1234,12470000,-;PM: suspend exit", "PM: suspend exit", "12470000", "kernel"},
      {"<6>[  553.264489,0] PM: suspend exit", "PM: suspend exit", "553.264489,0", ""},
      {"[Mon Jan  1 12:00:00 2024] PM: suspend exit", "PM: suspend exit",
       "Mon Jan  1 12:00:00 2024", ""},
      {"[  +0.000002] PM: suspend exit", "PM: suspend exit", "+0.000002", ""},
      {"Apr 28 14:36:08.059515 kernel: PM: suspend exit", "PM: suspend exit",
       "Apr 28 14:36:08.059515", "kernel"},
      {"juin 09 12:02:53 bestosprec kernel: PM: suspend exit", "PM: suspend exit",
       "juin 09 12:02:53", "kernel"},
      {"Sep 18 13:02:38 pop-os kernel: [14902.746587] PM: suspend exit", "PM: suspend exit",
       "Sep 18 13:02:38", "kernel"},
      {"2024-06-02T06:23:31.469565+10:00 host systemd-sleep[3584]: Failed", "Failed",
       "2024-06-02T06:23:31.469565+10:00", "systemd-sleep"},
      {"> > [   20.0] PM: suspend exit\r", "PM: suspend exit", "20.0", ""},
      {"[drm] GuC loaded", "[drm] GuC loaded", "", ""},
      {"", "", "", ""},
  };
  for (const Case& c : cases) {
    const LogLine line = split_log_prefix(c.line);
    EXPECT_EQ(line.message, c.message) << c.line;
    EXPECT_EQ(line.timestamp, c.timestamp) << c.line;
    EXPECT_EQ(line.identifier, c.identifier) << c.line;
  }
}

TEST(KmsgRecord, DeviceContinuationLine) {
  EXPECT_EQ(kmsg_device("3,812,5012,-;xhci_hcd 0000:00:14.0: PM: failed to suspend async: "
                        "error -16\n SUBSYSTEM=pci\n DEVICE=+pci:0000:00:14.0\n"),
            "+pci:0000:00:14.0");
  EXPECT_EQ(kmsg_device("6,1,2,-;no device\n"), "");
}

// Root's user space can write to /dev/kmsg ("<3>text" included): the kernel gives such a line
// LOG_USER or the facility it names, never the kernel's, so it is not read as the kernel's.
TEST(KmsgRecord, OnlyTheKernelsFacilityIsRead) {
  std::vector<std::string> read;
  const LogFeed feed = [&](std::string_view message, std::string_view, std::string_view identifier,
                           std::string_view timestamp) {
    read.push_back(std::string(identifier) + " " + std::string(timestamp) + " " +
                   std::string(message));
  };
  feed_kmsg_record(
      "3,812,5012000,-;xhci_hcd 0000:00:14.0: PM: failed to suspend async: error -16\n"
      " DEVICE=+pci:0000:00:14.0\n",
      feed);
  feed_kmsg_record("7,813,5013000,-;debug\n", feed);
  feed_kmsg_record("11,814,5014000,-;e1000e 0000:00:1f.6: PM: failed to suspend async: error -16\n",
                   feed);  // "<3>..." written by user space: LOG_USER, level 3
  feed_kmsg_record("30,815,5015000,-;systemd[1]: Starting...\n", feed);  // LOG_DAEMON
  feed_kmsg_record("8,816,5016000,-;facility 1, level 0\n", feed);
  feed_kmsg_record("x,817,5017000,-;no number\n", feed);
  feed_kmsg_record(",818,5018000,-;no priority\n", feed);
  feed_kmsg_record("1000,819,5019000,-;out of range\n", feed);
  EXPECT_EQ(read,
            (std::vector<std::string>{
                "kernel 5.012000 xhci_hcd 0000:00:14.0: PM: failed to suspend async: error -16",
                "kernel 5.013000 debug"}));
  EXPECT_TRUE(kernel_priority("0"));
  EXPECT_TRUE(kernel_priority("7"));
  EXPECT_FALSE(kernel_priority("8"));
  EXPECT_FALSE(kernel_priority("14"));
  EXPECT_FALSE(kernel_priority(""));
  EXPECT_FALSE(kernel_priority("-1"));
}

// systemd's sleep.c: log_struct_errno(LOG_ERR, r, "Failed to put system to sleep. System
// resumed again: %m") (and "Failed to suspend system. ..." before v246).
TEST(SleepManagers, SystemdAloneIsAHookFailureWithItsErrno) {
  const auto findings = read_log(
      "Mar 01 10:00:00 host systemd-sleep[42]: Failed to put system to sleep. System resumed "
      "again: Device or resource busy\n");
  ASSERT_EQ(findings.failed_sleeps.size(), 1u);
  const Failure& failure = findings.failed_sleeps[0].failures.at(0);
  EXPECT_EQ(failure.kind, FailureKind::kHook);
  EXPECT_EQ(failure.manager_error, "Device or resource busy");
  EXPECT_EQ(failure.error, -16);
}

// pm-utils' pm-functions: _run_hook logs "$*:" then hook_exit_status "Returned exit code
// $1."; pm-action: "$(date): Inhibit found, will not perform $METHOD".
TEST(SleepManagers, PmUtilsHookThatInhibitedTheSleep) {
  const auto findings = read_log(
      "Running hook /etc/pm/sleep.d/20_custom suspend suspend:\n"
      "/etc/pm/sleep.d/20_custom suspend suspend: Returned exit code 2.\n"
      "Thu Dec 19 14:42:26 EST 2013: Inhibit found, will not perform suspend\n");
  ASSERT_EQ(findings.failed_sleeps.size(), 1u);
  const Failure& failure = findings.failed_sleeps[0].failures.at(0);
  EXPECT_EQ(failure.kind, FailureKind::kHook);
  EXPECT_EQ(failure.hook, "/etc/pm/sleep.d/20_custom");
  EXPECT_EQ(failure.error, 2);
}

TEST(KernelLogReader, NewerFormatsAndPhases) {
  // 6.8+ async late/noirq, 5.12+ prepare, and a resume failure after a good suspend.
  const auto findings = read_log(
      "PM: suspend entry (deep)\n"
      "foo bar 0000:01:00.0: PM: failed to suspend async late: error -5\n"
      "PM: suspend exit\n"
      "PM: suspend entry (deep)\n"
      "acpi PNP0C0A:00: PM: not prepared for power transition: code -16\n"
      "PM: suspend exit\n"
      "PM: suspend entry (s2idle)\n"
      "mt7921e 0000:02:00.0: PM: failed to resume async: error -5\n"
      "PM: suspend exit\n");
  ASSERT_EQ(findings.failed_sleeps.size(), 3u);
  EXPECT_EQ(findings.failed_sleeps[0].failures[0].phase, "resume async");
  EXPECT_FALSE(findings.failed_sleeps[0].failed) << "a resume failure: the sleep itself worked";
  EXPECT_EQ(findings.failed_sleeps[1].failures[0].kind, FailureKind::kPrepare);
  EXPECT_EQ(findings.failed_sleeps[1].failures[0].device, "PNP0C0A:00");
  const Failure& late = findings.failed_sleeps[2].failures[0];
  EXPECT_EQ(late.driver, "foo bar") << "driver names may contain spaces";
  EXPECT_EQ(late.device, "0000:01:00.0");
  EXPECT_EQ(late.phase, "suspend async late");
}

TEST(KernelLogReader, MemoryIsBoundedAndNewestFirst) {
  std::string log;
  for (int i = 1; i <= 100; ++i)
    log += "PM: suspend entry (deep)\nPM: Device dev" + std::to_string(i) +
           " failed to suspend: error -16\nPM: suspend exit\n";
  const auto findings = read_log(log);
  EXPECT_EQ(findings.sleeps, 100u);
  ASSERT_EQ(findings.failed_sleeps.size(), KernelLogReader::kMaxFailedSleeps);
  EXPECT_EQ(findings.dropped_sleeps, 100 - KernelLogReader::kMaxFailedSleeps);
  EXPECT_EQ(findings.failed_sleeps.front().failures[0].device, "dev100");
}

TEST(LineSplitter, CutsLongLinesAndKeepsTheRest) {
  std::vector<std::pair<std::string, bool>> lines;
  LineSplitter splitter(
      8, [&](std::string_view line, bool cut) { lines.emplace_back(std::string(line), cut); });
  splitter.push("short\n0123456789abcdef");
  splitter.push("ghij\nlast");
  splitter.finish();
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0], std::make_pair(std::string("short"), false));
  EXPECT_EQ(lines[1], std::make_pair(std::string("01234567"), true));
  EXPECT_EQ(lines[2], std::make_pair(std::string("last"), false));
}

SuspendStats counters(uint64_t success, uint64_t fail, uint64_t failed_suspend,
                      uint64_t failed_freeze, const std::string& last_device) {
  SuspendStats stats;
  for (auto& counter : stats.counters) counter = 0;
  stats.counters[SuspendStats::kSuccess] = success;
  stats.counters[SuspendStats::kFail] = fail;
  stats.counters[SuspendStats::kFailedSuspend] = failed_suspend;
  stats.counters[SuspendStats::kFailedFreeze] = failed_freeze;
  if (!last_device.empty()) {
    stats.last_failed_devices = {last_device};
    stats.last_failed_errnos = {-16};
  }
  return stats;
}

TEST(Attribution, CountersTellWhatTheLogLost) {
  LogFindings findings;  // a log that kept nothing (rotated)
  const Attribution result =
      attribute(findings, windows_since_boot(counters(3, 1, 1, 0, "0000:00:14.0")));
  ASSERT_EQ(findings.failed_sleeps.size(), 1u);
  const Failure& failure = findings.failed_sleeps[0].failures[0];
  EXPECT_TRUE(failure.from_counters);
  EXPECT_EQ(failure.device, "0000:00:14.0");
  EXPECT_EQ(failure.error, -16);
  EXPECT_EQ(result.counted_failures, 1u);
}

TEST(Attribution, AgreesWithTheLogAndDistrustsAStaleDevice) {
  LogFindings findings = read_log("PM: Device 0000:00:14.0 failed to suspend: error -16\n");
  attribute(findings, windows_since_boot(counters(3, 1, 1, 0, "0000:00:14.0")));
  EXPECT_EQ(findings.failed_sleeps.size(), 1u) << "the log's failure, not a second one";

  // Per sleep (the hook's sleep log): only freeze moved in this window, so last_failed_dev
  // is an older sleep's and must not be blamed.
  LogFindings empty;
  const std::vector<CounterWindow> windows = {{"suspend at 12:00",
                                               counters(3, 1, 1, 0, "0000:00:14.0"),
                                               counters(3, 2, 1, 1, "0000:00:14.0")}};
  attribute(empty, windows);
  ASSERT_EQ(empty.failed_sleeps.size(), 1u);
  EXPECT_EQ(empty.failed_sleeps[0].failures[0].kind, FailureKind::kFreeze);
  EXPECT_EQ(empty.failed_sleeps[0].failures[0].device, "");
}

SleepLogEntry logged(SleepPhase phase, const std::string& boot, int64_t realtime,
                     const SuspendStats& stats) {
  SleepLogEntry entry;
  entry.phase = phase;
  entry.boot_id = boot;
  entry.realtime = realtime;
  entry.counters.counters = stats.counters;  // the log keeps counters, never the ring
  return entry;
}

// The hook's sleep log ties each failure to the sleep it happened in: three sleeps this boot,
// the middle one failed at a device, the newest failed to freeze. Only the middle window may
// name the kernel's last_failed_dev, and the newest must not inherit it.
TEST(Attribution, SleepLogGivesOneWindowPerSleep) {
  const std::string boot = "8d3f0c2e-1b2a-4c5d-9e8f-0a1b2c3d4e5f";
  const SuspendStats now = counters(2, 2, 1, 1, "0000:00:02.0");
  const std::vector<SleepLogEntry> log = {
      logged(SleepPhase::kPre, "0ther000-0000-0000-0000-000000000000", 50,
             counters(9, 9, 9, 0, "")),
      logged(SleepPhase::kPre, boot, 100, counters(0, 0, 0, 0, "")),
      logged(SleepPhase::kPost, boot, 110, counters(1, 0, 0, 0, "")),
      logged(SleepPhase::kPre, boot, 200, counters(1, 0, 0, 0, "")),
      logged(SleepPhase::kPost, boot, 201, counters(1, 1, 1, 0, "")),
      logged(SleepPhase::kPre, boot, 300, counters(2, 1, 1, 0, "")),  // no post came
  };
  const std::vector<CounterWindow> windows = windows_from_sleep_log(log, boot, now);
  ASSERT_EQ(windows.size(), 3u) << "the other boot's entry is left out";
  EXPECT_NE(windows[0].label.find("no post"), std::string::npos) << windows[0].label;
  EXPECT_TRUE(windows[0].after.last_failed_devices.empty()) << "a freeze does not own the ring";
  EXPECT_EQ(windows[1].after.last_failed_devices, std::vector<std::string>{"0000:00:02.0"});
  EXPECT_TRUE(windows[2].after.last_failed_devices.empty());

  LogFindings findings;  // nothing in the log: the counters alone speak
  const Attribution result = attribute(findings, windows);
  ASSERT_EQ(result.windows.size(), 3u);
  EXPECT_EQ(result.windows[0].step, "failed_freeze");
  EXPECT_EQ(result.windows[1].step, "failed_suspend");
  EXPECT_EQ(result.windows[2].failed, 0u);
  EXPECT_EQ(result.windows[2].attempts, 1u);
  ASSERT_EQ(findings.failed_sleeps.size(), 2u);
  EXPECT_EQ(findings.failed_sleeps[0].failures[0].kind, FailureKind::kFreeze);
  EXPECT_EQ(findings.failed_sleeps[1].failures[0].device, "0000:00:02.0");
  EXPECT_EQ(findings.failed_sleeps[1].failures[0].error, -16);

  // A device failure after the newest window ended (a sleep not through the hook) owns the
  // ring: no window gets it. (A window whose post never came runs to now, so it would.)
  const std::vector<SleepLogEntry> ended(log.begin(), log.end() - 1);
  const SuspendStats later = counters(2, 3, 2, 1, "0000:00:03.0");
  for (const CounterWindow& window : windows_from_sleep_log(ended, boot, later))
    EXPECT_TRUE(window.after.last_failed_devices.empty()) << window.label;
  EXPECT_TRUE(windows_from_sleep_log(log, "another-boot", now).empty());
}

TEST(TextSafety, EscapesAndReplaces) {
  EXPECT_EQ(escape_for_terminal("a\x1b[31mb\\c\xff\xc2\x9b"), "a\\x1b[31mb\\\\c\\xff\\xc2\\x9b");
  EXPECT_EQ(escape_for_terminal("Zürich"), "Zürich");
  EXPECT_EQ(to_valid_utf8("ok\xc3\x28"), "ok\xef\xbf\xbd(");
  EXPECT_EQ(yaml_quoted("a\"b\n"), "\"a\\\"b\\x0a\"");
  EXPECT_EQ(yaml_quoted("del\x7f"), "\"del\\x7f\"") << "DEL is a control character too";
}

// A mutation loop over real excerpts (tests/fuzz/ has no fuzzer target on main yet): random
// byte edits, cuts and splices must never crash, hang or grow the findings past their bounds.
TEST(KernelLogReaderFuzz, RandomEditsOfRealLines) {
  const std::string seed =
      "May 21 22:20:06 dell kernel: [  166.947666] pci_pm_suspend(): "
      "nouveau_pmops_suspend+0x0/0x80 [nouveau] returns -16\n"
      "Jan 02 21:52:55 legion16 kernel: cs35l41-hda\ni2c-CLSA0100:00-cs35l41-hda.1: PM: "
      "dpm_run_callback():\ncs35l41_system_suspend+0x0/0xd0 [snd_hda_scodec_cs35l41] returns "
      "-22\n>> [  260.739483] Freezing of tasks failed after 20.013 seconds (3 tasks refusing "
      "to freeze, wq_busy=0):\n>> [  260.739497] task:iou-mgr-446     state:S stack:    0\n"
      "    PM: active wakeup source: mmc0\n6,1,2,-;PM: suspend entry (deep)\n"
      "systemd-sleep[1]: Failed to put system to\nsleep. System resumed again: Invalid\n";
  std::mt19937 random(20240601);
  for (int round = 0; round < 4000; ++round) {
    std::string text = seed;
    const int edits = 1 + static_cast<int>(random() % 12);
    for (int e = 0; e < edits && !text.empty(); ++e) {
      const size_t at = random() % text.size();
      switch (random() % 4) {
        case 0:
          text[at] = static_cast<char>(random() % 256);
          break;
        case 1:
          text.erase(at, random() % 16);
          break;
        case 2:
          text.insert(at, text.substr(random() % text.size(), random() % 32));
          break;
        default:
          text.insert(at, 1, "\n:()[]> ;,-"[random() % 11]);
      }
    }
    const auto findings = read_log(text);
    ASSERT_LE(findings.failed_sleeps.size(), KernelLogReader::kMaxFailedSleeps);
    for (const SleepAttempt& attempt : findings.failed_sleeps) {
      ASSERT_LE(attempt.failures.size(), KernelLogReader::kMaxFailures);
      for (const Failure& failure : attempt.failures) {
        ASSERT_LE(failure.tasks.size(), KernelLogReader::kMaxTasks);
        ASSERT_LE(failure.message.size(), 512u);
      }
    }
  }
}

}  // namespace
}  // namespace suspendfix
