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

/// How much the real source reads.
enum class DeviceNames {
  kNone,        // ids, drivers and modules only: what the hook needs, at the least cost
                // (no PCI revision, no USB device's controller)
  kProperties,  // also names udevd stored (ID_*_FROM_DATABASE) and the modalias
  kHwdb,        // also look names up in udev's hardware database (detect, profile new)
};

/// The real source: libudev. Tests use kProperties so that output does not depend on the host.
std::unique_ptr<DeviceSource> make_udev_device_source(DeviceNames names);

}  // namespace suspendfix
