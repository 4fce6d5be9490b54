// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "hardware/platform.hpp"
#include "hardware/storage.hpp"

namespace suspendfix {

/// Everything between a block device and the machine, whose loss would pull the disk away:
/// the block device, its parents up to the root, and the same for the disks under a dm or md
/// device (its slaves).
struct StorageChain {
  std::vector<std::string> modules;  // the modules of their bound drivers: usb_storage, xhci_pci
  std::vector<std::string> devices;  // their sysfs paths, "/sys/devices/pci0000:00/..."
};

/// What the never-unload rules (planner/protection.hpp) read about the running system. The
/// rules ask for each fact at most once, and only when a module or device on the plan needs the
/// answer. The real one is make_system_facts(); tests use FakeSystemFacts (tests/fakes/).
class SystemFacts {
 public:
  virtual ~SystemFacts() = default;
  /// Mounted filesystems and active swap areas (/proc/self/mountinfo, /proc/swaps).
  virtual std::vector<StorageUse> storage_uses() = 0;
  /// What stands between this block device and the machine (libudev). Empty when unknown.
  virtual StorageChain storage_chain(dev_t block_device) = 0;
  /// The CPU vendor and the suspend mode in use (/proc/cpuinfo, /sys/power/mem_sleep).
  virtual PlatformFacts platform() = 0;
};

/// The running system: /proc, /sys/power and libudev (udev_storage.cpp).
std::unique_ptr<SystemFacts> make_system_facts();

}  // namespace suspendfix
