// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>
#include <vector>

namespace suspendfix {

/// Something the machine cannot lose during sleep: a mounted filesystem or an active swap
/// area (hibernation writes its image there), with the block device behind it.
struct StorageUse {
  dev_t device = 0;        // block device number; 0 for virtual filesystems
  std::string what;        // "/home", "swap /dev/sda2"
  std::string filesystem;  // "ext4"; empty for swap
};

/// Parses /proc/self/mountinfo (mount points with the kernel's octal escapes undone). Pure,
/// for tests.
std::vector<StorageUse> parse_mountinfo(std::string_view text);
/// Parses /proc/swaps into the paths of active swap areas, as they can be opened: the kernel
/// writes a space in a path as \040. Pure, for tests.
std::vector<std::string> parse_swaps(std::string_view text);

/// The mounts and swap areas of the running system (reads /proc).
std::vector<StorageUse> current_storage_uses();

}  // namespace suspendfix
