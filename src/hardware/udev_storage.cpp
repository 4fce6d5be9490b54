// SPDX-License-Identifier: GPL-2.0-or-later
// Which drivers stand between a mounted filesystem (or a swap area) and the machine: unloading
// any of them before sleep would pull the disk away. A USB disk on the NEC controller makes
// xhci_pci such a driver.
#include <dirent.h>
#include <sys/sysmacros.h>

#include <set>

#include "hardware/storage.hpp"
#include "hardware/udev_util.hpp"
#include "planner/planner.hpp"

namespace suspendfix {
namespace {

using namespace udev_util;

class ChainWalker {
 public:
  ChainWalker(udev* context, std::map<std::string, std::string>& modules)
      : context_(context), modules_(modules) {}

  void walk_block_device(dev_t device, const std::string& reason) {
    UdevDevicePtr block(udev_device_new_from_devnum(context_, 'b', device));
    if (!block) block = find_by_devnum(device);  // no /sys/dev/block link (umockdev, old kernels)
    if (block) walk(block.get(), reason, 0);
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

  void walk(udev_device* device, const std::string& reason, int depth) {
    if (depth > 8) return;  // dm on md on dm...: deeper stacks are not real
    const char* syspath = udev_device_get_syspath(device);
    if (!syspath || !seen_.insert(syspath).second) return;
    // Stacked devices (dm-crypt, LVM, md): the disks underneath are in slaves/.
    if (DIR* slaves = opendir((std::string(syspath) + "/slaves").c_str())) {
      while (const dirent* entry = readdir(slaves)) {
        if (entry->d_name[0] == '.') continue;
        UdevDevicePtr slave(
            udev_device_new_from_subsystem_sysname(context_, "block", entry->d_name));
        if (slave) walk(slave.get(), reason, depth + 1);
      }
      closedir(slaves);
    }
    for (udev_device* node = device; node; node = udev_device_get_parent(node)) {
      const std::string module = driver_module(node);
      if (!module.empty()) modules_.emplace(module, reason);
    }
  }

  udev* context_;
  std::map<std::string, std::string>& modules_;
  std::set<std::string> seen_;
};

}  // namespace

std::map<std::string, std::string> storage_protected_modules(const std::vector<StorageUse>& uses) {
  std::map<std::string, std::string> modules;
  UdevPtr context(udev_new());
  if (!context) return modules;
  ChainWalker walker(context.get(), modules);
  for (const StorageUse& use : uses) {
    const bool swap = use.filesystem.empty();
    if (!swap && builtin_protected_modules().count(use.filesystem))
      modules.emplace(use.filesystem, "filesystem of " + use.what);
    if (use.device == 0) continue;
    const std::string reason =
        swap ? "needed by " + use.what + " (swap in use; hibernation writes its image there)"
             : "needed by the filesystem on " + use.what;
    walker.walk_block_device(use.device, reason);
  }
  return modules;
}

}  // namespace suspendfix
