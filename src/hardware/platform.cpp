// SPDX-License-Identifier: GPL-2.0-or-later
#include "hardware/platform.hpp"

#include "error.hpp"
#include "text_file.hpp"

namespace suspendfix {

std::map<std::string, std::string> platform_protected_modules(std::string_view cpuinfo,
                                                              std::string_view mem_sleep,
                                                              SleepType sleep) {
  std::map<std::string, std::string> modules;
  const bool amd = cpuinfo.find("AuthenticAMD") != std::string_view::npos;
  // The kernel marks the mode in use with brackets: "[s2idle] deep".
  const bool s2idle = mem_sleep.find("[s2idle]") != std::string_view::npos;
  const bool suspends = sleep == SleepType::kSuspend || sleep == SleepType::kSuspendThenHibernate;
  if (amd && s2idle && suspends)
    modules["thunderbolt"] =
        "this AMD machine suspends to idle (s2idle), which needs the USB4/Thunderbolt driver bound";
  return modules;
}

std::map<std::string, std::string> current_platform_protected_modules(SleepType sleep) {
  auto read = [](const char* path) {
    try {
      return read_text_file(path, 4 << 20);
    } catch (const Error&) {
      return std::string();
    }
  };
  return platform_protected_modules(read("/proc/cpuinfo"), read("/sys/power/mem_sleep"), sleep);
}

}  // namespace suspendfix
