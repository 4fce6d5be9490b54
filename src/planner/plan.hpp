// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <set>
#include <string>
#include <vector>

#include "profiles/profile.hpp"

namespace suspendfix {

/// What the hook will do with one module before sleep.
enum class Decision {
  kUnload,     // will be unloaded, and loaded again after wake
  kNotLoaded,  // nothing to do
  kBuiltin,    // cannot be unloaded
  kRefused,    // must not be unloaded (safety); see PlannedModule::note
};
const char* decision_name(Decision decision);

struct PlannedModule {
  std::string name;
  Decision decision = Decision::kUnload;
  std::string why;   // why it is in the plan: "bound to 0000:0f:00.0 (driver xhci_hcd)"
  std::string note;  // why it is skipped or refused, or a caution ("in use, refcount 1")
  std::vector<std::string> profiles;  // ids of the profiles that asked, sorted
  /// Every device this module drives: unloading it unbinds them all, not just the matched one.
  std::vector<std::string> devices;
};

/// The ordered work of `pre`: holders come before the modules they hold. `post` reloads the
/// modules actually unloaded, in reverse order.
/// What the hook will do with one matched PCI device before sleep: unbind it from its driver
/// (bound again after wake) or remove it from the bus (the bus is rescanned after wake). Used
/// where a module cannot or should not go: built in, always in use, or shared with devices that
/// must stay.
struct PlannedDevice {
  std::string slot;    // "0000:01:00.0"
  std::string driver;  // the driver to unbind from and bind back to
  DeviceAction action = DeviceAction::kUnbind;
  Decision decision = Decision::kUnload;  // kUnload: do it; kRefused: see note; kNotLoaded: unbound
  std::string why;
  std::string note;
  std::vector<std::string> profiles;
};
const char* device_action_verb(DeviceAction action);

struct Plan {
  SleepType sleep = SleepType::kSuspend;
  std::vector<PlannedDevice> devices;  // done first, undone last
  std::vector<PlannedModule> modules;

  size_t count(Decision decision) const;  // modules and devices
  bool empty() const { return devices.empty() && modules.empty(); }
};

class Protection;

/// What the administrator and the safety rules add to the profiles.
struct PlanOptions {
  std::vector<std::string> extra_modules;   // config: unload these too
  std::set<std::string> disabled_profiles;  // config: profile ids to ignore
  /// What may never be unloaded, unbound or removed (planner/protection.hpp); null: nothing.
  Protection* protection = nullptr;
};

}  // namespace suspendfix
