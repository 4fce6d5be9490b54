// SPDX-License-Identifier: GPL-2.0-or-later
// /dev/kmsg: one record per read(), "prio,seq,usec,flags;message\n" then " KEY=value" lines
// (Documentation/ABI/testing/dev-kmsg).
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <vector>

#include "diagnose/log_sources.hpp"
#include "error.hpp"

namespace suspendfix {

bool read_kmsg(const LogFeed& feed, std::string* why_not, const std::string& path) {
  const int fd = open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    *why_not = path + ": " + errno_string(errno);
    return false;
  }
  std::vector<char> record(16 * 1024);  // a record is at most about 8 KiB
  for (int spins = 0; spins < 1000000; ++spins) {
    const ssize_t got = read(fd, record.data(), record.size());
    if (got < 0) {
      if (errno == EINTR) continue;
      if (errno == EPIPE) continue;   // records overwritten while reading: go on with the next
      if (errno == EINVAL) continue;  // a record larger than the buffer: skip it
      break;                          // EAGAIN: the end of the buffer
    }
    if (got == 0) break;
    feed_kmsg_record(std::string_view(record.data(), static_cast<size_t>(got)), feed);
  }
  close(fd);
  return true;
}

}  // namespace suspendfix
