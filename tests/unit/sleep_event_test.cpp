// SPDX-License-Identifier: GPL-2.0-or-later
#include "sleep/sleep_event.hpp"

#include <gtest/gtest.h>

#include "error.hpp"

namespace suspendfix {
namespace {

SleepEvent event(HookFrontend frontend, std::vector<std::string> arguments,
                 const std::string& action = "") {
  const auto parsed = parse_hook_arguments(frontend, arguments, action);
  EXPECT_TRUE(parsed.event) << parsed.not_applicable;
  return parsed.event.value_or(SleepEvent{});
}

TEST(SleepEvent, SystemdArguments) {
  const SleepEvent pre = event(HookFrontend::kSystemd, {"pre", "suspend"});
  EXPECT_EQ(pre.phase, SleepPhase::kPre);
  EXPECT_EQ(pre.type, SleepType::kSuspend);
  EXPECT_EQ(pre.label(), "pre suspend");
  EXPECT_EQ(event(HookFrontend::kSystemd, {"post", "suspend-then-hibernate"}).type,
            SleepType::kSuspendThenHibernate);
  EXPECT_EQ(event(HookFrontend::kElogind, {"post", "hybrid-sleep"}).label(), "post hybrid-sleep");
}

TEST(SleepEvent, EmptySecondArgumentFallsBackToTheEnvironment) {
  // systemd v242 passed "" (systemd#12782); SYSTEMD_SLEEP_ACTION still said what it was.
  EXPECT_EQ(event(HookFrontend::kSystemd, {"pre", ""}, "hibernate").type, SleepType::kHibernate);
}

TEST(SleepEvent, UnknownSleepTypeDoesNothing) {
  const auto parsed = parse_hook_arguments(HookFrontend::kSystemd, {"pre", "nap"}, "");
  EXPECT_FALSE(parsed.event);
  EXPECT_EQ(parsed.not_applicable, "unknown sleep type 'nap'");
}

TEST(SleepEvent, BadSystemdArgumentsAreUsageErrors) {
  EXPECT_THROW(parse_hook_arguments(HookFrontend::kSystemd, {}, ""), UsageError);
  EXPECT_THROW(parse_hook_arguments(HookFrontend::kSystemd, {"during", "suspend"}, ""), UsageError);
  EXPECT_THROW(parse_hook_arguments(HookFrontend::kSystemd, {"pre", "suspend", "x"}, ""),
               UsageError);
}

TEST(SleepEvent, PmUtilsActions) {
  EXPECT_EQ(event(HookFrontend::kPmUtils, {"suspend", "suspend"}).label(), "pre suspend");
  EXPECT_EQ(event(HookFrontend::kPmUtils, {"resume", "suspend"}).label(), "post suspend");
  EXPECT_EQ(event(HookFrontend::kPmUtils, {"hibernate", "hibernate"}).label(), "pre hibernate");
  EXPECT_EQ(event(HookFrontend::kPmUtils, {"thaw", "hibernate"}).label(), "post hibernate");
  EXPECT_EQ(event(HookFrontend::kPmUtils, {"suspend", "suspend_hybrid"}).type,
            SleepType::kHybridSleep);
  EXPECT_EQ(event(HookFrontend::kPmUtils, {"resume"}).label(), "post suspend") << "$2 is optional";
}

TEST(SleepEvent, PmUtilsActionsThatAreNotOursAreNotApplicable) {
  EXPECT_FALSE(parse_hook_arguments(HookFrontend::kPmUtils, {"help"}, "").event);
  EXPECT_FALSE(parse_hook_arguments(HookFrontend::kPmUtils, {}, "").event);
  EXPECT_FALSE(parse_hook_arguments(HookFrontend::kPmUtils, {"true"}, "").event)
      << "pm-powersave's argument";
}

}  // namespace
}  // namespace suspendfix
