// SPDX-License-Identifier: GPL-2.0-or-later
#include "sleep/system_probe.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <map>

namespace suspendfix {
namespace {

TEST(SystemProbe, ParsesProcStatWithSpacesAndParenthesesInTheName) {
  const auto stat = parse_process_stat(
      "812 (a (b) c) S 1 812 812 0 -1 4194560 1 2 3 4 5 6 7 8 20 0 1 0 4711 1000 20 18446744 1");
  ASSERT_TRUE(stat);
  EXPECT_EQ(stat->pid, 812);
  EXPECT_EQ(stat->name, "a (b) c");
  EXPECT_EQ(stat->state, 'S');
  EXPECT_EQ(stat->parent, 1);
  EXPECT_EQ(stat->start_time, 4711u);
  EXPECT_FALSE(parse_process_stat("812 (cut"));
  EXPECT_FALSE(parse_process_stat("812 (x) S 1 2"));
}

TEST(SystemProbe, ReadsItsOwnProcessAndTheClocks) {
  const auto self = read_process_stat(getpid());
  ASSERT_TRUE(self);
  EXPECT_EQ(self->parent, getppid());
  EXPECT_GT(monotonic_ns(), 0);
  EXPECT_GE(asleep_ns(), -1'000'000) << "never meaningfully negative";
  const std::string boot = read_boot_id();
  EXPECT_TRUE(boot.empty() || is_valid_boot_id(boot)) << boot;
}

/// A process tree: pid -> {name, parent}.
SleepCaller caller_in(const std::map<int, std::pair<std::string, int>>& tree, int from) {
  return find_sleep_caller(from, [&](int pid) -> std::optional<ProcessStat> {
    const auto it = tree.find(pid);
    if (it == tree.end()) return std::nullopt;
    ProcessStat stat;
    stat.pid = pid;
    stat.name = it->second.first;
    stat.parent = it->second.second;
    stat.start_time = static_cast<uint64_t>(pid) * 10;
    return stat;
  });
}

TEST(SystemProbe, FindsTheSleepSystemAHookWasCalledFrom) {
  // systemd 252: systemd-sleep -> (sd-executor) -> the hook's shim (exec'd into us)
  SleepCaller caller = caller_in(
      {{1, {"systemd", 0}}, {800, {"systemd-sleep", 1}}, {801, {"(sd-executor)", 800}}}, 801);
  EXPECT_EQ(caller.kind, SleepCaller::Kind::kProcess);
  EXPECT_EQ(caller.pid, 800);
  EXPECT_EQ(caller.start_time, 8000u);
  EXPECT_EQ(caller.name, "systemd-sleep");
  // elogind runs hooks from its own daemon process.
  caller = caller_in({{1, {"init", 0}}, {700, {"elogind-daemon", 1}}}, 700);
  EXPECT_EQ(caller.kind, SleepCaller::Kind::kDaemon);
  EXPECT_EQ(caller.pid, 700);
  // pm-utils: the outermost of pm-action's subshells, all named as it was called.
  caller = caller_in({{1, {"init", 0}},
                      {600, {"bash", 1}},
                      {601, {"pm-suspend", 600}},
                      {602, {"pm-suspend", 601}},
                      {603, {"pm-suspend", 602}}},
                     603);
  EXPECT_EQ(caller.kind, SleepCaller::Kind::kProcess);
  EXPECT_EQ(caller.pid, 601);
  // A person's shell is not watched.
  caller = caller_in({{1, {"init", 0}}, {500, {"sudo", 1}}, {501, {"bash", 500}}}, 501);
  EXPECT_EQ(caller.kind, SleepCaller::Kind::kNone);
}

TEST(SystemProbe, AnUnwatchedOrVanishedCallerIsNeverBusy) {
  EXPECT_FALSE(sleep_caller_busy({}));
  const auto self = read_process_stat(getpid());
  ASSERT_TRUE(self);
  SleepCaller caller{SleepCaller::Kind::kProcess, getpid(), self->start_time, "me"};
  EXPECT_TRUE(sleep_caller_busy(caller));
  caller.start_time += 1;  // the pid was reused
  EXPECT_FALSE(sleep_caller_busy(caller));
}

}  // namespace
}  // namespace suspendfix
