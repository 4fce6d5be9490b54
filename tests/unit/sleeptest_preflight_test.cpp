// SPDX-License-Identifier: GPL-2.0-or-later
// suspendfix test's preflight: which path, and every reason to refuse to start.
#include <gtest/gtest.h>

#include "sleeptest/preflight.hpp"

namespace suspendfix {
namespace {

/// A machine that can be tested: root, an RTC alarm, mem offered, nothing recorded, on AC.
SleepFacts ready() {
  SleepFacts facts;
  facts.root = true;
  facts.wakealarm = "/sys/class/rtc/rtc0/wakealarm";
  facts.wakealarm_writable = true;
  facts.power_states = "freeze mem disk";
  facts.mem_sleep = "s2idle [deep]";
  facts.state_file = "/run/suspendfix/state";
  return facts;
}

PathFacts path(const std::string& hook, bool running, const std::string& client) {
  PathFacts facts;
  facts.hook = hook;
  facts.hook_places = {"/usr/lib/x/suspendfix"};
  facts.manager_running = running;
  facts.client = client;
  return facts;
}

PowerSupply supply(const std::string& type, std::optional<bool> online, std::optional<int> capacity,
                   const std::string& status = "") {
  PowerSupply out;
  out.type = type;
  out.online = online;
  out.capacity = capacity;
  out.status = status;
  return out;
}

TEST(SleeptestPreflight, AReadyMachineRunsThroughSelfWhenNoSleepSystemHasTheHook) {
  const Preflight preflight = check_preflight({}, ready());
  EXPECT_TRUE(preflight.refusals.empty()) << ::testing::PrintToString(preflight.refusals);
  EXPECT_EQ(preflight.path, SleepPath::kSelf);
}

TEST(SleeptestPreflight, TheDefaultIsThePathWhoseHookIsInstalledAndWhoseManagerRuns) {
  SleepFacts facts = ready();
  facts.paths[SleepPath::kPmUtils] =
      path("/usr/lib/pm-utils/sleep.d/77suspendfix", false, "/usr/sbin/pm-suspend");
  EXPECT_EQ(check_preflight({}, facts).path, SleepPath::kPmUtils);
  facts.paths[SleepPath::kElogind] =
      path("/usr/lib/elogind/system-sleep/suspendfix", false, "/usr/bin/loginctl");
  EXPECT_EQ(check_preflight({}, facts).path, SleepPath::kPmUtils) << "elogind is not running";
  facts.paths[SleepPath::kElogind].manager_running = true;
  EXPECT_EQ(check_preflight({}, facts).path, SleepPath::kElogind);
  facts.paths[SleepPath::kSystemd] = path("", true, "/usr/bin/systemctl");
  Preflight preflight = check_preflight({}, facts);
  EXPECT_EQ(preflight.path, SleepPath::kElogind) << "systemd runs, but without our hook";
  ASSERT_GE(preflight.notes.size(), 1u);
  EXPECT_NE(preflight.notes[0].find("systemd is running but suspendfix's systemd-sleep hook is "
                                    "not installed"),
            std::string::npos);
  facts.paths[SleepPath::kSystemd].hook = "/usr/lib/systemd/system-sleep/suspendfix";
  preflight = check_preflight({}, facts);
  EXPECT_EQ(preflight.path, SleepPath::kSystemd);
  EXPECT_EQ(preflight.why_path,
            "suspendfix's systemd-sleep hook /usr/lib/systemd/system-sleep/suspendfix is "
            "installed and systemd is running");
}

TEST(SleeptestPreflight, RefusesWithAClearReasonForEach) {
  const auto refusal = [](SleepFacts facts, TestRequest request = {}) {
    const Preflight preflight = check_preflight(request, facts);
    return preflight.refusals.size() == 1 ? preflight.refusals[0]
                                          : ::testing::PrintToString(preflight.refusals);
  };
  SleepFacts facts = ready();
  facts.root = false;
  EXPECT_EQ(refusal(facts).rfind("must run as root", 0), 0u);
  facts = ready();
  facts.wakealarm.clear();
  EXPECT_EQ(refusal(facts),
            "no RTC wake alarm (/sys/class/rtc/rtc0/wakealarm is missing): nothing would wake "
            "the machine");
  facts = ready();
  facts.power_states = "freeze";
  EXPECT_EQ(refusal(facts), "this kernel does not offer 'mem' (/sys/power/state: freeze)");
  facts = ready();
  TestRequest deep;
  deep.mem_sleep = "shallow";
  EXPECT_EQ(refusal(facts, deep),
            "this kernel does not offer mem_sleep 'shallow' (/sys/power/mem_sleep: s2idle [deep])");
  facts.pending = {"module xhci_pci"};
  EXPECT_EQ(refusal(facts),
            "a previous sleep left records in /run/suspendfix/state (module xhci_pci): run "
            "'suspendfix restore' first");
  facts = ready();
  TestRequest through;
  through.through = SleepPath::kSystemd;
  facts.paths[SleepPath::kSystemd] = path("", true, "/usr/bin/systemctl");
  EXPECT_EQ(refusal(facts, through),
            "suspendfix's systemd-sleep hook is not installed (looked for "
            "/usr/lib/x/suspendfix): a sleep through systemd would not go through suspendfix");
  facts.paths[SleepPath::kSystemd] = path("/usr/lib/x/suspendfix", true, "");
  EXPECT_EQ(refusal(facts, through), "'systemctl' is not installed (not found in PATH)");
  facts.paths[SleepPath::kSystemd].client = "/usr/bin/systemctl";
  through.mode = "freeze";
  EXPECT_EQ(refusal(facts, through).rfind("--mode freeze works only with --through self", 0), 0u);
}

TEST(SleeptestPreflight, BatteryBelowTheThresholdRefusesAndACIsFine) {
  SleepFacts facts = ready();
  facts.supplies = {supply("Mains", false, std::nullopt), supply("Battery", std::nullopt, 15)};
  Preflight preflight = check_preflight({}, facts);
  ASSERT_EQ(preflight.refusals.size(), 1u);
  EXPECT_EQ(preflight.refusals[0],
            "on battery at 15 %, below --min-battery 20 %: plug in the charger (or lower "
            "--min-battery)");
  TestRequest low;
  low.min_battery = 10;
  EXPECT_TRUE(check_preflight(low, facts).refusals.empty());
  facts.supplies[0].online = true;
  preflight = check_preflight({}, facts);
  EXPECT_TRUE(preflight.refusals.empty());
  EXPECT_EQ(preflight.notes.back(), "power: on AC power");
}

TEST(SleeptestPreflight, PowerSuppliesCountTogetherAndPeripheralsDoNot) {
  PowerSupply first = supply("Battery", std::nullopt, 90, "Discharging");
  first.now = 10, first.full = 100;
  PowerSupply second = supply("Battery", std::nullopt, 50, "Discharging");
  second.now = 30, second.full = 100;
  PowerSupply mouse = supply("Battery", std::nullopt, 1, "Discharging");
  mouse.scope = "Device";
  const PowerVerdict verdict = judge_power({first, second, mouse});
  EXPECT_TRUE(verdict.on_battery) << "no mains supply to ask, and batteries discharge";
  EXPECT_EQ(verdict.percent, 20) << "energy: 40 of 200";
  EXPECT_FALSE(judge_power({supply("Battery", std::nullopt, 50, "Charging")}).on_battery);
  EXPECT_EQ(judge_power({}).text, "no battery");
  EXPECT_EQ(judge_power({supply("Battery", std::nullopt, std::nullopt, "Discharging")}).text,
            "on battery, charge unknown");
}

TEST(SleeptestPreflight, ChoiceFiles) {
  EXPECT_EQ(choice_words("s2idle [deep]"), (std::vector<std::string>{"s2idle", "deep"}));
  EXPECT_EQ(chosen_word("s2idle [deep]"), "deep");
  EXPECT_EQ(chosen_word("freeze mem"), "");
  EXPECT_EQ(sleep_path_command(SleepPath::kPmUtils, "disk"),
            std::vector<std::string>{"pm-hibernate"});
  EXPECT_EQ(sleep_path_from_name("pm-utils"), SleepPath::kPmUtils);
  EXPECT_FALSE(sleep_path_from_name("upower"));
}

}  // namespace
}  // namespace suspendfix
