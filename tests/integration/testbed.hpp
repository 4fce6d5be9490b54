// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <string>

namespace suspendfix::testing {

/// A umockdev testbed holding one fixture machine: tests/data/machines/NAME.umockdev for the
/// devices, NAME.sysfs for what lies outside /devices (driver module links, /sys/module).
/// Libudev and plain /sys reads of this process and its children see the fake /sys.
class Testbed {
 public:
  Testbed();
  ~Testbed();
  Testbed(const Testbed&) = delete;
  Testbed& operator=(const Testbed&) = delete;

  /// True when /sys is really redirected (the process runs under umockdev-wrapper).
  static bool mocked();

  /// Loads machines/NAME.umockdev (leading '#' comment lines dropped) and NAME.sysfs.
  void load_machine(const std::string& name);
  void add_devices(const std::string& umockdev_text);
  /// Takes a device out, as a device that did not come back would be ("/sys/devices/...").
  void remove_device(const std::string& syspath);
  /// Applies a NAME.sysfs text: "link PATH TARGET", "file PATH CONTENT", "dir PATH".
  void add_sysfs(const std::string& text);
  std::string sys_dir() const { return sys_dir_; }

 private:
  void* testbed_;
  std::string sys_dir_;
};

std::string read_file(const std::string& path);

}  // namespace suspendfix::testing
