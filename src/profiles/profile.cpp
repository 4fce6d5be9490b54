// SPDX-License-Identifier: GPL-2.0-or-later
#include "profiles/profile.hpp"

#include <fnmatch.h>

#include <algorithm>
#include <tuple>

#include "enum_names.hpp"

namespace suspendfix {

constexpr EnumName<DeviceAction> kDeviceActionNames[] = {
    {DeviceAction::kNone, "none"},
    {DeviceAction::kUnbind, "unbind"},
    {DeviceAction::kRemove, "remove"},
};

const char* device_action_name(DeviceAction action) { return name_of(kDeviceActionNames, action); }

bool PciMatch::matches(const PciDevice& candidate) const {
  if (candidate.vendor != vendor) return false;
  if (device && candidate.device != *device) return false;
  if (subsystem_vendor && candidate.subsystem_vendor != *subsystem_vendor) return false;
  if (subsystem_device && candidate.subsystem_device != *subsystem_device) return false;
  if (class_prefix) {
    const int shift = 8 * (3 - class_prefix->second);
    if ((candidate.class_code >> shift) != class_prefix->first) return false;
  }
  return true;
}

bool UsbMatch::matches(const UsbDevice& candidate) const {
  return candidate.vendor == vendor && (!product || candidate.product == *product);
}

bool dmi_matches(const DmiMatch& match, const DmiIdentity& identity) {
  for (const auto& [field, pattern] : match) {
    const auto found = identity.find(field);
    const std::string value = found == identity.end() ? std::string() : found->second;
    if (fnmatch(pattern.c_str(), value.c_str(), 0) != 0) return false;
  }
  return true;
}

bool Profile::applies_to(SleepType type) const {
  return sleep.empty() || std::find(sleep.begin(), sleep.end(), type) != sleep.end();
}

// Each compares through a structured binding, so that a new field breaks the build here
// instead of being left out of the comparison.

bool operator==(const PciMatch& a, const PciMatch& b) {
  const auto& [vendor, device, subsystem_vendor, subsystem_device, class_prefix] = a;
  return std::tie(vendor, device, subsystem_vendor, subsystem_device, class_prefix) ==
         std::tie(b.vendor, b.device, b.subsystem_vendor, b.subsystem_device, b.class_prefix);
}

bool operator==(const UsbMatch& a, const UsbMatch& b) {
  const auto& [vendor, product] = a;
  return std::tie(vendor, product) == std::tie(b.vendor, b.product);
}

bool operator==(const ModuleRef& a, const ModuleRef& b) {
  const auto& [name, kernel] = a;
  return name == b.name && kernel == b.kernel;
}

bool operator==(const Actions& a, const Actions& b) {
  const auto& [unload_bound_module, unload_modules, device, fallback] = a;
  return std::tie(unload_bound_module, unload_modules, device, fallback) ==
         std::tie(b.unload_bound_module, b.unload_modules, b.device, b.fallback);
}

bool operator==(const Profile& a, const Profile& b) {
  const auto& [id, description, sources, pci, usb, dmi, kernel, sleep, actions, origin,
               relative_name] = a;
  return std::tie(id, description, sources, pci, usb, dmi, sleep, actions, origin, relative_name) ==
             std::tie(b.id, b.description, b.sources, b.pci, b.usb, b.dmi, b.sleep, b.actions,
                      b.origin, b.relative_name) &&
         kernel == b.kernel;
}

}  // namespace suspendfix
