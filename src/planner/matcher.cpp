// SPDX-License-Identifier: GPL-2.0-or-later
#include "planner/matcher.hpp"

#include <algorithm>
#include <map>

namespace suspendfix {
namespace {

/// Why the machine-level conditions rule a profile out; "" when they hold.
std::string machine_conditions(const Profile& profile, const Machine& machine) {
  if (!profile.kernel.contains(machine.kernel_release))
    return "kernel " + machine.kernel_release + " is outside " + profile.kernel.describe();
  if (!dmi_matches(profile.dmi, machine.dmi)) {
    for (const auto& [field, pattern] : profile.dmi) {
      const auto found = machine.dmi.find(field);
      const std::string value = found == machine.dmi.end() ? "" : found->second;
      if (!dmi_matches({{field, pattern}}, machine.dmi))
        return std::string(dmi_field_name(field)) + " '" + value + "' does not match '" + pattern +
               "'";
    }
  }
  return {};
}

}  // namespace

ProfileIndex::ProfileIndex(const std::vector<Profile>& profiles) : profiles_(profiles) {
  for (size_t p = 0; p < profiles.size(); ++p) {
    const Profile& profile = profiles[p];
    for (size_t e = 0; e < profile.pci.size(); ++e) {
      const PciMatch& pci = profile.pci[e];
      if (pci.device)
        pci_by_id_[key(pci.vendor, *pci.device)].push_back({p, e});
      else
        pci_by_vendor_[pci.vendor].push_back({p, e});
    }
    for (size_t e = 0; e < profile.usb.size(); ++e) {
      const UsbMatch& usb = profile.usb[e];
      if (usb.product)
        usb_by_id_[key(usb.vendor, *usb.product)].push_back({p, e});
      else
        usb_by_vendor_[usb.vendor].push_back({p, e});
    }
    if (!profile.has_device_match()) machine_only_.push_back(p);
  }
}

std::vector<ProfileMatch> ProfileIndex::match(const Machine& machine) const {
  std::map<size_t, ProfileMatch> found;  // by profile index: keeps profile order
  auto add = [&](const Entry& entry, MatchedDevice::Bus bus, size_t index) {
    ProfileMatch& match = found[entry.profile];
    match.profile = &profiles_[entry.profile];
    // One device can satisfy several entries of a profile; the first one explains it.
    for (const MatchedDevice& device : match.devices)
      if (device.bus == bus && device.index == index) return;
    match.devices.push_back({bus, index, entry.entry});
  };
  auto lookup = [](const auto& table, auto id) -> const std::vector<Entry>* {
    const auto it = table.find(id);
    return it == table.end() ? nullptr : &it->second;
  };
  for (size_t i = 0; i < machine.pci.size(); ++i) {
    const PciDevice& device = machine.pci[i];
    for (const auto* entries : {lookup(pci_by_id_, key(device.vendor, device.device)),
                                lookup(pci_by_vendor_, device.vendor)}) {
      if (!entries) continue;
      for (const Entry& entry : *entries)
        if (profiles_[entry.profile].pci[entry.entry].matches(device))
          add(entry, MatchedDevice::Bus::kPci, i);
    }
  }
  for (size_t i = 0; i < machine.usb.size(); ++i) {
    const UsbDevice& device = machine.usb[i];
    for (const auto* entries : {lookup(usb_by_id_, key(device.vendor, device.product)),
                                lookup(usb_by_vendor_, device.vendor)}) {
      if (!entries) continue;
      for (const Entry& entry : *entries)
        if (profiles_[entry.profile].usb[entry.entry].matches(device))
          add(entry, MatchedDevice::Bus::kUsb, i);
    }
  }
  for (size_t p : machine_only_) {
    const std::string why_not = machine_conditions(profiles_[p], machine);
    if (why_not.empty()) found[p].profile = &profiles_[p];
  }
  std::vector<ProfileMatch> matches;
  for (auto& [index, match] : found) {
    match.why_not = machine_conditions(*match.profile, machine);
    match.applies = match.why_not.empty();
    matches.push_back(std::move(match));
  }
  return matches;
}

}  // namespace suspendfix
