// SPDX-License-Identifier: GPL-2.0-or-later
#include "hardware/platform.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <string>

namespace suspendfix {
namespace {

/// The first bytes of a /proc or /sys file: the first CPU's lines are enough, and on a machine
/// with hundreds of CPUs /proc/cpuinfo is hundreds of kilobytes.
std::string read_head(const char* path) {
  const int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
  if (fd < 0) return {};
  char buffer[4096];
  const ssize_t got = read(fd, buffer, sizeof buffer);
  close(fd);
  return got > 0 ? std::string(buffer, static_cast<size_t>(got)) : std::string();
}

}  // namespace

PlatformFacts parse_platform_facts(std::string_view cpuinfo, std::string_view mem_sleep) {
  PlatformFacts facts;
  facts.amd_cpu = cpuinfo.find("AuthenticAMD") != std::string_view::npos;
  // The kernel marks the mode in use with brackets: "[s2idle] deep".
  facts.suspends_to_idle = mem_sleep.find("[s2idle]") != std::string_view::npos;
  return facts;
}

PlatformFacts read_platform_facts() {
  return parse_platform_facts(read_head("/proc/cpuinfo"), read_head("/sys/power/mem_sleep"));
}

}  // namespace suspendfix
