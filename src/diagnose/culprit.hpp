// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "hardware/device.hpp"
#include "modules/module_backend.hpp"

namespace suspendfix {

/// The device behind a name in the kernel log, walked up to the device that has a driver:
/// "phy0" (ieee80211 class) to its PCI function, "usb3" (a root hub) to its host controller,
/// "1-1.4" to the interface driver that refused, "6-002c" to its i2c client.
struct Culprit {
  std::string name;  // as the log gives it
  bool found = false;
  std::string note;               // why it was not found, or what the walk skipped
  std::vector<std::string> path;  // "phy0 (ieee80211)", "0000:02:00.0 (pci)"
  std::string syspath;            // of the device with the driver
  std::string sysname;            // "0000:02:00.0"
  std::string subsystem;          // "pci", "usb", "i2c", "platform", "acpi"...
  std::string driver;             // bound driver ("xhci_hcd")
  std::string module;             // the module behind it ("xhci_pci"), "" when none
  bool builtin = false;           // no module, or a module built into the kernel
  std::optional<PciDevice> pci;   // ids, when the device is a PCI function
  std::optional<UsbDevice> usb;   // ids, when it is a USB device (or one of its interfaces)
  std::string modalias;
};

/// Maps names from the log to devices of this machine. The real one reads libudev
/// (udev_culprit_source.cpp); tests run it in a umockdev testbed.
class CulpritResolver {
 public:
  virtual ~CulpritResolver() = default;
  /// kernel_device is the journal's reference ("+pci:0000:00:14.0"), the surest one, or "";
  /// driver_hint the log's dev_printk prefix, used to choose between devices of one name.
  /// Never throws: a name that is not (or no longer) there gives found = false and a note.
  virtual Culprit resolve(const std::string& name, const std::string& kernel_device,
                          const std::string& driver_hint) = 0;
};

std::unique_ptr<CulpritResolver> make_udev_culprit_resolver(ModuleInspector& modules);

/// A name from a log that may go into a sysfs lookup: no path separators, no glob
/// characters (libudev matches sysnames with fnmatch), printable, at most 128 bytes.
bool is_safe_device_name(const std::string& name);

}  // namespace suspendfix
