// SPDX-License-Identifier: GPL-2.0-or-later
#include "text_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <climits>

#include "error.hpp"

namespace suspendfix {

std::string read_open_file(int fd, const std::string& path, const struct stat& info, size_t limit) {
  if (static_cast<size_t>(info.st_size) > limit)
    throw FileError(path, 0, 0,
                    "file is " + std::to_string(info.st_size) + " bytes, more than the limit of " +
                        std::to_string(limit));
  std::string text;
  char buffer[16384];
  for (;;) {
    const ssize_t got = read(fd, buffer, sizeof buffer);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) throw FileError(path, 0, 0, "could not read: " + errno_string(errno));
    if (got == 0) break;
    text.append(buffer, static_cast<size_t>(got));
    if (text.size() > limit)
      throw FileError(path, 0, 0,
                      "file grew past the limit of " + std::to_string(limit) + " bytes");
  }
  return text;
}

std::string read_text_file(const std::string& path, size_t limit) {
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
  if (fd < 0) throw FileError(path, 0, 0, "could not open: " + errno_string(errno));
  try {
    struct stat info {};
    if (fstat(fd, &info) != 0)
      throw FileError(path, 0, 0, "could not stat: " + errno_string(errno));
    if (!S_ISREG(info.st_mode)) throw FileError(path, 0, 0, "not a regular file");
    std::string text = read_open_file(fd, path, info, limit);
    close(fd);
    return text;
  } catch (...) {
    close(fd);
    throw;
  }
}

std::string read_link_name(const std::string& path) {
  char target[PATH_MAX];
  const ssize_t length = readlink(path.c_str(), target, sizeof target - 1);
  if (length <= 0) return "";
  const std::string text(target, static_cast<size_t>(length));
  return text.substr(text.find_last_of('/') + 1);
}

}  // namespace suspendfix
