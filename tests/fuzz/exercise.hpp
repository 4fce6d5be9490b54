// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <cstdlib>
#include <string>

#include "error.hpp"
#include "profiles/profile.hpp"
#include "text_safety.hpp"

namespace suspendfix::fuzz {

/// Stops the run as a crash: libFuzzer keeps the input. For properties the code promises.
inline void require(bool promise) {
  if (!promise) std::abort();
}

/// Everything a loaded profile is used for at run time, on a few devices: matching (where a
/// class byte count of 4 shifted by a negative amount), the kernel range, the DMI globs, and
/// the two ways text leaves the program. A parsed profile must also be valid UTF-8 throughout
/// (a cached one need not: the JSON writer repairs it).
inline void exercise(const Profile& profile, bool parsed) {
  const auto device = [](uint16_t vendor, uint16_t id, uint32_t class_code) {
    PciDevice out;
    out.vendor = vendor;
    out.device = id;
    out.class_code = class_code;
    return out;
  };
  const PciDevice devices[] = {device(0x1033, 0x0194, 0x0c0330), device(0xffff, 0xffff, 0xffffff),
                               device(0x8086, 0x3b2f, 0)};
  for (const PciMatch& match : profile.pci)
    for (const PciDevice& device : devices) match.matches(device);
  UsbDevice usb;
  usb.vendor = 0x8087;
  for (const UsbMatch& match : profile.usb) match.matches(usb);
  const DmiIdentity identity = {{DmiField::kSysVendor, "LENOVO"},
                                {DmiField::kProductVersion, "ThinkPad T510"}};
  dmi_matches(profile.dmi, identity);
  for (const char* release : {"6.1.0-27-amd64", "2.6.32-5-amd64", "", "x"}) {
    profile.kernel.contains(release);
    for (const ModuleRef& module : profile.actions.unload_modules) module.kernel.contains(release);
  }
  profile.kernel.describe();
  for (SleepType type : kAllSleepTypes) profile.applies_to(type);
  for (const std::string* text : {&profile.id, &profile.description, &profile.origin}) {
    require(invalid_utf8_offset(escape_for_terminal(*text)) == std::string::npos);
    require(invalid_utf8_offset(to_valid_utf8(*text)) == std::string::npos);
    if (parsed) require(invalid_utf8_offset(*text) == std::string::npos);
  }
  if (parsed)
    for (const auto& [field, pattern] : profile.dmi)
      require(invalid_utf8_offset(pattern) == std::string::npos);
  for (const ModuleRef& module : profile.actions.unload_modules)
    require(is_valid_module_name(module.name));
}

/// An error message is printed: it must survive escape_for_terminal() and stay one line.
inline void exercise(const ProfileError& error) {
  const std::string line = escape_for_terminal(error.what());
  require(line.find('\n') == std::string::npos);
  require(invalid_utf8_offset(line) == std::string::npos);
}

}  // namespace suspendfix::fuzz
