// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <chrono>

namespace suspendfix {

/// The self-heal watcher's pause between polls: epoll_wait on a CLOCK_BOOTTIME timer.
/// - The timer runs on while the machine sleeps, so a pause that was due during the sleep
///   ends at the thaw (CLOCK_MONOTONIC stands still).
/// - The freezer, which stops every process before a sleep, ends an epoll_wait with EINTR at
///   the thaw, where clock_nanosleep and poll are resumed for the time they had left (Debian's
///   6.1, checked in the VM). So the watcher learns of the wake itself even when the sleep was
///   too short for the boot clock to show it: with a clock source that stops in S3, the kernel
///   counts the time asleep from the RTC, by the second.
/// Where epoll or timerfd cannot be had, it sleeps on CLOCK_BOOTTIME alone.
class WatchPause {
 public:
  WatchPause();
  ~WatchPause();
  WatchPause(const WatchPause&) = delete;
  WatchPause& operator=(const WatchPause&) = delete;

  /// Pauses for length; true when something stopped this process in the meantime and let it
  /// go on (the freezer around a sleep; also SIGSTOP and SIGCONT): the caller looks closely.
  bool pause(std::chrono::nanoseconds length);

 private:
  void close_all();
  int epoll_ = -1;
  int timer_ = -1;
};

}  // namespace suspendfix
