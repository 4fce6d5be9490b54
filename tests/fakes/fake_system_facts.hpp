// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <map>
#include <string>
#include <vector>

#include "hardware/system_facts.hpp"

namespace suspendfix {

/// A running system in memory for the never-unload rules: mounts and swaps, the chain behind
/// each block device, the platform. Counts what is asked, so tests can check that the system is
/// read once and only when a rule needs it.
class FakeSystemFacts : public SystemFacts {
 public:
  /// A mount (filesystem set) or an active swap area (filesystem empty) on `device`, with the
  /// drivers' modules and the sysfs paths between that device and the machine.
  FakeSystemFacts& use(dev_t device, const std::string& what, const std::string& filesystem,
                       StorageChain chain = {}) {
    uses_.push_back({device, what, filesystem});
    chains_[device] = std::move(chain);
    return *this;
  }
  FakeSystemFacts& platform_is(bool amd_cpu, bool suspends_to_idle) {
    platform_.amd_cpu = amd_cpu;
    platform_.suspends_to_idle = suspends_to_idle;
    return *this;
  }

  std::vector<StorageUse> storage_uses() override {
    ++storage_reads;
    return uses_;
  }
  StorageChain storage_chain(dev_t block_device) override {
    chains_asked.push_back(block_device);
    const auto it = chains_.find(block_device);
    return it == chains_.end() ? StorageChain{} : it->second;
  }
  PlatformFacts platform() override {
    ++platform_reads;
    return platform_;
  }

  int storage_reads = 0;
  int platform_reads = 0;
  std::vector<dev_t> chains_asked;

 private:
  std::vector<StorageUse> uses_;
  std::map<dev_t, StorageChain> chains_;
  PlatformFacts platform_;
};

}  // namespace suspendfix
