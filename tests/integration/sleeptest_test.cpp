// SPDX-License-Identifier: GPL-2.0-or-later
// suspendfix test (issue 10), the built binary against a fake machine: the umockdev testbed for
// /sys (the RTC alarm, /sys/power, the devices) and the fake kernel, which also "sleeps" when
// 'mem' is written to the testbed's power/state (SUSPENDFIX_FAKE_SLEEP, tests/fakekernel):
// the counters move and the alarm fires before the write returns, or the write fails with the
// kernel's record of a device that refused.
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <csignal>
#include <nlohmann/json.hpp>

#include "integration/hook_fixture.hpp"
#include "sleep/state_store.hpp"

namespace suspendfix {
namespace {

constexpr char kNec[] = "0000:0f:00.0";

class SleepTestTest : public HookTest {
 protected:
  void SetUp() override {
    HookTest::SetUp();
    if (IsSkipped()) return;
    if (geteuid() != 0) GTEST_SKIP() << "suspendfix test refuses to run unless root";
    testbed_.add_sysfs(
        "file power/state freeze mem disk\nfile power/mem_sleep s2idle [deep]\n"
        "file power/suspend_stats/success 0\nfile power/suspend_stats/fail 0\n"
        "file power/suspend_stats/failed_suspend 0\nfile power/suspend_stats/failed_freeze 0\n"
        "file power/suspend_stats/last_failed_dev \nfile class/rtc/rtc0/wakealarm \n");
    dir_.write("kmsg", "");
    fs::create_directories(dir_.path() / "no-profiles");
  }
  /// suspendfix test --through self ARGS..., with the NEC profile unless `profiles` says.
  CommandResult test(std::vector<std::string> arguments, std::vector<std::string> env = {},
                     const std::string& profiles = "") const {
    std::vector<std::string> argv = {
        "--through",
        "self",
        "--wake-after",
        "3",
        "--profiles",
        profiles.empty() ? std::string(SUSPENDFIX_SOURCE_DIR) + "/profiles/nec" : profiles};
    argv.insert(argv.end(), arguments.begin(), arguments.end());
    env.push_back("SUSPENDFIX_FAKE_SLEEP=1");
    env.push_back("SUSPENDFIX_KMSG=" + (dir_.path() / "kmsg").string());
    return run("test", argv, env);
  }
  std::string stat(const std::string& name) const {
    return read_file(testbed_.sys_dir() + "/power/suspend_stats/" + name);
  }
};

TEST_F(SleepTestTest, ThreeCyclesThroughSelfEachUnloadAndLoadBackTheNecDriver) {
  const auto result = test({"--cycles", "3"});
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
  EXPECT_EQ(stat("success"), "3\n") << "three sleeps, each through the testbed's power/state";
  EXPECT_EQ(read_file(testbed_.sys_dir() + "/power/state"), "mem");
  EXPECT_EQ(count("delete xhci_pci 0"), 3u);
  EXPECT_EQ(count("init xhci_pci 0"), 3u);
  EXPECT_TRUE(kernel_->loaded("xhci_pci"));
  EXPECT_EQ(state(), "") << "nothing left recorded";
  for (const char* line : {"cycle 1/3: ok", "cycle 2/3: ok", "cycle 3/3: ok"})
    EXPECT_NE(result.out.find(line), std::string::npos) << line << "\n" << result.out;
  EXPECT_NE(result.out.find("Cycles: 3 run, 3 succeeded, 0 failed."), std::string::npos)
      << result.out;
}

TEST_F(SleepTestTest, JsonHasOneObjectPerCycleWithWhatPostBroughtBack) {
  const auto result = test({"--cycles", "2", "--json"});
  ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
  const auto json = nlohmann::json::parse(result.out);
  EXPECT_EQ(json["schema"], 1);
  ASSERT_EQ(json["cycles"].size(), 2u);
  for (const auto& cycle : json["cycles"]) {
    EXPECT_EQ(cycle["ok"], true) << cycle.dump();
    EXPECT_EQ(cycle["slept"], true);
    EXPECT_EQ(cycle["hook"]["pre"], true);
    EXPECT_EQ(cycle["hook"]["post"], true);
    EXPECT_EQ(cycle["hook"]["brought_back"][0]["object"], "xhci_pci") << cycle.dump();
    ASSERT_EQ(cycle["devices"].size(), 1u) << cycle.dump();
    EXPECT_EQ(cycle["devices"][0]["slot"], kNec);
    EXPECT_EQ(cycle["devices"][0]["bound_again"], true);
  }
  EXPECT_EQ(json["summary"]["succeeded"], 2);
  EXPECT_EQ(json["summary"]["ok"], true);
}

// With reload_at_wake the watcher may load before post does (it races suspend's own post,
// under the same lock): either way each cycle reports xhci_pci brought back, once.
TEST_F(SleepTestTest, WithReloadAtWakeEachCycleStillReportsWhatCameBackAndNothingLoadsTwice) {
  config("reload_at_wake: yes\n");
  const auto result = test({"--cycles", "3", "--json"});
  ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
  const auto json = nlohmann::json::parse(result.out);
  ASSERT_EQ(json["cycles"].size(), 3u);
  for (const auto& cycle : json["cycles"]) {
    EXPECT_EQ(cycle["ok"], true) << cycle.dump();
    EXPECT_EQ(cycle["hook"]["post"], true) << cycle.dump();
    ASSERT_EQ(cycle["hook"]["brought_back"].size(), 1u) << cycle.dump();
    EXPECT_EQ(cycle["hook"]["brought_back"][0]["object"], "xhci_pci") << cycle.dump();
  }
  EXPECT_EQ(count("delete xhci_pci 0"), 3u);
  EXPECT_EQ(count("init xhci_pci 0"), 3u) << "no double load";
  EXPECT_TRUE(kernel_->loaded("xhci_pci"));
  EXPECT_EQ(state(), "");
}

TEST_F(SleepTestTest, AFailedSleepStopsAtCycleOneNamingTheDeviceAndItsModule) {
  const auto result =
      test({"--cycles", "5"},
           {"SUSPENDFIX_FAKE_POWER_STATE_ERROR=EBUSY",
            std::string("SUSPENDFIX_FAKE_SLEEP_DEVICE=") + kNec + ",xhci_hcd,xhci_pci"},
           (dir_.path() / "no-profiles").string());
  EXPECT_EQ(result.exit_code, 3) << result.out << result.err;
  EXPECT_EQ(stat("fail"), "1\n") << "stopped after the first failed cycle";
  EXPECT_NE(result.out.find("cycle 1/5: FAILED"), std::string::npos) << result.out;
  EXPECT_EQ(result.out.find("cycle 2/5"), std::string::npos) << result.out;
  // The driver in sysfs is xhci_hcd; the module behind it, from the testbed's links, xhci_pci.
  EXPECT_NE(result.out.find("xhci_hcd 0000:0f:00.0 (module xhci_pci) failed to suspend"),
            std::string::npos)
      << result.out;
  EXPECT_NE(result.out.find("error -16 (EBUSY)"), std::string::npos) << result.out;
}

TEST_F(SleepTestTest, CtrlCDuringASleepFinishesThatCycleAndStartsNoOther) {
  const auto result =
      test({"--cycles", "5"}, {"SUSPENDFIX_FAKE_SLEEP_SIGNAL=" + std::to_string(SIGINT)});
  EXPECT_EQ(result.exit_code, 130) << result.out << result.err;
  EXPECT_EQ(stat("success"), "1\n");
  EXPECT_TRUE(kernel_->loaded("xhci_pci")) << "post of the cycle under way still ran";
  EXPECT_EQ(state(), "");
  EXPECT_NE(result.out.find("cycle 1/5: ok"), std::string::npos) << result.out;
  EXPECT_EQ(result.out.find("cycle 2/5"), std::string::npos) << result.out;
}

TEST_F(SleepTestTest, MemSleepIsInForceDuringTheSleepsAndPutBackAfter) {
  const auto result = test({"--cycles", "2", "--mem-sleep", "s2idle"});
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
  EXPECT_EQ(count("write power/state 0 slept mem_sleep=s2idle"), 2u)
      << ::testing::PrintToString(kernel_->calls());
  EXPECT_EQ(read_file(testbed_.sys_dir() + "/power/mem_sleep"), "deep");
}

TEST_F(SleepTestTest, RefusesWithoutAnRtcAlarmAndTouchesNothing) {
  fs::remove(testbed_.sys_dir() + "/class/rtc/rtc0/wakealarm");
  const auto result = test({"--cycles", "1"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.err.find("cannot test: no RTC wake alarm"), std::string::npos) << result.err;
  EXPECT_EQ(stat("success"), "0\n");
  EXPECT_TRUE(kernel_->calls().empty());
}

TEST_F(SleepTestTest, RefusesWhileAPreviousSleepLeftModulesRecorded) {
  ASSERT_EQ(hook({"systemd-sleep", "pre", "suspend"}).exit_code, 0);
  ASSERT_FALSE(kernel_->loaded("xhci_pci"));
  const auto result = test({"--cycles", "1"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.err.find("module xhci_pci): run 'suspendfix restore' first"), std::string::npos)
      << result.err;
  EXPECT_EQ(stat("success"), "0\n");
  hook({"systemd-sleep", "post", "suspend"});
}

TEST_F(SleepTestTest, RefusesOnBatteryBelowTheThreshold) {
  testbed_.add_sysfs(
      "file class/power_supply/AC/type Mains\nfile class/power_supply/AC/online 0\n"
      "file class/power_supply/BAT0/type Battery\nfile class/power_supply/BAT0/status "
      "Discharging\nfile class/power_supply/BAT0/capacity 12\n");
  const auto result = test({"--cycles", "1"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.err.find("on battery at 12 %, below --min-battery 20 %"), std::string::npos)
      << result.err;
  EXPECT_EQ(test({"--cycles", "1", "--min-battery", "10"}).exit_code, 0);
}

TEST_F(SleepTestTest, RefusesWhileAHookHoldsTheStateLockOrAnotherTestRuns) {
  auto store = std::make_unique<StateStore>(state_dir());
  store->lock(std::chrono::steady_clock::now() + std::chrono::seconds(5));
  auto result = test({"--cycles", "1"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.err.find("a suspendfix hook holds the state lock"), std::string::npos)
      << result.err;
  EXPECT_EQ(stat("success"), "0\n");
  store.reset();  // released
  const int test_lock = open((state_dir() + "/test.lock").c_str(), O_RDWR | O_CLOEXEC);
  ASSERT_GE(test_lock, 0);
  ASSERT_EQ(flock(test_lock, LOCK_EX | LOCK_NB), 0);
  result = test({"--cycles", "1"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.err.find("another 'suspendfix test' is running"), std::string::npos)
      << result.err;
  close(test_lock);
  EXPECT_EQ(stat("success"), "0\n");
}

}  // namespace
}  // namespace suspendfix
