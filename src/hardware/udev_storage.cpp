// SPDX-License-Identifier: GPL-2.0-or-later
// The running system's facts for the never-unload rules: mounts and swaps from /proc, the
// platform from /proc/cpuinfo and /sys/power, and, through libudev, what stands between a block
// device and the machine. A USB disk on the NEC controller puts xhci_pci on that chain.
#include <dirent.h>
#include <sys/sysmacros.h>

#include <set>

#include "hardware/system_facts.hpp"
#include "hardware/udev_util.hpp"
#include "timing.hpp"

namespace suspendfix {
namespace {

using namespace udev_util;

class ChainWalker {
 public:
  ChainWalker(udev* context, StorageChain& chain) : context_(context), chain_(chain) {}

  void walk_block_device(dev_t device) {
    UdevDevicePtr block(udev_device_new_from_devnum(context_, 'b', device));
    if (!block) block = find_by_devnum(device);  // no /sys/dev/block link (umockdev, old kernels)
    if (block) walk(block.get(), 0);
  }

 private:
  UdevDevicePtr find_by_devnum(dev_t device) {
    UdevEnumeratePtr enumerator(udev_enumerate_new(context_));
    if (!enumerator) return nullptr;
    udev_enumerate_add_match_subsystem(enumerator.get(), "block");
    if (udev_enumerate_scan_devices(enumerator.get()) < 0) return nullptr;
    udev_list_entry* entry = nullptr;
    udev_list_entry_foreach(entry, udev_enumerate_get_list_entry(enumerator.get())) {
      UdevDevicePtr candidate(
          udev_device_new_from_syspath(context_, udev_list_entry_get_name(entry)));
      if (candidate && udev_device_get_devnum(candidate.get()) == device) return candidate;
    }
    return nullptr;
  }

  void walk(udev_device* device, int depth) {
    if (depth > 8) return;  // dm on md on dm...: deeper stacks are not real
    const char* syspath = udev_device_get_syspath(device);
    if (!syspath || !seen_.insert(syspath).second) return;
    // Stacked devices (dm-crypt, LVM, md): the disks underneath are in slaves/.
    if (DIR* slaves = opendir((std::string(syspath) + "/slaves").c_str())) {
      while (const dirent* entry = readdir(slaves)) {
        if (entry->d_name[0] == '.') continue;
        UdevDevicePtr slave(
            udev_device_new_from_subsystem_sysname(context_, "block", entry->d_name));
        if (slave) walk(slave.get(), depth + 1);
      }
      closedir(slaves);
    }
    for (udev_device* node = device; node; node = udev_device_get_parent(node)) {
      if (const char* path = udev_device_get_syspath(node)) chain_.devices.emplace_back(path);
      const std::string module = driver_module(node);
      if (!module.empty()) chain_.modules.push_back(module);
    }
  }

  udev* context_;
  StorageChain& chain_;
  std::set<std::string> seen_;
};

class RunningSystemFacts : public SystemFacts {
 public:
  std::vector<StorageUse> storage_uses() override { return current_storage_uses(); }

  StorageChain storage_chain(dev_t block_device) override {
    PhaseTimer timer("storage chain");
    StorageChain chain;
    if (!context_) context_.reset(udev_new());
    if (!context_) return chain;
    ChainWalker(context_.get(), chain).walk_block_device(block_device);
    return chain;
  }

  PlatformFacts platform() override { return read_platform_facts(); }

 private:
  UdevPtr context_;
};

}  // namespace

std::unique_ptr<SystemFacts> make_system_facts() { return std::make_unique<RunningSystemFacts>(); }

}  // namespace suspendfix
