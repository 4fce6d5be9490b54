// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "hardware/system_facts.hpp"
#include "sleep/sleep_type.hpp"

namespace suspendfix {

/// What may never be unloaded, unbound or removed before sleep, whatever a profile or the
/// configuration asks. This is the one place that decides it. The rules, first match wins:
///   1. the administrator's keep_modules;
///   2. the built-in list: storage and filesystem drivers (builtin_protected_modules());
///   3. storage in use: every driver and device between a mounted filesystem or an active swap
///      area and the machine (a USB disk on the NEC controller protects xhci_pci and the NEC);
///   4. platform rules: thunderbolt on AMD machines that suspend to idle.
/// The planner asks about each module and device it would touch; the system (SystemFacts) is
/// read at the first question that rules 3 and 4 must answer, and only once.
class Protection {
 public:
  /// `keep_modules` are normalised module names; `facts` may be null, for no system at all
  /// (then rules 3 and 4 protect nothing). `facts` must outlive this.
  Protection(std::vector<std::string> keep_modules, SleepType sleep, SystemFacts* facts);

  /// Why this module must stay loaded; "" when nothing protects it.
  std::string module_reason(const std::string& module);
  /// Why the device at this sysfs path must stay bound and on its bus; "" when nothing does.
  std::string device_reason(const std::string& syspath);

 private:
  void read_storage();

  std::vector<std::string> keep_modules_;
  SleepType sleep_;
  SystemFacts* facts_;
  bool storage_read_ = false;
  std::map<std::string, std::string> storage_modules_;  // module -> reason
  std::map<std::string, std::string> storage_devices_;  // sysfs path -> reason
  std::optional<PlatformFacts> platform_;
};

/// Rule 2: modules whose loss would take the machine's storage away during sleep: disk
/// controllers, block and filesystem drivers, each with its reason.
const std::map<std::string, std::string>& builtin_protected_modules();

}  // namespace suspendfix
