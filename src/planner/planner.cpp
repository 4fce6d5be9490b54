// SPDX-License-Identifier: GPL-2.0-or-later
#include "planner/planner.hpp"

#include <algorithm>
#include <functional>
#include <map>
#include <set>

#include "enum_names.hpp"

namespace suspendfix {
namespace {

/// One module asked for, before ordering.
struct Request {
  std::string why;
  std::set<std::string> profiles;
};

class Planner {
 public:
  Planner(const Machine& machine, ModuleInspector& modules, const PlanOptions& options)
      : machine_(machine), modules_(modules), options_(options) {}

  void request(const std::string& name, const std::string& why, const std::string& profile) {
    auto [it, inserted] = requests_.emplace(name, Request{why, {}});
    if (inserted) order_.push_back(name);
    if (!profile.empty()) it->second.profiles.insert(profile);
  }

  const ModuleStatus& module_status(const std::string& name) { return status(name); }

  Plan finish(SleepType sleep) {
    Plan plan;
    plan.sleep = sleep;
    std::set<std::string> visited;
    for (const std::string& name : order_) visit(name, "", visited, plan);
    return plan;
  }

 private:
  const ModuleStatus& status(const std::string& name) {
    auto it = cache_.find(name);
    if (it == cache_.end()) it = cache_.emplace(name, modules_.status(name)).first;
    return it->second;
  }

  /// The first protected module among name and everything that holds it, with its reason.
  std::string protection(const std::string& name, std::set<std::string>& seen) {
    if (!seen.insert(name).second) return {};
    if (options_.protection) {
      if (const std::string why = options_.protection->module_reason(name); !why.empty())
        return "'" + name + "' is protected: " + why;
    }
    for (const std::string& holder : status(name).holders) {
      const std::string reason = protection(holder, seen);
      if (!reason.empty()) return reason;
    }
    return {};
  }

  /// Post-order over holders: every holder is placed before the module it holds, as
  /// `modprobe -r --remove-holders` removes them.
  void visit(const std::string& name, const std::string& held, std::set<std::string>& visited,
             Plan& plan) {
    if (!visited.insert(name).second) return;
    const ModuleStatus& state = status(name);
    PlannedModule planned;
    planned.name = name;
    for (const PciDevice& device : machine_.pci)
      if (device.module == name) planned.devices.push_back(device.slot);
    for (const UsbDevice& device : machine_.usb)
      if (device.module == name) planned.devices.push_back("usb " + device.name);
    if (const auto it = requests_.find(name); it != requests_.end()) {
      planned.why = it->second.why;
      planned.profiles.assign(it->second.profiles.begin(), it->second.profiles.end());
    } else {
      planned.why = "holds '" + held + "'";
    }
    std::set<std::string> seen;
    const std::string protected_reason = protection(name, seen);
    if (state.state == ModuleState::kBuiltin) {
      planned.decision = Decision::kBuiltin;
      planned.note = "built into the kernel, cannot be unloaded";
    } else if (state.state == ModuleState::kNotLoaded) {
      planned.decision = Decision::kNotLoaded;
      planned.note = "not loaded, nothing to do";
    } else if (!protected_reason.empty()) {
      planned.decision = Decision::kRefused;
      planned.note = protected_reason;
    } else {
      for (const std::string& holder : state.holders) visit(holder, name, visited, plan);
      if (state.refcount > static_cast<int>(state.holders.size()))
        planned.note = "in use (refcount " + std::to_string(state.refcount) +
                       "): the hook retries briefly, then leaves it loaded";
    }
    plan.modules.push_back(std::move(planned));
  }

  const Machine& machine_;
  ModuleInspector& modules_;
  const PlanOptions& options_;
  std::map<std::string, Request> requests_;
  std::vector<std::string> order_;
  std::map<std::string, ModuleStatus> cache_;
};

std::string device_label(const Machine& machine, const MatchedDevice& device) {
  if (device.bus == MatchedDevice::Bus::kPci) {
    const PciDevice& pci = machine.pci[device.index];
    return pci.slot + " (driver " + (pci.driver.empty() ? "none" : pci.driver) + ")";
  }
  const UsbDevice& usb = machine.usb[device.index];
  return "usb " + usb.name + " (driver " + (usb.driver.empty() ? "none" : usb.driver) + ")";
}

std::string bound_module(const Machine& machine, const MatchedDevice& device) {
  return device.bus == MatchedDevice::Bus::kPci ? machine.pci[device.index].module
                                                : machine.usb[device.index].module;
}

/// Why a matched device's module cannot simply be unloaded, "" when it can.
std::string unloadable_problem(const std::string& module, const ModuleStatus& status) {
  if (module.empty()) return "its driver has no module";
  if (status.state == ModuleState::kBuiltin) return "'" + module + "' is built into the kernel";
  if (status.refcount > static_cast<int>(status.holders.size()))
    return "'" + module + "' is in use (refcount " + std::to_string(status.refcount) + ")";
  return "";  // a refused module is no fallback case either: its device is refused below
}

/// Adds the device steps of one match: the profile's own device action, or its fallback
/// when the bound module cannot go.
void plan_devices(const Machine& machine, const ProfileMatch& match, Planner& planner,
                  const PlanOptions& options, std::vector<PlannedDevice>& devices) {
  const Profile& profile = *match.profile;
  for (const MatchedDevice& matched : match.devices) {
    if (matched.bus != MatchedDevice::Bus::kPci) continue;  // unbind/remove act on PCI functions
    const PciDevice& pci = machine.pci[matched.index];
    DeviceAction action = profile.actions.device;
    std::string why = std::string("the profile asks to ") + device_action_name(action) + " it";
    if (action == DeviceAction::kNone && profile.actions.fallback != DeviceAction::kNone &&
        profile.actions.unload_bound_module) {
      const std::string problem =
          pci.driver.empty() ? ""
                             : unloadable_problem(pci.module, planner.module_status(pci.module));
      if (problem.empty()) continue;
      action = profile.actions.fallback;
      why = "fallback, as " + problem;
    }
    if (action == DeviceAction::kNone) continue;
    auto existing = std::find_if(devices.begin(), devices.end(),
                                 [&](const PlannedDevice& d) { return d.slot == pci.slot; });
    if (existing != devices.end()) {
      if (std::find(existing->profiles.begin(), existing->profiles.end(), profile.id) ==
          existing->profiles.end())
        existing->profiles.push_back(profile.id);
      continue;
    }
    PlannedDevice device;
    device.slot = pci.slot;
    device.driver = pci.driver;
    device.action = action;
    device.why = why;
    device.profiles = {profile.id};
    // Its driver's module first: a device goes with it. Then the device itself, for a
    // built-in driver on the way to a disk in use.
    Protection* protection = options.protection;
    std::string why_not;
    if (protection && !pci.module.empty()) {
      if (const std::string why = protection->module_reason(pci.module); !why.empty())
        why_not = "its driver's module '" + pci.module + "' is protected: " + why;
    }
    if (protection && why_not.empty()) {
      if (const std::string why = protection->device_reason(pci.syspath); !why.empty())
        why_not = pci.slot + " is protected: " + why;
    }
    if (!why_not.empty()) {
      device.decision = Decision::kRefused;
      device.note = why_not;
    } else if (action == DeviceAction::kUnbind && pci.driver.empty()) {
      device.decision = Decision::kNotLoaded;
      device.note = "not bound to a driver, nothing to do";
    }
    devices.push_back(std::move(device));
  }
}

}  // namespace

constexpr EnumName<DeviceAction> kDeviceActionVerbs[] = {{DeviceAction::kNone, "leave"},
                                                         {DeviceAction::kUnbind, "unbind"},
                                                         {DeviceAction::kRemove, "remove"}};
const char* device_action_verb(DeviceAction action) { return name_of(kDeviceActionVerbs, action); }

constexpr EnumName<Decision> kDecisionNames[] = {
    {Decision::kUnload, "unload"},
    {Decision::kNotLoaded, "not-loaded"},
    {Decision::kBuiltin, "builtin"},
    {Decision::kRefused, "refused"},
};

const char* decision_name(Decision decision) { return name_of(kDecisionNames, decision); }

size_t Plan::count(Decision decision) const {
  return static_cast<size_t>(
      std::count_if(modules.begin(), modules.end(),
                    [&](const PlannedModule& m) { return m.decision == decision; }) +
      std::count_if(devices.begin(), devices.end(),
                    [&](const PlannedDevice& d) { return d.decision == decision; }));
}

Plan make_plan(const Machine& machine, const std::vector<ProfileMatch>& matches, SleepType sleep,
               ModuleInspector& modules, const PlanOptions& options) {
  Planner planner(machine, modules, options);
  for (const ProfileMatch& match : matches) {
    const Profile& profile = *match.profile;
    if (!match.applies || !profile.applies_to(sleep) || options.disabled_profiles.count(profile.id))
      continue;
    if (profile.actions.unload_bound_module) {
      for (const MatchedDevice& device : match.devices) {
        const std::string module = bound_module(machine, device);
        if (!module.empty())
          planner.request(module, "bound to " + device_label(machine, device), profile.id);
      }
    }
    for (const ModuleRef& module : profile.actions.unload_modules) {
      if (!module.kernel.contains(machine.kernel_release)) continue;
      planner.request(module.name, "named by the profile", profile.id);
    }
  }
  for (const std::string& name : options.extra_modules)
    planner.request(normalize_module_name(name), "named in the configuration", "");
  Plan plan = planner.finish(sleep);
  for (const ProfileMatch& match : matches) {
    if (!match.applies || !match.profile->applies_to(sleep) ||
        options.disabled_profiles.count(match.profile->id))
      continue;
    plan_devices(machine, match, planner, options, plan.devices);
  }
  return plan;
}

}  // namespace suspendfix
