// SPDX-License-Identifier: GPL-2.0-or-later
#include "hardware/storage.hpp"

#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <sstream>

#include "error.hpp"
#include "log.hpp"
#include "text_file.hpp"

namespace suspendfix {
namespace {

/// The kernel writes paths in /proc/self/mountinfo and /proc/swaps with space, tab, newline
/// and backslash as octal escapes (seq_file's mangle_path: "\040"), so that a line stays one
/// line of words. Turns them back into the bytes, so that the path can be opened.
std::string unescape_octal(std::string_view text) {
  const auto octal = [](char c) { return c >= '0' && c <= '7'; };
  std::string out;
  out.reserve(text.size());
  for (size_t at = 0; at < text.size(); ++at) {
    if (text[at] == '\\' && at + 3 < text.size() && octal(text[at + 1]) && octal(text[at + 2]) &&
        octal(text[at + 3]) && text[at + 1] <= '3') {
      out += static_cast<char>((text[at + 1] - '0') * 64 + (text[at + 2] - '0') * 8 +
                               (text[at + 3] - '0'));
      at += 3;
    } else {
      out += text[at];
    }
  }
  return out;
}

}  // namespace

std::vector<StorageUse> parse_mountinfo(std::string_view text) {
  std::vector<StorageUse> uses;
  std::istringstream lines{std::string(text)};
  std::string line;
  while (std::getline(lines, line)) {
    // id parent major:minor root mountpoint options [optional...] - fstype source superoptions
    std::istringstream words(line);
    std::string id, parent, numbers, root, mountpoint, word;
    if (!(words >> id >> parent >> numbers >> root >> mountpoint)) continue;
    while (words >> word && word != "-") {
    }
    std::string filesystem;
    words >> filesystem;
    unsigned major_number = 0, minor_number = 0;
    if (std::sscanf(numbers.c_str(), "%u:%u", &major_number, &minor_number) != 2) continue;
    StorageUse use;
    use.device = major_number == 0 ? 0 : makedev(major_number, minor_number);
    use.what = unescape_octal(mountpoint);
    use.filesystem = filesystem.substr(0, filesystem.find('.'));  // fuse.sshfs -> fuse
    uses.push_back(use);
  }
  return uses;
}

std::vector<std::string> parse_swaps(std::string_view text) {
  std::vector<std::string> paths;
  std::istringstream lines{std::string(text)};
  std::string line;
  std::getline(lines, line);  // header
  while (std::getline(lines, line)) {
    std::istringstream words(line);
    std::string path;
    if (words >> path) paths.push_back(unescape_octal(path));
  }
  return paths;
}

std::vector<StorageUse> current_storage_uses() {
  std::vector<StorageUse> uses;
  try {
    uses = parse_mountinfo(read_text_file("/proc/self/mountinfo", 4 << 20));
  } catch (const Error& error) {
    log_warning(std::string(error.what()) + ", ignoring");
  }
  try {
    for (const std::string& path : parse_swaps(read_text_file("/proc/swaps", 1 << 20))) {
      struct stat info {};
      if (stat(path.c_str(), &info) != 0) continue;
      StorageUse use;
      // A swap partition is its own device; a swap file lives on its filesystem's device.
      use.device = S_ISBLK(info.st_mode) ? info.st_rdev : info.st_dev;
      use.what = "swap " + path;
      uses.push_back(use);
    }
  } catch (const Error& error) {
    log_info(std::string(error.what()) + ", ignoring");
  }
  return uses;
}

}  // namespace suspendfix
