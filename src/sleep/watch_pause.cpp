// SPDX-License-Identifier: GPL-2.0-or-later
#include "sleep/watch_pause.hpp"

#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <ctime>

#include "error.hpp"
#include "log.hpp"

namespace suspendfix {
namespace {

/// At least 1 ns: an all-zero itimerspec disarms a timerfd, and the wait would never end.
timespec timespec_of(std::chrono::nanoseconds length) {
  const int64_t ns = std::max<int64_t>(length.count(), 1);
  timespec out{};
  out.tv_sec = static_cast<time_t>(ns / 1'000'000'000);
  out.tv_nsec = static_cast<long>(ns % 1'000'000'000);
  return out;
}

/// Sleeps on CLOCK_BOOTTIME, which runs on while the machine sleeps: a pause that was due
/// during the sleep ends at the thaw.
void pause_on_boot_clock(std::chrono::nanoseconds pause) {
  timespec left = timespec_of(pause);
  while (clock_nanosleep(CLOCK_BOOTTIME, 0, &left, &left) == EINTR) {
  }
}

}  // namespace

WatchPause::WatchPause() {
  epoll_ = epoll_create1(EPOLL_CLOEXEC);
  timer_ = timerfd_create(CLOCK_BOOTTIME, TFD_CLOEXEC);
  epoll_event event{};
  event.events = EPOLLIN;
  if (epoll_ >= 0 && timer_ >= 0 && epoll_ctl(epoll_, EPOLL_CTL_ADD, timer_, &event) == 0) return;
  log_debug("self-heal: no epoll or timerfd (" + errno_string(errno) +
            "); pausing on the boot clock alone");
  close_all();
}

WatchPause::~WatchPause() { close_all(); }

bool WatchPause::pause(std::chrono::nanoseconds length) {
  if (epoll_ < 0) {
    pause_on_boot_clock(length);
    return false;
  }
  itimerspec due{};
  due.it_value = timespec_of(length);
  if (timerfd_settime(timer_, 0, &due, nullptr) != 0) {
    pause_on_boot_clock(length);
    return false;
  }
  epoll_event event{};
  const int ready = epoll_wait(epoll_, &event, 1, -1);
  if (ready < 0) return errno == EINTR;
  uint64_t expirations = 0;
  [[maybe_unused]] const ssize_t drained = read(timer_, &expirations, sizeof expirations);
  return false;
}

void WatchPause::close_all() {
  if (timer_ >= 0) close(timer_);
  if (epoll_ >= 0) close(epoll_);
  timer_ = epoll_ = -1;
}

}  // namespace suspendfix
