// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "error.hpp"
#include "hardware/device_backend.hpp"

namespace suspendfix {

/// PCI devices in memory: which are present and what each is bound to. Records every call;
/// a device can be told not to come back after a rescan, or to refuse binding.
class FakeDeviceBackend : public DeviceBackend {
 public:
  FakeDeviceBackend& add(const std::string& slot, const std::string& driver) {
    present_[slot] = driver;
    return *this;
  }
  void lose_on_rescan(const std::string& slot) { lost_.insert(slot); }
  void refuse_bind(const std::string& slot) { refuse_bind_.insert(slot); }
  /// What drivers_probe finds for slot (default: nothing, it stays unbound).
  void probe_finds(const std::string& slot, const std::string& driver) { probe_[slot] = driver; }

  void unbind(const std::string& slot, const std::string& driver) override {
    calls.push_back("unbind " + slot + " " + driver);
    present_.at(slot).clear();
  }
  void bind(const std::string& slot, const std::string& driver) override {
    calls.push_back("bind " + slot + " " + driver);
    if (refuse_bind_.count(slot))
      throw HardwareError("could not write to", "bind", "No such device");
    present_.at(slot) = driver;
  }
  void remove(const std::string& slot) override {
    calls.push_back("remove " + slot);
    removed_[slot] = present_.at(slot);
    present_.erase(slot);
  }
  void rescan() override {
    calls.push_back("rescan");
    for (const auto& [slot, driver] : removed_)
      if (!lost_.count(slot)) present_[slot] = driver;
    for (const auto& [slot, driver] : present_) removed_.erase(slot);
  }
  void probe(const std::string& slot) override {
    calls.push_back("probe " + slot);
    if (present_.count(slot) && probe_.count(slot)) present_[slot] = probe_[slot];
  }
  std::string bound_driver(const std::string& slot) override {
    const auto it = present_.find(slot);
    return it == present_.end() ? "" : it->second;
  }
  bool present(const std::string& slot) override { return present_.count(slot) > 0; }

  std::vector<std::string> calls;

 private:
  std::map<std::string, std::string> present_;
  std::map<std::string, std::string> removed_;
  std::set<std::string> lost_;
  std::set<std::string> refuse_bind_;
  std::map<std::string, std::string> probe_;
};

}  // namespace suspendfix
