// SPDX-License-Identifier: GPL-2.0-or-later
#include "planner/protection.hpp"

#include <algorithm>

#include "timing.hpp"

namespace suspendfix {
namespace {

constexpr char kThunderbolt[] = "thunderbolt";

}  // namespace

const std::map<std::string, std::string>& builtin_protected_modules() {
  static const std::map<std::string, std::string> modules = [] {
    std::map<std::string, std::string> out;
    for (const char* name :
         {"ahci",        "libahci",      "libata",  "ata_piix",  "ata_generic", "nvme",
          "nvme_core",   "sd_mod",       "sr_mod",  "scsi_mod",  "scsi_common", "virtio_blk",
          "virtio_scsi", "mmc_block",    "sdhci",   "sdhci_pci", "usb_storage", "uas",
          "mptsas",      "megaraid_sas", "mpt3sas", "dm_mod",    "dm_crypt",    "md_mod",
          "raid0",       "raid1",        "raid10",  "raid456",   "loop",        "zram"})
      out[name] = "storage driver: the disks must stay reachable across sleep";
    for (const char* name : {"ext4", "ext3", "ext2", "jbd2", "btrfs", "xfs", "f2fs", "vfat", "fat",
                             "exfat", "ntfs3", "zfs", "fuse", "nfs", "cifs", "overlay", "squashfs"})
      out[name] = "filesystem driver";
    return out;
  }();
  return modules;
}

Protection::Protection(std::vector<std::string> keep_modules, SleepType sleep, SystemFacts* facts)
    : keep_modules_(std::move(keep_modules)), sleep_(sleep), facts_(facts) {}

std::string Protection::module_reason(const std::string& module) {
  if (std::find(keep_modules_.begin(), keep_modules_.end(), module) != keep_modules_.end())
    return "kept by the administrator (keep_modules)";
  const auto& builtin = builtin_protected_modules();
  if (const auto it = builtin.find(module); it != builtin.end()) return it->second;
  read_storage();
  if (const auto it = storage_modules_.find(module); it != storage_modules_.end())
    return it->second;
  // On AMD machines that suspend to idle, amd_pmc checks that the USB4/Thunderbolt controller
  // is bound: unloading thunderbolt there breaks s2idle rather than fixing it
  // (secureblue#2437). The one platform rule so far: the facts are read only for it.
  const bool suspends = sleep_ == SleepType::kSuspend || sleep_ == SleepType::kSuspendThenHibernate;
  if (module == kThunderbolt && suspends && facts_) {
    if (!platform_) platform_ = facts_->platform();
    if (platform_->amd_cpu && platform_->suspends_to_idle)
      return "this AMD machine suspends to idle (s2idle), which needs the USB4/Thunderbolt "
             "driver bound";
  }
  return "";
}

std::string Protection::device_reason(const std::string& syspath) {
  read_storage();
  const auto it = storage_devices_.find(syspath);
  return it == storage_devices_.end() ? "" : it->second;
}

void Protection::read_storage() {
  if (storage_read_ || !facts_) return;
  storage_read_ = true;
  PhaseTimer timer("storage scan");
  std::vector<dev_t> walked;  // bind mounts list a device again
  for (const StorageUse& use : facts_->storage_uses()) {
    if (use.device == 0) continue;  // proc, tmpfs, a network filesystem: no device to keep
    if (std::find(walked.begin(), walked.end(), use.device) != walked.end()) continue;
    walked.push_back(use.device);
    const bool swap = use.filesystem.empty();
    const std::string reason =
        swap ? "needed by " + use.what + " (swap in use; hibernation writes its image there)"
             : "needed by the filesystem on " + use.what;
    // The first use of a module or device names it, as the mounts are listed.
    const StorageChain chain = facts_->storage_chain(use.device);
    for (const std::string& module : chain.modules) storage_modules_.emplace(module, reason);
    for (const std::string& device : chain.devices) storage_devices_.emplace(device, reason);
  }
}

}  // namespace suspendfix
