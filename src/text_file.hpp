// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <sys/stat.h>

#include <cstddef>
#include <string>

namespace suspendfix {

/// Reads a small text file of the kernel (/proc, /sys) or of another program without ever
/// blocking (a FIFO must not hang a suspend) and without reading more than limit bytes.
/// Files that decide what root does go through read_trusted_file() (trusted_file.hpp).
/// Throws FileError naming the file.
std::string read_text_file(const std::string& path, size_t limit);

/// Reads an open regular file whose fstat() is `info`: refuses one larger than limit, or one
/// that grows past it while being read. Closes nothing. Throws FileError naming `path`.
std::string read_open_file(int fd, const std::string& path, const struct stat& info, size_t limit);

/// The last component of a symbolic link's target: "xhci_hcd" for a sysfs
/// .../driver -> ../../bus/pci/drivers/xhci_hcd. "" when path is not a link or cannot be read.
std::string read_link_name(const std::string& path);

}  // namespace suspendfix
