// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <memory>

#include "hardware/device.hpp"

namespace suspendfix {

/// Source of the machine's devices and identity. Abstract so that logic tests can feed
/// fixtures; the one real implementation is UdevDeviceSource (libudev).
class DeviceSource {
 public:
  virtual ~DeviceSource() = default;
  /// Reads everything once. Throws HardwareError when devices cannot be enumerated at all.
  virtual Machine scan() = 0;
};

/// The real source: libudev, with udev's hardware database for names when
/// use_hwdb is true (tests turn it off so that output does not depend on the host).
std::unique_ptr<DeviceSource> make_udev_device_source(bool use_hwdb);

}  // namespace suspendfix
