// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <map>
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
struct Plan {
  SleepType sleep = SleepType::kSuspend;
  std::vector<PlannedModule> modules;

  size_t count(Decision decision) const;
};

/// What the administrator and the safety analysis add to the profiles.
struct PlanOptions {
  std::vector<std::string> extra_modules;  // config: unload these too
  std::set<std::string> disabled_profiles;  // config: profile ids to ignore
  /// Modules that must never be unloaded, with the reason (storage, mounted filesystems,
  /// administrator's keep list).
  std::map<std::string, std::string> protected_modules;
};

}  // namespace suspendfix
