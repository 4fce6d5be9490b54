// SPDX-License-Identifier: GPL-2.0-or-later
// The real clocks, RTC alarm and observer of `suspendfix test`.
#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <fstream>

#include "diagnose/culprit.hpp"
#include "diagnose/log_reader.hpp"
#include "diagnose/log_sources.hpp"
#include "error.hpp"
#include "hardware/device_backend.hpp"
#include "hardware/device_source.hpp"
#include "sleep/state_store.hpp"
#include "sleep/system_probe.hpp"
#include "sleeptest/os_side.hpp"

namespace suspendfix {
namespace {

class SystemClock : public TestClock {
 public:
  int64_t monotonic_ns() override { return suspendfix::monotonic_ns(); }
  int64_t asleep_ns() override { return suspendfix::asleep_ns(); }
  void pause_ns(int64_t nanoseconds) override {
    timespec pause{static_cast<time_t>(nanoseconds / 1'000'000'000),
                   static_cast<long>(nanoseconds % 1'000'000'000)};
    while (nanosleep(&pause, &pause) != 0 && errno == EINTR) {
    }
  }
};

class RtcWakeAlarm : public WakeAlarm {
 public:
  explicit RtcWakeAlarm(std::string path) : path_(std::move(path)) {}
  void arm(int seconds) override {
    write_text("0");  // the kernel refuses to replace an alarm that is set (EBUSY)
    if (const int error = write_text("+" + std::to_string(seconds)))
      throw HardwareError("could not set the RTC wake alarm", path_, errno_string(error));
  }
  void disarm() override { write_text("0"); }
  bool pending() override {
    std::ifstream file(path_);
    std::string text;
    std::getline(file, text);
    return !text.empty();  // the kernel shows the alarm's time while one is set
  }

 private:
  int write_text(const std::string& text) {
    const int fd = open(path_.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) return errno;
    const ssize_t wrote = write(fd, text.data(), text.size());
    const int error = wrote < 0 ? errno : 0;
    close(fd);
    return error;
  }
  std::string path_;
};

/// Reads what the kernel logs after a bookmark: /dev/kmsg opened without blocking and set to
/// its end (SEEK_END), then read up to EAGAIN. A regular file in kmsg's format ($SUSPENDFIX_KMSG,
/// for tests) works the same: the records are split on their lines.
class KmsgTail {
 public:
  ~KmsgTail() { close_fd(); }
  void mark() {
    close_fd();
    const char* override_path = std::getenv("SUSPENDFIX_KMSG");
    const std::string path = override_path && *override_path ? override_path : "/dev/kmsg";
    fd_ = open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd_ >= 0) lseek(fd_, 0, SEEK_END);
  }
  std::vector<SleepAttempt> failed_sleeps() {
    KernelLogReader reader;
    const LogFeed feed = [&reader](std::string_view message, std::string_view device,
                                   std::string_view identifier, std::string_view timestamp) {
      reader.feed(message, device, identifier, timestamp);
    };
    if (fd_ >= 0) read_records(feed);
    close_fd();
    return reader.finish().failed_sleeps;
  }

 private:
  void read_records(const LogFeed& feed) {
    std::vector<char> buffer(16 * 1024);
    std::string pending;  // a record whose continuation lines may still follow
    for (int reads = 0; reads < 100000; ++reads) {
      const ssize_t got = read(fd_, buffer.data(), buffer.size());
      if (got < 0 && (errno == EINTR || errno == EPIPE || errno == EINVAL)) continue;
      if (got <= 0) break;  // EAGAIN: the end
      std::string_view chunk(buffer.data(), static_cast<size_t>(got));
      while (!chunk.empty()) {
        const size_t end = chunk.find('\n');
        const std::string_view line = chunk.substr(0, end);
        chunk = end == std::string_view::npos ? std::string_view() : chunk.substr(end + 1);
        if (!line.empty() && line[0] != ' ' && !pending.empty()) {
          feed_kmsg_record(pending, feed);
          pending.clear();
        }
        if (pending.size() < 64 * 1024) pending.append(line).append("\n");
      }
    }
    if (!pending.empty()) feed_kmsg_record(pending, feed);
  }
  void close_fd() {
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
  }
  int fd_ = -1;
};

class SystemObserver : public TestObserver {
 public:
  SystemObserver(std::string state_directory, ModuleInspector& modules)
      : state_directory_(std::move(state_directory)),
        devices_(make_sysfs_device_backend()),
        resolver_(make_udev_culprit_resolver(modules)) {}

  std::optional<SuspendStats> counters() override { return read_suspend_stats(); }
  std::vector<SleepLogEntry> sleep_log() override {
    try {
      return read_sleep_log(state_directory_).entries;
    } catch (const Error&) {
      return {};  // refused: preflight said why; the cycle then shows no hook
    }
  }
  bool wait_for_hook(int64_t timeout_ns) override {
    try {
      StateStore store(state_directory_);
      store.lock(std::chrono::steady_clock::now() + std::chrono::nanoseconds(timeout_ns));
      return true;  // released when store goes
    } catch (const Error&) {
      return false;
    }
  }
  std::vector<StateRecord> pending() override {
    try {
      StateStore store(state_directory_);
      if (!store.open_for_reading()) return {};
      return store.read_parsed().file.records;
    } catch (const Error&) {
      return {};
    }
  }
  std::vector<DeviceReturn> bound_devices() override {
    std::vector<DeviceReturn> devices;
    try {
      for (const PciDevice& device : make_udev_device_source(DeviceNames::kNone)->scan().pci)
        if (!device.driver.empty()) {
          DeviceReturn bound;
          bound.slot = device.slot;
          bound.driver = device.driver;
          bound.module = device.module;
          devices.push_back(std::move(bound));
        }
    } catch (const Error&) {
      // No devices: nothing to wait for after the wake.
    }
    return devices;
  }
  std::string bound_driver(const std::string& slot) override {
    return devices_->bound_driver(slot);
  }
  void mark_kernel_log() override { kmsg_.mark(); }
  std::vector<SleepAttempt> failed_sleeps() override { return kmsg_.failed_sleeps(); }
  void resolve(CycleFailure& failure) override {
    if (failure.device.empty() || !is_safe_device_name(failure.device)) return;
    const Culprit culprit =
        resolver_->resolve(failure.device, failure.kernel_device, failure.driver);
    if (!culprit.found) return;
    if (!culprit.driver.empty()) failure.driver = culprit.driver;
    if (!culprit.module.empty()) failure.module = culprit.module;  // the module, never the driver
    if (!culprit.sysname.empty() && culprit.sysname != failure.device)
      failure.device = culprit.sysname;
  }

 private:
  std::string state_directory_;
  std::unique_ptr<DeviceBackend> devices_;
  std::unique_ptr<CulpritResolver> resolver_;
  KmsgTail kmsg_;
};

}  // namespace

std::unique_ptr<TestClock> make_system_clock() { return std::make_unique<SystemClock>(); }

std::unique_ptr<WakeAlarm> make_rtc_wake_alarm(const std::string& path) {
  return std::make_unique<RtcWakeAlarm>(path);
}

std::unique_ptr<TestObserver> make_system_observer(const std::string& state_directory,
                                                   ModuleInspector& modules) {
  return std::make_unique<SystemObserver>(state_directory, modules);
}

}  // namespace suspendfix
