// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <sys/stat.h>

#include <cstddef>
#include <string>

namespace suspendfix {

/// Reads a small text file without ever blocking (a FIFO must not hang a suspend) and without
/// reading more than limit bytes. Throws ProfileError naming the file. When check is given, it
/// is called with the file's stat before reading and may throw to refuse it.
std::string read_text_file(const std::string& path, size_t limit,
                           void (*check)(const std::string& path, const struct stat& info,
                                         void* data) = nullptr,
                           void* data = nullptr);

}  // namespace suspendfix
