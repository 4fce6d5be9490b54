// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "profiles/profile.hpp"

namespace suspendfix {

/// Modules the platform itself needs across this sleep. On AMD machines that suspend to idle
/// (s2idle), amd_pmc checks that the USB4/Thunderbolt controller is bound: unloading
/// thunderbolt there breaks s2idle rather than fixing it (secureblue#2437). Pure, for tests.
std::map<std::string, std::string> platform_protected_modules(std::string_view cpuinfo,
                                                              std::string_view mem_sleep,
                                                              SleepType sleep);

/// The same for the running system (/proc/cpuinfo, /sys/power/mem_sleep).
std::map<std::string, std::string> current_platform_protected_modules(SleepType sleep);

}  // namespace suspendfix
