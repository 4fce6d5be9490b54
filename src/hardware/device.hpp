// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace suspendfix {

/// A PCI function as the kernel shows it. Plain value type; see DeviceSource.
struct PciDevice {
  std::string slot;  // "0000:0f:00.0"
  std::string syspath;
  uint16_t vendor = 0;
  uint16_t device = 0;
  uint16_t subsystem_vendor = 0;
  uint16_t subsystem_device = 0;
  uint32_t class_code = 0;  // 24 bits: class, subclass, prog-if
  uint8_t revision = 0;
  std::string driver;  // sysfs driver name, "" when unbound ("xhci_hcd")
  std::string module;  // module behind that driver, "" when unknown ("xhci_pci")
  std::string modalias;
  std::string vendor_name;  // from udev's hardware database, "" when unknown
  std::string device_name;
};

/// A USB device (not interface). Its driver is that of its interfaces when they agree.
struct UsbDevice {
  std::string name;  // sysfs name, "1-1"
  std::string syspath;
  uint16_t vendor = 0;
  uint16_t product = 0;
  std::string driver;
  std::string module;
  std::string vendor_name;
  std::string product_name;
  std::string parent_pci_slot;  // host controller's PCI function, "" when not on PCI
};

/// The fields of /sys/class/dmi/id that identify a machine model.
enum class DmiField {
  kSysVendor,
  kProductName,
  kProductVersion,
  kProductFamily,
  kBoardVendor,
  kBoardName,
  kBiosVersion,
};
inline constexpr DmiField kAllDmiFields[] = {
    DmiField::kSysVendor,     DmiField::kProductName, DmiField::kProductVersion,
    DmiField::kProductFamily, DmiField::kBoardVendor, DmiField::kBoardName,
    DmiField::kBiosVersion,
};
/// The sysfs attribute name, which is also the profile key: "sys_vendor".
const char* dmi_field_name(DmiField field);
std::optional<DmiField> dmi_field_from_name(const std::string& name);

using DmiIdentity = std::map<DmiField, std::string>;

/// Everything the matcher knows about a machine.
struct Machine {
  DmiIdentity dmi;
  std::string kernel_release;  // uname -r
  std::vector<PciDevice> pci;  // sorted by slot
  std::vector<UsbDevice> usb;  // sorted by name
};

/// "0194": one id as profiles, lspci and the kernel's modalias print it.
std::string format_hex4(uint16_t value);
/// "1033:0194"
std::string format_id(uint16_t vendor, uint16_t device);
/// "0c0330"
std::string format_class(uint32_t class_code);

}  // namespace suspendfix
