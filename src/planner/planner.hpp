// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <vector>

#include "hardware/device.hpp"
#include "modules/module_backend.hpp"
#include "planner/matcher.hpp"
#include "planner/plan.hpp"

namespace suspendfix {

/// Turns matches into the ordered list of modules to unload. Pure apart from reading module
/// state through the inspector, so every rule here is unit-tested with a fake.
Plan make_plan(const Machine& machine, const std::vector<ProfileMatch>& matches, SleepType sleep,
               ModuleInspector& modules, const PlanOptions& options);

/// Modules whose loss would take the machine's storage away during sleep, whatever a profile
/// says: disk controllers, block and filesystem drivers.
const std::map<std::string, std::string>& builtin_protected_modules();

}  // namespace suspendfix
