// SPDX-License-Identifier: GPL-2.0-or-later
// The watcher's pause: it ends when its time is up, and it ends early, saying so, when the
// process was stopped and let go on in the meantime, as the freezer does around every sleep.
// SIGSTOP and SIGCONT take the same way out of epoll_wait (EINTR) as the thaw. That the freezer
// does so on a real kernel was checked in the VM (bench/vm/README.md, "The watcher at the
// thaw"), and sfx-self-heal.sh reports whether the watcher saw it ("seen at the thaw").
#include "sleep/watch_pause.hpp"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <fstream>
#include <string>
#include <thread>

namespace suspendfix {
namespace {

using namespace std::chrono_literals;

/// Whether pid is blocked in epoll_wait or epoll_pwait (x86-64 numbers; elsewhere the test
/// waits a moment instead).
bool in_epoll_wait(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/syscall");
  long number = -1;
  if (!(in >> number)) return false;
#if defined(__x86_64__)
  return number == 232 || number == 281 || number == 441;
#else
  std::this_thread::sleep_for(500ms);
  return true;
#endif
}

TEST(WatchPause, EndsWhenItsTimeIsUpWithoutSayingItWasStopped) {
  WatchPause pause;
  const auto start = std::chrono::steady_clock::now();
  EXPECT_FALSE(pause.pause(20ms));
  EXPECT_GE(std::chrono::steady_clock::now() - start, 20ms);
  EXPECT_FALSE(pause.pause(1ms)) << "the timer is set again for each pause";
  EXPECT_FALSE(pause.pause(0ns)) << "a zero pause ends (a zero timer would be a disarmed one)";
}

TEST(WatchPause, AStopAndContinueEndsItEarlyAndSaysSo) {
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    WatchPause pause;
    // 60 s: if the stop did not end it, the child would still be waiting when the parent
    // gives up, and the test fails instead of passing by the timer.
    _exit(pause.pause(60s) ? 0 : 1);
  }
  bool waiting = false;
  for (int i = 0; i < 500 && !(waiting = in_epoll_wait(child)); ++i)
    std::this_thread::sleep_for(10ms);
  ASSERT_TRUE(waiting) << "the child never reached epoll_wait";
  ASSERT_EQ(kill(child, SIGSTOP), 0);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, WUNTRACED), child);
  ASSERT_TRUE(WIFSTOPPED(status));
  ASSERT_EQ(kill(child, SIGCONT), 0);
  for (int i = 0; i < 1000; ++i) {
    const pid_t done = waitpid(child, &status, WNOHANG);
    if (done == child) break;
    std::this_thread::sleep_for(10ms);
  }
  if (!WIFEXITED(status)) {
    kill(child, SIGKILL);
    waitpid(child, &status, 0);
    FAIL() << "the pause went on after the stop";
  }
  EXPECT_EQ(WEXITSTATUS(status), 0) << "the pause ended without saying it was stopped";
}

}  // namespace
}  // namespace suspendfix
