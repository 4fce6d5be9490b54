// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "hardware/device.hpp"
#include "profiles/profile.hpp"

namespace suspendfix {

/// A device of the machine that a profile entry matched.
struct MatchedDevice {
  enum class Bus { kPci, kUsb };
  Bus bus = Bus::kPci;
  size_t index = 0;  // into Machine::pci or Machine::usb
  size_t entry = 0;  // into Profile::pci or Profile::usb
};

/// A profile and the devices it matched. When the hardware matched but the machine-level
/// conditions (DMI, kernel range) did not, `applies` is false and `why_not` says why, so
/// that detect can tell a person about near misses.
struct ProfileMatch {
  const Profile* profile = nullptr;
  std::vector<MatchedDevice> devices;
  bool applies = true;
  std::string why_not;
};

/// Profiles indexed by id, so matching costs O(devices + matches), not devices x profiles.
/// The profiles must outlive the index.
class ProfileIndex {
 public:
  explicit ProfileIndex(const std::vector<Profile>& profiles);

  /// Matches in profile order (sorted by relative name), devices in machine order.
  std::vector<ProfileMatch> match(const Machine& machine) const;

 private:
  struct Entry {
    size_t profile;
    size_t entry;
  };
  static uint32_t key(uint16_t vendor, uint16_t device) { return uint32_t{vendor} << 16 | device; }

  const std::vector<Profile>& profiles_;
  std::unordered_map<uint32_t, std::vector<Entry>> pci_by_id_;
  std::unordered_map<uint16_t, std::vector<Entry>> pci_by_vendor_;  // entries without a device id
  std::unordered_map<uint32_t, std::vector<Entry>> usb_by_id_;
  std::unordered_map<uint16_t, std::vector<Entry>> usb_by_vendor_;
  std::vector<size_t> machine_only_;  // profiles that match on DMI alone
};

}  // namespace suspendfix
