// SPDX-License-Identifier: GPL-2.0-or-later
// suspendfix test's runner on a fake machine: a fake clock and a fake sleep backend.
#include <gtest/gtest.h>

#include "fakes/fake_sleep.hpp"

namespace suspendfix {
namespace {

constexpr char kNec[] = "0000:00:04.0";
constexpr char kEdu[] = "0000:00:05.0";

class RunnerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    machine_.devices = {{kNec, "xhci_hcd", "xhci_pci", false, std::nullopt},
                        {kEdu, "sfx_broken", "sfx_brokenmod", false, std::nullopt}};
    for (const DeviceReturn& device : machine_.devices) machine_.bound[device.slot] = device.driver;
    options_.cycles = 5;
    options_.wake_after_seconds = 5;
  }
  TestResult run(FakeSleepPlan plan, std::function<bool()> stop = {}) {
    backend_ = std::make_unique<FakeSleepBackend>(machine_, plan);
    return run_test(options_, clock_, *backend_, observer_, alarm_, progress_, stop);
  }

  FakeMachine machine_;
  FakeClock clock_{machine_};
  FakeAlarm alarm_{machine_};
  FakeObserver observer_{machine_};
  RecordingProgress progress_;
  RunnerOptions options_;
  std::unique_ptr<FakeSleepBackend> backend_;
};

TEST_F(RunnerTest, FiveGoodCyclesEachWokenByTheAlarmWithTheDeviceBoundAgain) {
  const TestResult result = run({});
  ASSERT_EQ(result.cycles.size(), 5u);
  EXPECT_FALSE(result.interrupted);
  EXPECT_FALSE(result.stopped_at_failure);
  for (const CycleReport& cycle : result.cycles) {
    EXPECT_TRUE(cycle.ok) << cycle.number << ": " << ::testing::PrintToString(cycle.problems);
    EXPECT_TRUE(cycle.slept);
    EXPECT_EQ(cycle.attempts, 1);
    EXPECT_EQ(cycle.asleep_ms, 4000) << "armed with +5 right before the write: 4..5 s";
    EXPECT_TRUE(cycle.pre_ran);
    EXPECT_TRUE(cycle.post_ran);
    ASSERT_EQ(cycle.brought_back.size(), 1u);
    EXPECT_EQ(cycle.brought_back[0].object, "xhci_pci");
    ASSERT_EQ(cycle.devices.size(), 1u) << "only the devices of what post brought back";
    EXPECT_EQ(cycle.devices[0].slot, kNec);
    EXPECT_TRUE(cycle.devices[0].bound);
    ASSERT_TRUE(cycle.resume_ms.has_value());
    EXPECT_GE(*cycle.resume_ms, 250) << "the fake binds 0.25 s after the wake";
    EXPECT_LT(*cycle.resume_ms, 400);
    EXPECT_TRUE(cycle.notes.empty()) << ::testing::PrintToString(cycle.notes);
  }
  EXPECT_EQ(machine_.arms, 5);
  EXPECT_EQ(machine_.sleeps_without_alarm, 0);
  EXPECT_GE(machine_.disarms, 5) << "every cycle clears its alarm";
  EXPECT_EQ(progress_.lines.front(), "start 1");
  EXPECT_EQ(progress_.lines.back(), "done 5 ok");
}

TEST_F(RunnerTest, AFailedSleepStopsAtCycleOneAndNamesTheDeviceAndModule) {
  FakeSleepPlan plan;
  plan.fail_slot = kEdu;
  const TestResult result = run(plan);
  ASSERT_EQ(result.cycles.size(), 1u);
  EXPECT_TRUE(result.stopped_at_failure);
  const CycleReport& cycle = result.cycles[0];
  EXPECT_FALSE(cycle.ok);
  EXPECT_FALSE(cycle.slept);
  ASSERT_TRUE(cycle.failure.has_value());
  EXPECT_EQ(cycle.failure->device, kEdu);
  EXPECT_EQ(cycle.failure->module, "sfx_brokenmod");
  EXPECT_EQ(cycle.failure->error, -16);
  EXPECT_EQ(cycle.failure->step, "failed_suspend");
  ASSERT_FALSE(cycle.problems.empty());
  EXPECT_EQ(cycle.problems[0],
            "the sleep failed: sfx_broken 0000:00:05.0 (module sfx_brokenmod) failed to suspend "
            "async: error -16 (EBUSY)");
  EXPECT_TRUE(cycle.post_ran) << "the hook lost nothing";
  EXPECT_FALSE(cycle.resume_ms.has_value()) << "no wake, no resume time";
}

TEST_F(RunnerTest, KeepGoingRunsEveryCycle) {
  options_.keep_going = true;
  FakeSleepPlan plan;
  plan.fail_slot = kEdu;
  const TestResult result = run(plan);
  EXPECT_EQ(result.cycles.size(), 5u);
  EXPECT_FALSE(result.stopped_at_failure);
}

TEST_F(RunnerTest, TheSleepSystemsRetryInS2idleCountsTwoAttemptsOfOneFailedCycle) {
  FakeSleepPlan plan;
  plan.fail_slot = kEdu;
  plan.fail_attempts = 2;  // systemd-sleep and elogind: deep, then freeze
  const TestResult result = run(plan);
  ASSERT_EQ(result.cycles.size(), 1u);
  const CycleReport& cycle = result.cycles[0];
  EXPECT_EQ(cycle.attempts, 2);
  EXPECT_EQ(cycle.failed_attempts, 2);
  EXPECT_EQ(cycle.failure->device, kEdu) << "the first attempt's device";
  EXPECT_EQ(std::count_if(cycle.problems.begin(), cycle.problems.end(),
                          [](const std::string& p) { return p.rfind("the sleep failed", 0) == 0; }),
            1);
  ASSERT_EQ(cycle.notes.size(), 1u);
  EXPECT_NE(cycle.notes[0].find("2 attempts"), std::string::npos);
}

TEST_F(RunnerTest, SystemctlReturnsAtOnceAndTheRunnerWaitsForTheSleepAndThePost) {
  FakeSleepPlan plan;
  plan.returns_early = true;
  plan.pre_ns = 2 * kFakeSecond;
  plan.exit_status = 0;
  const TestResult result = run(plan);
  ASSERT_EQ(result.cycles.size(), 5u);
  for (const CycleReport& cycle : result.cycles) {
    EXPECT_TRUE(cycle.ok) << ::testing::PrintToString(cycle.problems);
    EXPECT_TRUE(cycle.slept);
    ASSERT_EQ(cycle.brought_back.size(), 1u) << "read once post was done (its lock free)";
    EXPECT_TRUE(cycle.devices.at(0).bound);
  }
}

TEST_F(RunnerTest, NoPostIsAProblemAndStopsEvenWithKeepGoing) {
  options_.keep_going = true;
  FakeSleepPlan plan;
  plan.returns_early = true;
  plan.no_post = true;
  const TestResult result = run(plan);
  ASSERT_EQ(result.cycles.size(), 1u);
  const CycleReport& cycle = result.cycles[0];
  EXPECT_FALSE(cycle.ok);
  EXPECT_TRUE(cycle.outcome.timed_out);
  EXPECT_NE(
      std::find(cycle.problems.begin(), cycle.problems.end(), "no post within 180 s of the sleep"),
      cycle.problems.end())
      << ::testing::PrintToString(cycle.problems);
}

TEST_F(RunnerTest, ARefusedClientIsNotWaitedFor) {
  FakeSleepPlan plan;
  plan.returns_early = true;
  plan.refused = true;
  plan.exit_status = 1;
  const int64_t start = machine_.monotonic;
  const TestResult result = run(plan);
  ASSERT_EQ(result.cycles.size(), 1u);
  EXPECT_LT(machine_.monotonic - start, 30 * kFakeSecond) << "not the 180 s bound";
  EXPECT_NE(std::find(result.cycles[0].problems.begin(), result.cycles[0].problems.end(),
                      "the sleep command exited with status 1"),
            result.cycles[0].problems.end());
}

TEST_F(RunnerTest, ASlowPreGetsTheAlarmPushedBackSoThatItNeverFiresBeforeTheSleep) {
  FakeSleepPlan plan;
  plan.returns_early = true;
  plan.pre_ns = 20 * kFakeSecond;  // pm-utils' hooks under TCG
  plan.exit_status = 0;
  options_.cycles = 2;
  const TestResult result = run(plan);
  ASSERT_EQ(result.cycles.size(), 2u);
  EXPECT_EQ(machine_.sleeps_without_alarm, 0);
  EXPECT_GE(machine_.least_alarm_lead, 2 * kFakeSecond) << "at least two seconds ahead";
  EXPECT_GT(result.cycles[0].outcome.exit_status.value_or(-1), -1);
  ASSERT_EQ(result.cycles[0].notes.size(), 1u);
  EXPECT_NE(result.cycles[0].notes[0].find("pushed back"), std::string::npos);
}

TEST_F(RunnerTest, ADeviceThatIsNotBoundAgainFailsTheCycle) {
  FakeSleepPlan plan;
  plan.bind_delay_ns = 60 * kFakeSecond;  // past the 30 s bound
  const TestResult result = run(plan);
  ASSERT_EQ(result.cycles.size(), 1u);
  const CycleReport& cycle = result.cycles[0];
  EXPECT_FALSE(cycle.ok);
  EXPECT_FALSE(cycle.devices.at(0).bound);
  EXPECT_EQ(cycle.problems.at(0), "0000:00:04.0 is not bound to xhci_hcd again");
  EXPECT_FALSE(cycle.resume_ms.has_value());
}

TEST_F(RunnerTest, AStopBetweenCyclesEndsTheRunCleanly) {
  int asked = 0;
  const TestResult result = run({}, [&] { return ++asked > 2; });
  EXPECT_EQ(result.cycles.size(), 2u);
  EXPECT_TRUE(result.interrupted);
  for (const CycleReport& cycle : result.cycles) EXPECT_TRUE(cycle.ok);
  EXPECT_FALSE(machine_.alarm_set) << "no alarm left behind";
}

TEST_F(RunnerTest, SomethingStillRecordedAfterTheCycleFailsIt) {
  StateRecord record;
  record.object = "xhci_pci";
  machine_.pending = {record};
  const TestResult result = run({});
  ASSERT_EQ(result.cycles.size(), 1u);
  EXPECT_EQ(result.cycles[0].problems.at(0), "still recorded after the cycle: module xhci_pci");
}

}  // namespace
}  // namespace suspendfix
