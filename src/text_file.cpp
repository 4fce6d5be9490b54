// SPDX-License-Identifier: GPL-2.0-or-later
#include "text_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include "error.hpp"

namespace suspendfix {

std::string read_text_file(const std::string& path, size_t limit,
                           void (*check)(const std::string&, const struct stat&, void*),
                           void* data) {
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
  if (fd < 0) throw ProfileError(path, 0, 0, "could not open: " + errno_string(errno));
  std::string text;
  try {
    struct stat info {};
    if (fstat(fd, &info) != 0)
      throw ProfileError(path, 0, 0, "could not stat: " + errno_string(errno));
    if (!S_ISREG(info.st_mode)) throw ProfileError(path, 0, 0, "not a regular file");
    if (check) check(path, info, data);
    if (static_cast<size_t>(info.st_size) > limit)
      throw ProfileError(path, 0, 0,
                         "file is " + std::to_string(info.st_size) +
                             " bytes, more than the limit of " + std::to_string(limit));
    char buffer[16384];
    for (;;) {
      const ssize_t got = read(fd, buffer, sizeof buffer);
      if (got < 0 && errno == EINTR) continue;
      if (got < 0) throw ProfileError(path, 0, 0, "could not read: " + errno_string(errno));
      if (got == 0) break;
      text.append(buffer, static_cast<size_t>(got));
      if (text.size() > limit)
        throw ProfileError(path, 0, 0,
                           "file grew past the limit of " + std::to_string(limit) + " bytes");
    }
  } catch (...) {
    close(fd);
    throw;
  }
  close(fd);
  return text;
}

}  // namespace suspendfix
