// SPDX-License-Identifier: GPL-2.0-or-later
#include "sleep/watch_pause.hpp"

#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <ctime>

#include "error.hpp"
#include "log.hpp"

namespace suspendfix {
namespace {

/// Sleeps on CLOCK_BOOTTIME, which runs on while the machine sleeps: a pause that was due
/// during the sleep ends at the thaw.
void pause_on_boot_clock(std::chrono::nanoseconds pause) {
  struct timespec left {};
  left.tv_sec = static_cast<time_t>(pause.count() / 1'000'000'000);
  left.tv_nsec = static_cast<long>(pause.count() % 1'000'000'000);
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
  due.it_value.tv_sec = static_cast<time_t>(length.count() / 1'000'000'000);
  due.it_value.tv_nsec = static_cast<long>(length.count() % 1'000'000'000);
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
