// SPDX-License-Identifier: GPL-2.0-or-later
#include "planner/planner.hpp"

#include <gtest/gtest.h>
#include <sys/sysmacros.h>

#include "fakes/fake_module_backend.hpp"
#include "fakes/fake_system_facts.hpp"
#include "fakes/machines.hpp"
#include "profiles/profile_parser.hpp"

namespace suspendfix {
namespace {

using testing::lenovo_with_nec;

/// The 6.1 chain of the NEC controller: xhci_pci -> xhci_hcd -> usbcore -> usb_common.
FakeModuleBackend linux_6_1() {
  FakeModuleBackend modules;
  modules.add("usb_common", true).add("usbcore", true, {"usb_common"});
  modules.add("xhci_hcd", true, {"usbcore", "usb_common"})
      .add("xhci_pci", true, {"xhci_hcd", "usbcore"});
  modules.add("e1000e", true).add("iwlwifi", true).add("iwlmvm", true, {"iwlwifi"});
  modules.add("ahci", false).builtin("ahci");
  return modules;
}

const char* const kSeed = R"(id: nec
description: d
sources: [s]
match: {pci: [{vendor: "1033", device: "0194"}]}
actions:
  unload_bound_module: true
  unload_modules:
    - {name: xhci, kernel: {before: "2.6.35"}}
    - {name: xhci_hcd, kernel: {from: "2.6.35"}}
)";

struct Fixture {
  explicit Fixture(std::vector<std::string> texts, Machine m = lenovo_with_nec())
      : machine(std::move(m)) {
    for (const auto& text : texts) profiles.push_back(parse_profile(text, "p.yaml", nullptr));
    matches = ProfileIndex(profiles).match(machine);
  }
  Plan plan(ModuleInspector& modules, const PlanOptions& options = {},
            SleepType sleep = SleepType::kSuspend) {
    return make_plan(machine, matches, sleep, modules, options);
  }
  /// A suspend plan with the never-unload rules on, reading the system through facts.
  Plan protected_plan(ModuleInspector& modules, SystemFacts* facts) {
    Protection protection({}, SleepType::kSuspend, facts);
    PlanOptions options;
    options.protection = &protection;
    return plan(modules, options);
  }
  Machine machine;
  std::vector<Profile> profiles;
  std::vector<ProfileMatch> matches;
};

std::vector<std::string> summary(const Plan& plan) {
  std::vector<std::string> out;
  for (const PlannedModule& module : plan.modules)
    out.push_back(std::string(decision_name(module.decision)) + " " + module.name);
  return out;
}

TEST(Planner, UnloadsTheBoundModuleBeforeWhatItHolds) {
  auto modules = linux_6_1();
  Fixture fixture({kSeed});
  const Plan plan = fixture.plan(modules);
  EXPECT_EQ(summary(plan), (std::vector<std::string>{"unload xhci_pci", "unload xhci_hcd"}));
  EXPECT_EQ(plan.modules[0].why, "bound to 0000:0f:00.0 (driver xhci_hcd)");
  EXPECT_EQ(plan.modules[0].profiles, (std::vector<std::string>{"nec"}));
  EXPECT_EQ(plan.modules[1].why, "named by the profile");
}

TEST(Planner, OldKernelUsesTheOldModuleName) {
  FakeModuleBackend modules;
  modules.add("xhci", true);
  Machine machine = lenovo_with_nec("2.6.32-5-amd64");
  machine.pci[1].module = "xhci";
  Fixture fixture({kSeed}, machine);
  EXPECT_EQ(summary(fixture.plan(modules)), (std::vector<std::string>{"unload xhci"}));
}

TEST(Planner, AddsHoldersFirstAndSaysWhy) {
  auto modules = linux_6_1();
  Fixture fixture({R"(id: wifi
description: d
sources: [s]
match: {dmi: {sys_vendor: "LENOVO"}}
actions: {unload_modules: [iwlwifi]}
)"});
  const Plan plan = fixture.plan(modules);
  EXPECT_EQ(summary(plan), (std::vector<std::string>{"unload iwlmvm", "unload iwlwifi"}));
  EXPECT_EQ(plan.modules[0].why, "holds 'iwlwifi'");
  EXPECT_TRUE(plan.modules[0].profiles.empty());
}

TEST(Planner, BuiltinAndAbsentModulesAreSkippedWithAReason) {
  auto modules = linux_6_1();
  Fixture fixture({R"(id: x
description: d
sources: [s]
match: {dmi: {sys_vendor: "LENOVO"}}
actions: {unload_modules: [r8169, ahci]}
)"});
  PlanOptions options;  // without the storage protection, ahci is reported as built in
  const Plan plan = fixture.plan(modules, options);
  EXPECT_EQ(summary(plan), (std::vector<std::string>{"not-loaded r8169", "builtin ahci"}));
  EXPECT_EQ(plan.modules[1].note, "built into the kernel, cannot be unloaded");
  EXPECT_EQ(plan.count(Decision::kUnload), 0u);
}

TEST(Planner, RefusesProtectedModulesAndWhatTheyHold) {
  auto modules = linux_6_1();
  Fixture fixture({R"(id: x
description: d
sources: [s]
match: {dmi: {sys_vendor: "LENOVO"}}
actions: {unload_modules: [usbcore, e1000e]}
)"});
  FakeSystemFacts facts;
  facts.use(makedev(8, 17), "/home", "ext4", {{"sd_mod", "usb_storage", "xhci_pci"}, {}});
  const Plan plan = fixture.protected_plan(modules, &facts);
  EXPECT_EQ(summary(plan), (std::vector<std::string>{"refused usbcore", "unload e1000e"}));
  EXPECT_EQ(plan.modules[0].note, "'xhci_pci' is protected: needed by the filesystem on /home");
}

TEST(Planner, BuiltinProtectionCoversStorage) {
  auto modules = linux_6_1();
  modules.add("nvme", true);
  Fixture fixture({R"(id: x
description: d
sources: [s]
match: {dmi: {sys_vendor: "LENOVO"}}
actions: {unload_modules: [nvme]}
)"});
  const Plan plan = fixture.protected_plan(modules, nullptr);
  EXPECT_EQ(summary(plan), (std::vector<std::string>{"refused nvme"}));
}

TEST(Planner, ModuleInUseIsPlannedWithACaution) {
  auto modules = linux_6_1();
  modules.in_use("e1000e", 1);
  Fixture fixture({R"(id: x
description: d
sources: [s]
match: {dmi: {sys_vendor: "LENOVO"}}
actions: {unload_modules: [e1000e]}
)"});
  const Plan plan = fixture.plan(modules);
  EXPECT_EQ(summary(plan), (std::vector<std::string>{"unload e1000e"}));
  EXPECT_NE(plan.modules[0].note.find("in use (refcount 1)"), std::string::npos);
}

TEST(Planner, SleepTypeDisabledProfilesAndNearMissesDoNothing) {
  auto modules = linux_6_1();
  const std::string hibernate_only = std::string(kSeed) + "sleep: [hibernate]\n";
  Fixture fixture({hibernate_only});
  EXPECT_TRUE(fixture.plan(modules).modules.empty());
  EXPECT_EQ(fixture.plan(modules, {}, SleepType::kHibernate).count(Decision::kUnload), 2u);
  PlanOptions disabled;
  disabled.disabled_profiles = {"nec"};
  EXPECT_TRUE(fixture.plan(modules, disabled, SleepType::kHibernate).modules.empty());

  Fixture near_miss({std::string(kSeed) + "# kernel\n"}, lenovo_with_nec());
  near_miss.matches[0].applies = false;
  EXPECT_TRUE(near_miss.plan(modules).modules.empty());
}

TEST(Planner, ConfigurationModulesJoinAndDuplicatesMerge) {
  auto modules = linux_6_1();
  Fixture fixture({kSeed, R"(id: second
description: d
sources: [s]
match: {pci: [{vendor: "1033"}]}
actions: {unload_bound_module: true}
)"});
  PlanOptions options;
  options.extra_modules = {"e1000e", "xhci-pci"};
  const Plan plan = fixture.plan(modules, options);
  EXPECT_EQ(summary(plan),
            (std::vector<std::string>{"unload xhci_pci", "unload xhci_hcd", "unload e1000e"}));
  EXPECT_EQ(plan.modules[0].profiles, (std::vector<std::string>{"nec", "second"}));
  EXPECT_EQ(plan.modules[2].why, "named in the configuration");
}

TEST(Planner, UnboundDeviceContributesNoModule) {
  auto modules = linux_6_1();
  Machine machine = lenovo_with_nec();
  machine.pci[1].driver.clear();
  machine.pci[1].module.clear();
  Fixture fixture({kSeed}, machine);
  EXPECT_EQ(summary(fixture.plan(modules)),
            (std::vector<std::string>{"unload xhci_pci", "unload xhci_hcd"}))
      << "xhci_hcd is still named, and xhci_pci holds it";
}

}  // namespace
}  // namespace suspendfix

namespace suspendfix {
namespace {

TEST(Planner, ListsEveryDeviceTheModuleDrives) {
  auto modules = linux_6_1();
  Machine machine = lenovo_with_nec();
  PciDevice intel_xhci = machine.pci[1];
  intel_xhci.slot = "0000:00:14.0";
  intel_xhci.vendor = 0x8086;
  intel_xhci.device = 0xa36d;
  machine.pci.push_back(intel_xhci);
  Fixture fixture({kSeed}, machine);
  const Plan plan = fixture.plan(modules);
  ASSERT_EQ(plan.modules[0].name, "xhci_pci");
  EXPECT_EQ(plan.modules[0].devices, (std::vector<std::string>{"0000:0f:00.0", "0000:00:14.0"}))
      << "unloading xhci_pci takes the Intel controller too";
}

}  // namespace
}  // namespace suspendfix

namespace suspendfix {
namespace {

std::vector<std::string> device_summary(const Plan& plan) {
  std::vector<std::string> out;
  for (const PlannedDevice& device : plan.devices)
    out.push_back(std::string(decision_name(device.decision)) + " " +
                  device_action_verb(device.action) + " " + device.slot);
  return out;
}

const char* const kUnbindNec = R"(id: nec-unbind
description: d
sources: [s]
match: {pci: [{vendor: "1033", device: "0194"}]}
actions: {device: unbind}
)";

TEST(PlannerDevices, ProfileDeviceActionIsPlannedAlone) {
  auto modules = linux_6_1();
  Fixture fixture({kUnbindNec});
  const Plan plan = fixture.plan(modules);
  EXPECT_TRUE(plan.modules.empty());
  EXPECT_EQ(device_summary(plan), (std::vector<std::string>{"unload unbind 0000:0f:00.0"}));
  EXPECT_EQ(plan.devices[0].driver, "xhci_hcd");
  EXPECT_EQ(plan.devices[0].why, "the profile asks to unbind it");
}

const char* const kFallback = R"(id: nec-fallback
description: d
sources: [s]
match: {pci: [{vendor: "1033", device: "0194"}]}
actions: {unload_bound_module: true, fallback: remove}
)";

TEST(PlannerDevices, FallbackOnlyWhenTheModuleCannotGo) {
  auto modules = linux_6_1();
  Fixture fixture({kFallback});
  EXPECT_TRUE(fixture.plan(modules).devices.empty()) << "xhci_pci can be unloaded: no fallback";

  modules.builtin("xhci_pci");
  const Plan builtin = fixture.plan(modules);
  EXPECT_EQ(device_summary(builtin), (std::vector<std::string>{"unload remove 0000:0f:00.0"}));
  EXPECT_EQ(builtin.devices[0].why, "fallback, as 'xhci_pci' is built into the kernel");
}

TEST(PlannerDevices, FallbackForAModuleAlwaysInUse) {
  auto modules = linux_6_1();
  modules.in_use("xhci_pci", 2);
  Fixture fixture({kFallback});
  const Plan plan = fixture.plan(modules);
  EXPECT_EQ(device_summary(plan), (std::vector<std::string>{"unload remove 0000:0f:00.0"}));
  EXPECT_EQ(plan.devices[0].why, "fallback, as 'xhci_pci' is in use (refcount 2)");
}

TEST(PlannerDevices, ProtectedDeviceIsRefused) {
  auto modules = linux_6_1();
  Fixture fixture({kUnbindNec});
  FakeSystemFacts facts;
  facts.use(makedev(8, 17), "/media/usb", "vfat", {{"usb_storage", "xhci_pci"}, {}});
  const Plan plan = fixture.protected_plan(modules, &facts);
  EXPECT_EQ(device_summary(plan), (std::vector<std::string>{"refused unbind 0000:0f:00.0"}));
  EXPECT_EQ(plan.devices[0].note,
            "its driver's module 'xhci_pci' is protected: needed by the filesystem on /media/usb");
}

TEST(PlannerDevices, DeviceOnTheWayToADiskIsRefusedWhateverItsDriver) {
  // A built-in driver cannot be protected by its module name: the device itself is.
  auto modules = linux_6_1();
  Machine machine = lenovo_with_nec();
  machine.pci[1].syspath = "/sys/devices/pci0000:00/0000:00:1c.3/0000:0f:00.0";
  machine.pci[1].module.clear();
  Fixture fixture({kUnbindNec}, machine);
  FakeSystemFacts facts;
  facts.use(makedev(8, 1), "swap /dev/sda1", "", {{}, {machine.pci[1].syspath}});
  const Plan plan = fixture.protected_plan(modules, &facts);
  EXPECT_EQ(device_summary(plan), (std::vector<std::string>{"refused unbind 0000:0f:00.0"}));
  EXPECT_EQ(plan.devices[0].note,
            "0000:0f:00.0 is protected: needed by swap /dev/sda1 (swap in use; hibernation "
            "writes its image there)");
}

}  // namespace
}  // namespace suspendfix
