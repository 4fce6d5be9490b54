// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "hardware/device.hpp"
#include "modules/module_name.hpp"
#include "profiles/kernel_version.hpp"
#include "sleep/sleep_type.hpp"

namespace suspendfix {

/// A PCI id to match; absent optional fields match anything.
struct PciMatch {
  uint16_t vendor = 0;
  std::optional<uint16_t> device;
  std::optional<uint16_t> subsystem_vendor;
  std::optional<uint16_t> subsystem_device;
  /// Class prefix: 1, 2 or 3 bytes ("0c", "0c03", "0c0330"), kept with its byte count.
  std::optional<std::pair<uint32_t, int>> class_prefix;

  bool matches(const PciDevice& device) const;
};

struct UsbMatch {
  uint16_t vendor = 0;
  std::optional<uint16_t> product;

  bool matches(const UsbDevice& device) const;
};

/// Shell-glob patterns on DMI fields; all must match (fnmatch, case-sensitive as in hwdb).
using DmiMatch = std::vector<std::pair<DmiField, std::string>>;
bool dmi_matches(const DmiMatch& match, const DmiIdentity& identity);

/// A module named in a profile, optionally only for some kernels (the seed's "xhci" before
/// 2.6.35, "xhci_hcd" after).
struct ModuleRef {
  std::string name;  // normalised: '-' -> '_'
  KernelRange kernel;
};

/// What to do with a matched device when its module cannot be unloaded.
enum class DeviceAction { kNone, kUnbind, kRemove };
const char* device_action_name(DeviceAction action);

struct Actions {
  bool unload_bound_module = false;  // the module behind each matched device's driver
  std::vector<ModuleRef> unload_modules;
  DeviceAction device = DeviceAction::kNone;    // instead of unloading
  DeviceAction fallback = DeviceAction::kNone;  // when unloading is impossible
};

struct Profile {
  std::string id;
  std::string description;
  std::vector<std::string> sources;
  std::vector<PciMatch> pci;
  std::vector<UsbMatch> usb;
  DmiMatch dmi;
  KernelRange kernel;
  std::vector<SleepType> sleep;  // empty: every sleep type
  Actions actions;

  std::string origin;         // file it came from, for messages
  std::string relative_name;  // "nec/upd720200.yaml": the override/mask key

  bool applies_to(SleepType type) const;
  bool has_device_match() const { return !pci.empty() || !usb.empty(); }
};

/// Whole-value equality, every field (the cache round-trip test compares with these).
bool operator==(const PciMatch& a, const PciMatch& b);
bool operator==(const UsbMatch& a, const UsbMatch& b);
bool operator==(const ModuleRef& a, const ModuleRef& b);
bool operator==(const Actions& a, const Actions& b);
bool operator==(const Profile& a, const Profile& b);
inline bool operator!=(const Profile& a, const Profile& b) { return !(a == b); }

}  // namespace suspendfix
