// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <string_view>

namespace suspendfix {

/// What the platform rules of planner/protection.cpp ask about the machine itself.
struct PlatformFacts {
  bool amd_cpu = false;           // /proc/cpuinfo: vendor_id AuthenticAMD
  bool suspends_to_idle = false;  // /sys/power/mem_sleep: "[s2idle]", the mode in use
};

/// Reads the facts out of /proc/cpuinfo and /sys/power/mem_sleep. Pure, for tests.
PlatformFacts parse_platform_facts(std::string_view cpuinfo, std::string_view mem_sleep);

/// The same for the running system; what cannot be read counts as "no".
PlatformFacts read_platform_facts();

}  // namespace suspendfix
