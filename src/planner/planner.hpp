// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <vector>

#include "hardware/device.hpp"
#include "modules/module_backend.hpp"
#include "planner/matcher.hpp"
#include "planner/plan.hpp"
#include "planner/protection.hpp"

namespace suspendfix {

/// Turns matches into the ordered list of modules to unload. Pure apart from reading module
/// state through the inspector, so every rule here is unit-tested with a fake.
Plan make_plan(const Machine& machine, const std::vector<ProfileMatch>& matches, SleepType sleep,
               ModuleInspector& modules, const PlanOptions& options);

}  // namespace suspendfix
