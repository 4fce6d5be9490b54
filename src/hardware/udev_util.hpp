// SPDX-License-Identifier: GPL-2.0-or-later
// Helpers shared by the libudev edges (udev_device_source.cpp, udev_storage.cpp). Only those
// files include this header: nothing else sees <libudev.h>.
#pragma once

#include <libudev.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <memory>
#include <string>

#include "text_file.hpp"

namespace suspendfix::udev_util {

struct UdevDeleter {
  void operator()(udev* handle) const { udev_unref(handle); }
};
struct UdevDeviceDeleter {
  void operator()(udev_device* handle) const { udev_device_unref(handle); }
};
struct UdevEnumerateDeleter {
  void operator()(udev_enumerate* handle) const { udev_enumerate_unref(handle); }
};
struct UdevHwdbDeleter {
  void operator()(udev_hwdb* handle) const { udev_hwdb_unref(handle); }
};
using UdevPtr = std::unique_ptr<udev, UdevDeleter>;
using UdevDevicePtr = std::unique_ptr<udev_device, UdevDeviceDeleter>;
using UdevEnumeratePtr = std::unique_ptr<udev_enumerate, UdevEnumerateDeleter>;
using UdevHwdbPtr = std::unique_ptr<udev_hwdb, UdevHwdbDeleter>;

inline std::string trim(const char* value) {
  if (!value) return {};
  std::string text(value);
  const auto first = text.find_first_not_of(" \t\n");
  if (first == std::string::npos) return {};
  const auto last = text.find_last_not_of(" \t\n");
  return text.substr(first, last - first + 1);
}

inline std::string attribute(udev_device* device, const char* name) {
  return trim(udev_device_get_sysattr_value(device, name));
}

/// Parses sysfs hex ("0x1033\n", or "1033" as USB writes it); 0 when absent or garbled.
inline unsigned long hex_attribute(udev_device* device, const char* name) {
  const std::string text = attribute(device, name);
  if (text.empty()) return 0;
  char* end = nullptr;
  errno = 0;
  const unsigned long value = std::strtoul(text.c_str(), &end, 16);
  if (errno != 0 || end == text.c_str() || *end != '\0') return 0;
  return value;
}

inline std::string property(udev_device* device, const char* name) {
  return trim(udev_device_get_property_value(device, name));
}

/// The module behind a bound driver: <syspath>/driver/module links to /sys/module/<name>.
/// libudev does not follow "driver/module" itself, so read the link (umockdev redirects it).
inline std::string driver_module(udev_device* device) {
  const char* syspath = udev_device_get_syspath(device);
  if (!syspath) return {};
  return read_link_name(std::string(syspath) + "/driver/module");
}

}  // namespace suspendfix::udev_util
