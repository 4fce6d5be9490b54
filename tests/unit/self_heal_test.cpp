// SPDX-License-Identifier: GPL-2.0-or-later
// The watcher's decisions with a fake clock and fake observations.
#include "sleep/self_heal.hpp"

#include <gtest/gtest.h>

#include "config/admin_config.hpp"

namespace suspendfix {
namespace {

constexpr int64_t kSecond = 1'000'000'000;
constexpr int64_t kPre = 100 * kSecond;

/// Plays a run of polls every 200 ms from pre; observe(t) gives what the poll at t (seconds
/// after pre) sees. Returns the first decision that is not kWait and when it came.
struct Outcome {
  WatchDecision decision;
  double at = -1;
};
template <typename Observe>
Outcome play(const WatchPolicy& policy, Observe observe, double until = 600,
             const std::string& caller = "") {
  WatchMemory memory = start_watch_memory(kPre);
  for (int64_t at_ms = 0; at_ms <= static_cast<int64_t>(until * 1000); at_ms += 200) {
    const double at = static_cast<double>(at_ms) / 1000;
    WatchObservation observation = observe(at);
    observation.now_ns = kPre + at_ms * 1'000'000;
    const WatchDecision decision = decide_watch(policy, observation, memory, caller);
    if (decision.verdict != WatchVerdict::kWait) return {decision, at};
  }
  return {};
}

WatchPolicy policy(int restore_after_seconds = 10) {
  WatchPolicy out;
  out.restore_after_ns = restore_after_seconds * kSecond;
  out.busy_cap_ns = 120 * kSecond;
  return out;
}

TEST(SelfHeal, UnwatchedCallerAndNoSleep_RestoresAfterTheGrace) {
  const Outcome outcome = play(policy(), [](double) { return WatchObservation{}; });
  EXPECT_EQ(outcome.decision.verdict, WatchVerdict::kRestore);
  EXPECT_NEAR(outcome.at, 10.0, 0.01);
  EXPECT_EQ(outcome.decision.reason,
            "no sleep happened within 10.0 s of pre: the sleep was cancelled");
}

TEST(SelfHeal, SettledRecordExitsAtOnce) {
  const Outcome outcome = play(policy(), [](double at) {
    WatchObservation observation;
    observation.settled = at >= 3;
    observation.caller_busy = true;
    return observation;
  });
  EXPECT_EQ(outcome.decision.verdict, WatchVerdict::kExit);
  EXPECT_NEAR(outcome.at, 3.0, 0.01);
}

TEST(SelfHeal, ABusySleepSystemIsWaitedForThenTheGraceCountsFromItsEnd) {
  const Outcome outcome = play(
      policy(),
      [](double at) {
        WatchObservation observation;
        observation.caller_busy = at < 30;  // other hooks run, then the sleep is cancelled
        return observation;
      },
      600, "elogind (pid 700)");
  EXPECT_EQ(outcome.decision.verdict, WatchVerdict::kRestore);
  EXPECT_NEAR(outcome.at, 39.8, 0.01) << "10 s after the last poll that saw it busy";
  EXPECT_EQ(outcome.decision.reason,
            "no sleep happened and elogind (pid 700) has been done for 10.0 s: the sleep was "
            "cancelled");
}

TEST(SelfHeal, ASleepGivesPostItsGraceFromTheWake) {
  const Outcome outcome = play(policy(), [](double at) {
    WatchObservation observation;
    observation.counters_moved = at >= 2;  // woke at 2 s (monotonic time stood still meanwhile)
    return observation;
  });
  EXPECT_EQ(outcome.decision.verdict, WatchVerdict::kRestore);
  EXPECT_NEAR(outcome.at, 12.0, 0.01);
  EXPECT_EQ(outcome.decision.reason,
            "the machine slept (the suspend counters moved) and no post came within 10.0 s of "
            "the wake");
}

TEST(SelfHeal, TheBootClockAloneTellsASleepToo) {
  const Outcome outcome = play(policy(), [](double at) {
    WatchObservation observation;
    observation.time_jumped = at >= 1;
    return observation;
  });
  EXPECT_NE(outcome.decision.reason.find("the boot clock jumped"), std::string::npos);
  EXPECT_NEAR(outcome.at, 11.0, 0.01);
}

TEST(SelfHeal, PostThatComesInTimeMeansNoRestore) {
  const Outcome outcome = play(policy(), [](double at) {
    WatchObservation observation;
    observation.counters_moved = at >= 2;
    observation.caller_busy = at < 5;
    observation.settled = at >= 4;  // post ran while systemd-sleep ran the post hooks
    return observation;
  });
  EXPECT_EQ(outcome.decision.verdict, WatchVerdict::kExit);
}

TEST(SelfHeal, AfterAWakeABusySleepSystemIsWaitedForAsWell) {
  // elogind runs post hooks one after another; ours may come late.
  const Outcome outcome = play(
      policy(),
      [](double at) {
        WatchObservation observation;
        observation.counters_moved = at >= 2;
        observation.caller_busy = at < 50;
        return observation;
      },
      600, "elogind (pid 700)");
  EXPECT_EQ(outcome.decision.verdict, WatchVerdict::kRestore);
  EXPECT_NEAR(outcome.at, 59.8, 0.01);
}

TEST(SelfHeal, ASleepSystemBusyPastTheCapIsNoLongerWaitedFor) {
  const Outcome outcome = play(
      policy(),
      [](double) {
        WatchObservation observation;
        observation.caller_busy = true;
        return observation;
      },
      600, "systemd-sleep (pid 812)");
  EXPECT_EQ(outcome.decision.verdict, WatchVerdict::kRestore);
  EXPECT_NEAR(outcome.at, 129.8, 0.01) << "cap 120 s, then the grace";
  EXPECT_NE(outcome.decision.reason.find("systemd-sleep (pid 812) is still at work"),
            std::string::npos);
}

TEST(SelfHeal, NeverRestoresWhileTheSleepSystemIsBusyWithinTheCap) {
  for (double busy_until : {0.0, 5.0, 60.0, 119.0}) {
    const Outcome outcome = play(policy(1), [&](double at) {
      WatchObservation observation;
      observation.caller_busy = at < busy_until;
      return observation;
    });
    EXPECT_GE(outcome.at, busy_until) << busy_until;
    EXPECT_LE(outcome.at, busy_until + 1.01) << busy_until;
  }
}

TEST(SelfHeal, RestoreAfterSecondsIsAConfigurationKey) {
  EXPECT_EQ(parse_admin_config("", "config.yaml").restore_after_seconds, 10);
  EXPECT_EQ(parse_admin_config("restore_after_seconds: 0\n", "config.yaml").restore_after_seconds,
            0);
  EXPECT_EQ(parse_admin_config("restore_after_seconds: 600\n", "config.yaml").restore_after_seconds,
            600);
  for (const char* bad : {"-1", "601", "1.5", "ten"})
    EXPECT_THROW(
        parse_admin_config(std::string("restore_after_seconds: ") + bad + "\n", "config.yaml"),
        ProfileError)
        << bad;
}

TEST(SelfHeal, ReloadAtWakeRestoresAtTheFirstPollThatSeesTheWakeWhoeverIsBusy) {
  WatchPolicy at_wake = policy(30);
  at_wake.restore_at_wake = true;
  const Outcome outcome = play(
      at_wake,
      [](double at) {
        WatchObservation observation;
        observation.caller_busy = true;  // systemd-sleep, about to run the post hooks
        observation.time_jumped = at >= 2.4;
        return observation;
      },
      600, "systemd-sleep (pid 812)");
  EXPECT_EQ(outcome.decision.verdict, WatchVerdict::kRestore);
  EXPECT_NEAR(outcome.at, 2.4, 0.01);
  EXPECT_EQ(outcome.decision.reason,
            "a sleep ended (the boot clock jumped): loading back at once (reload_at_wake)");
  // Without it the same polls wait for post: the busy sleep system, then the grace.
  const Outcome waits = play(
      policy(30),
      [](double at) {
        WatchObservation observation;
        observation.caller_busy = at < 5;
        observation.time_jumped = at >= 2.4;
        return observation;
      },
      600, "systemd-sleep (pid 812)");
  EXPECT_NEAR(waits.at, 34.8, 0.01);
}

TEST(SelfHeal, ReloadAtWakeAlsoUndoesACancelledSleepAtOnceAndOtherwiseWaits) {
  WatchPolicy at_wake = policy(30);
  at_wake.restore_at_wake = true;
  const Outcome failed = play(at_wake, [](double at) {
    WatchObservation observation;
    observation.counters_moved = at >= 1;  // the kernel counted a failed attempt
    return observation;
  });
  EXPECT_NEAR(failed.at, 1.0, 0.01);
  EXPECT_EQ(failed.decision.reason,
            "a sleep ended (the suspend counters moved): loading back at once (reload_at_wake)");
  // Woken by the thaw (WatchPause), the watcher says so; a thaw alone is no wake (a SIGSTOP
  // and SIGCONT end the pause the same way): it waits for the counters.
  const Outcome thawed = play(at_wake, [](double at) {
    WatchObservation observation;
    observation.thawed = at >= 1;
    observation.counters_moved = at >= 2;
    return observation;
  });
  EXPECT_NEAR(thawed.at, 2.0, 0.01);
  EXPECT_EQ(thawed.decision.reason,
            "a sleep ended (the suspend counters moved, seen at the thaw): loading back at once "
            "(reload_at_wake)");
  const Outcome settled = play(at_wake, [](double at) {
    WatchObservation observation;
    observation.settled = at >= 3;  // post came first (no sleep seen yet)
    return observation;
  });
  EXPECT_EQ(settled.decision.verdict, WatchVerdict::kExit);
  const Outcome nothing = play(at_wake, [](double) { return WatchObservation{}; });
  EXPECT_NEAR(nothing.at, 30.0, 0.01) << "no sleep seen: the grace, as without it";
}

TEST(SelfHeal, ReloadAtWakeIsAConfigurationKey) {
  using Reload = AdminConfig::ReloadAtWake;
  EXPECT_EQ(parse_admin_config("", "config.yaml").reload_at_wake, Reload::kAuto);
  EXPECT_EQ(parse_admin_config("reload_at_wake: auto\n", "config.yaml").reload_at_wake,
            Reload::kAuto);
  EXPECT_EQ(parse_admin_config("reload_at_wake: yes\n", "config.yaml").reload_at_wake,
            Reload::kYes);
  EXPECT_EQ(parse_admin_config("reload_at_wake: true\n", "config.yaml").reload_at_wake,
            Reload::kYes);
  EXPECT_EQ(parse_admin_config("reload_at_wake: false\n", "config.yaml").reload_at_wake,
            Reload::kNo);
  EXPECT_EQ(parse_admin_config("reload_at_wake: no\n", "config.yaml").reload_at_wake, Reload::kNo);
  for (const char* bad : {"soon", "Auto", "[yes]", "~"}) {
    try {
      parse_admin_config(std::string("timeout_seconds: 30\nreload_at_wake: ") + bad + "\n",
                         "config.yaml");
      ADD_FAILURE() << "accepted " << bad;
    } catch (const ProfileError& error) {
      EXPECT_EQ(error.line(), 2) << bad;
      EXPECT_NE(std::string(error.what()).find("reload_at_wake"), std::string::npos)
          << error.what();
    }
  }
  try {
    parse_admin_config("reload_at_wake: soon\n", "config.yaml");
  } catch (const ProfileError& error) {
    EXPECT_NE(
        std::string(error.what()).find("'reload_at_wake' must be auto, true or false, not 'soon'"),
        std::string::npos)
        << error.what();
  }
}

// By default the watcher loads back at the wake only under systemd-sleep, which starts all
// post hooks at once: elogind and pm-utils run theirs in order, and `suspendfix suspend` loads
// back itself the moment its write returns.
TEST(SelfHeal, ReloadAtWakeByDefaultOnlyWherePostHooksRunSideBySide) {
  using Reload = AdminConfig::ReloadAtWake;
  AdminConfig config;
  ASSERT_EQ(config.reload_at_wake, Reload::kAuto);
  EXPECT_TRUE(config.reloads_at_wake(HookFrontend::kSystemd, SleepType::kSuspend));
  EXPECT_TRUE(config.reloads_at_wake(HookFrontend::kSystemd, SleepType::kHybridSleep));
  EXPECT_FALSE(config.reloads_at_wake(HookFrontend::kElogind, SleepType::kSuspend));
  EXPECT_FALSE(config.reloads_at_wake(HookFrontend::kPmUtils, SleepType::kSuspend));
  EXPECT_FALSE(config.reloads_at_wake(HookFrontend::kSelf, SleepType::kSuspend));
  EXPECT_FALSE(config.reloads_at_wake(HookFrontend::kSystemd, SleepType::kSuspendThenHibernate));
  config.reload_at_wake = Reload::kYes;
  EXPECT_TRUE(config.reloads_at_wake(HookFrontend::kElogind, SleepType::kSuspend));
  EXPECT_TRUE(config.reloads_at_wake(HookFrontend::kPmUtils, SleepType::kHibernate));
  EXPECT_FALSE(config.reloads_at_wake(HookFrontend::kSystemd, SleepType::kSuspendThenHibernate))
      << "its wakes before the hibernation are not the end of the sleep";
  config.reload_at_wake = Reload::kNo;
  EXPECT_FALSE(config.reloads_at_wake(HookFrontend::kSystemd, SleepType::kSuspend));
}

// detect says who loads back after wake, and when.
TEST(SelfHeal, DetectSaysWhoLoadsBackAfterWake) {
  using Reload = AdminConfig::ReloadAtWake;
  AdminConfig config;
  EXPECT_NE(config.describe_after_wake(SleepType::kSuspend)
                .find("under systemd-sleep the watcher loads back at once"),
            std::string::npos);
  EXPECT_NE(config.describe_after_wake(SleepType::kSuspendThenHibernate)
                .find("the post hook loads back; if none comes, the watcher does\n  10 s later"),
            std::string::npos);
  config.reload_at_wake = Reload::kYes;
  EXPECT_NE(config.describe_after_wake(SleepType::kHibernate).find("(reload_at_wake: yes)"),
            std::string::npos);
  config.reload_at_wake = Reload::kNo;
  config.restore_after_seconds = 25;
  EXPECT_NE(config.describe_after_wake(SleepType::kSuspend).find("25 s later (reload_at_wake: no)"),
            std::string::npos);
  config.restore_after_seconds = 0;
  EXPECT_NE(config.describe_after_wake(SleepType::kSuspend).find("no watcher"), std::string::npos);
}

TEST(SelfHeal, VerdictNames) {
  EXPECT_STREQ(watch_verdict_name(WatchVerdict::kWait), "wait");
  EXPECT_STREQ(watch_verdict_name(WatchVerdict::kRestore), "restore");
  EXPECT_STREQ(watch_verdict_name(WatchVerdict::kExit), "exit");
}

}  // namespace
}  // namespace suspendfix
