// SPDX-License-Identifier: GPL-2.0-or-later
// suspendfix test's verdict on one cycle, its report and JSON, and the sleep log's post actions.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "sleeptest/cycle.hpp"
#include "sleeptest/test_report.hpp"

namespace suspendfix {
namespace {

SleepLogEntry entry(SleepPhase phase, int64_t time, std::vector<SleepLogAction> actions = {}) {
  SleepLogEntry out;
  out.phase = phase;
  out.boot_id = "0c1f3b0e-6a4d-4f5e-9c2b-7d8e9f0a1b2c";
  out.realtime = time;
  out.asleep_ms = time;
  out.actions = std::move(actions);
  return out;
}

/// Every counter, as the kernel has them all.
SuspendStats counters(const std::string& moved) {
  return parse_suspend_counters(
      "success=3 fail=0 failed_freeze=0 failed_prepare=0 failed_suspend=0 failed_suspend_late=0 "
      "failed_suspend_noirq=0 failed_resume=0 failed_resume_early=0 failed_resume_noirq=0 " +
      moved);
}

/// A cycle that went well: success+1, pre and post, xhci_pci back, its device bound.
CycleObservation good() {
  CycleObservation observation;
  observation.number = 1;
  observation.counters_before = counters("");
  observation.counters_after = counters("success=4");
  observation.asleep_after_ns = 4'000'000'000;
  observation.started_ns = 0;
  observation.ended_ns = 7'000'000'000;
  observation.wake_ns = 5'000'000'000;
  observation.hook_entries = {
      entry(SleepPhase::kPre, 1),
      entry(SleepPhase::kPost, 2, {{StateRecord::Kind::kModule, "xhci_pci", true}})};
  observation.devices = {{"0000:00:04.0", "xhci_hcd", "xhci_pci", true, 420'000'000}};
  return observation;
}

TEST(SleeptestJudge, AGoodCycle) {
  const CycleReport report = judge_cycle(good());
  EXPECT_TRUE(report.ok) << ::testing::PrintToString(report.problems);
  EXPECT_TRUE(report.slept);
  EXPECT_EQ(report.asleep_ms, 4000);
  EXPECT_EQ(report.duration_ms, 7000);
  EXPECT_EQ(report.resume_ms, 420);
  EXPECT_FALSE(report.hw_sleep_us.has_value());
}

TEST(SleeptestJudge, EachMissingPartIsAProblem) {
  CycleObservation observation = good();
  observation.hook_entries.pop_back();
  EXPECT_EQ(judge_cycle(observation).problems,
            std::vector<std::string>{"suspendfix's post did not run (nothing in the sleep log)"});
  observation.hook_entries.clear();
  EXPECT_EQ(judge_cycle(observation).problems,
            std::vector<std::string>{"suspendfix's pre did not run (nothing in the sleep log)"});
  observation = good();
  observation.hook_entries[1].actions[0].back = false;
  EXPECT_EQ(judge_cycle(observation).problems,
            std::vector<std::string>{"post could not bring back module xhci_pci"});
  observation = good();
  observation.counters_after = observation.counters_before;
  observation.asleep_after_ns = 0;
  EXPECT_EQ(judge_cycle(observation).problems,
            std::vector<std::string>{"the machine did not sleep: the kernel counted no sleep"});
}

TEST(SleeptestJudge, WithoutCountersTheClocksTell) {
  CycleObservation observation = good();
  observation.counters_before.reset();
  observation.counters_after.reset();
  EXPECT_TRUE(judge_cycle(observation).ok);
  observation.asleep_after_ns = 5'000'000;  // jitter, not a sleep
  EXPECT_FALSE(judge_cycle(observation).slept);
}

TEST(SleeptestJudge, CountersAloneNameTheDeviceOnlyWhenADeviceStepMoved) {
  CycleObservation observation = good();
  observation.counters_after = counters("fail=1 failed_suspend=1");
  observation.counters_after->last_failed_devices = {"0000:00:05.0"};
  observation.counters_after->last_failed_errnos = {-16};
  observation.counters_after->last_failed_steps = {"suspend"};
  CycleReport report = judge_cycle(observation, [](CycleFailure& failure) {
    failure.driver = "sfx_broken";
    failure.module = "sfx_brokenmod";
  });
  ASSERT_TRUE(report.failure);
  EXPECT_EQ(report.failure->device, "0000:00:05.0");
  EXPECT_EQ(report.failure->module, "sfx_brokenmod");
  EXPECT_EQ(report.problems.at(0),
            "the sleep failed: sfx_broken 0000:00:05.0 (module sfx_brokenmod) failed to suspend: "
            "error -16 (EBUSY)");
  // A freezer failure leaves last_failed_dev stale: it must not be named.
  observation.counters_after = counters("fail=1 failed_freeze=1");
  observation.counters_after->last_failed_devices = {"0000:00:05.0"};
  report = judge_cycle(observation);
  ASSERT_TRUE(report.failure);
  EXPECT_EQ(report.failure->kind, FailureKind::kFreeze);
  EXPECT_TRUE(report.failure->device.empty());
}

TEST(SleeptestJudge, AResumeFailureAfterASleepFailsTheCycle) {
  CycleObservation observation = good();
  observation.counters_after = counters("success=4 failed_resume=1");
  observation.counters_after->last_failed_devices = {"0000:00:05.0"};
  observation.counters_after->last_failed_steps = {"resume"};
  const CycleReport report = judge_cycle(observation);
  EXPECT_TRUE(report.slept);
  EXPECT_FALSE(report.ok);
  EXPECT_EQ(report.problems.at(0).rfind("a device failed after the sleep: ", 0), 0u)
      << report.problems.at(0);
}

TEST(SleeptestJudge, HardwareSleepIsTheGrowthOfTheTotal) {
  CycleObservation observation = good();
  observation.counters_before->total_hw_sleep_us = 1'000'000;
  observation.counters_after->total_hw_sleep_us = 4'500'000;
  observation.counters_after->last_hw_sleep_us = 3'400'000;
  EXPECT_EQ(judge_cycle(observation).hw_sleep_us, 3'500'000);
  observation.counters_before->total_hw_sleep_us.reset();
  EXPECT_EQ(judge_cycle(observation).hw_sleep_us, 3'400'000);
}

TEST(SleeptestJudge, NewSleepLogEntriesAreThoseAfterTheLastOneSeen) {
  const std::vector<SleepLogEntry> before = {entry(SleepPhase::kPre, 1),
                                             entry(SleepPhase::kPost, 2)};
  std::vector<SleepLogEntry> after = before;
  after.push_back(entry(SleepPhase::kPre, 3));
  after[1].actions = {{StateRecord::Kind::kModule, "xhci_pci", true}};  // amended: same entry
  EXPECT_EQ(new_sleep_log_entries(before, after).size(), 1u);
  after.erase(after.begin());  // the window moved on
  EXPECT_EQ(new_sleep_log_entries(before, after).size(), 1u);
  EXPECT_EQ(new_sleep_log_entries({}, after).size(), 2u);
}

TEST(SleepLogActions, RoundTripAndOlderReadersSkipThem) {
  SleepLogEntry post = entry(SleepPhase::kPost, 7);
  post.actions = {{StateRecord::Kind::kModule, "xhci_pci", true},
                  {StateRecord::Kind::kUnbind, "0000:00:05.0", true},
                  {StateRecord::Kind::kModule, "sfx_brokenmod", false}};
  const std::string text = format_sleep_log({post});
  EXPECT_NE(text.find(" back=module:xhci_pci,unbind:0000:00:05.0 left=module:sfx_brokenmod\n"),
            std::string::npos)
      << text;
  const SleepLog log = parse_sleep_log(text, "sleeps");
  ASSERT_EQ(log.entries.size(), 1u);
  EXPECT_EQ(log.entries[0].actions, post.actions);
  EXPECT_TRUE(log.errors.empty());
  const SleepLog odd = parse_sleep_log(
      "# suspendfix sleeps 1\npost - 7 suspend suspendfix asleep_ms=0 "
      "back=bogus:x,module:,module:ok "
      "future=1\n",
      "sleeps");
  ASSERT_EQ(odd.entries.size(), 1u);
  ASSERT_EQ(odd.entries[0].actions.size(), 1u);
  EXPECT_EQ(odd.entries[0].actions[0].object, "ok");
}

TEST(SleeptestReport, JsonHasOneObjectPerCycleAndASummary) {
  TestRun run;
  run.path = SleepPath::kSystemd;
  run.cycles_requested = 2;
  run.mem_sleep = "deep";
  run.result.cycles.push_back(judge_cycle(good()));
  CycleObservation failed = good();
  failed.number = 2;
  failed.counters_after = counters("fail=2 failed_suspend=2");
  failed.counters_after->last_failed_devices = {"0000:00:05.0"};
  failed.counters_after->last_failed_errnos = {-16};
  run.result.cycles.push_back(judge_cycle(failed));
  std::ostringstream out;
  write_test_json(run, out);
  const auto json = nlohmann::json::parse(out.str());
  EXPECT_EQ(json["schema"], 1);
  EXPECT_EQ(json["through"], "systemd");
  EXPECT_EQ(json["command"], "systemctl suspend");
  ASSERT_EQ(json["cycles"].size(), 2u);
  EXPECT_EQ(json["cycles"][0]["ok"], true);
  EXPECT_EQ(json["cycles"][0]["resume_seconds"], 0.42);
  EXPECT_EQ(json["cycles"][0]["hook"]["brought_back"][0]["object"], "xhci_pci");
  EXPECT_EQ(json["cycles"][1]["attempts"], 2);
  EXPECT_EQ(json["cycles"][1]["counters_moved"]["failed_suspend"], 2);
  EXPECT_EQ(json["cycles"][1]["failure"]["device"], "0000:00:05.0");
  EXPECT_EQ(json["cycles"][1]["failure"]["errno_name"], "EBUSY");
  EXPECT_EQ(json["summary"]["ok"], false);
  EXPECT_EQ(json["summary"]["failed"], 1);
  EXPECT_EQ(json["summary"]["slowest_resume"]["cycle"], 1);
  EXPECT_EQ(json["summary"]["unloaded"][0]["times"], 2);
  std::ostringstream text;
  write_test_text(run, text);
  EXPECT_NE(text.str().find("Cycle 2 failed: the sleep failed: device 0000:00:05.0 failed to "
                            "suspend: error -16 (EBUSY)"),
            std::string::npos)
      << text.str();
  EXPECT_NE(text.str().find("The hook unloaded: xhci_pci (2 times); all came back."),
            std::string::npos);
}

TEST(SleeptestReport, KernelTextIsEscapedForTheTerminal) {
  CycleObservation observation = good();
  observation.outcome.exit_status = 1;
  observation.outcome.output = "bad\x1b]0;title\x07";
  TestRun run;
  run.cycles_requested = 1;
  run.result.cycles.push_back(judge_cycle(observation));
  std::ostringstream text;
  write_test_text(run, text);
  EXPECT_EQ(text.str().find('\x1b'), std::string::npos);
  EXPECT_NE(text.str().find("bad\\x1b]0;title\\x07"), std::string::npos) << text.str();
}

}  // namespace
}  // namespace suspendfix
