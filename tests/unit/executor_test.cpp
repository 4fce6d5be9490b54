// SPDX-License-Identifier: GPL-2.0-or-later
#include "executor.hpp"

#include <gtest/gtest.h>

#include "fakes/fake_device_backend.hpp"
#include "fakes/fake_module_backend.hpp"
#include "unit/test_dir.hpp"

namespace suspendfix {
namespace {

using testing::TestDir;

constexpr char kBoot[] = "0c1f3b0e-6a4d-4f5e-9c2b-7d8e9f0a1b2c";

FakeModuleBackend xhci_chain() {
  FakeModuleBackend modules;
  modules.add("usb_common", true).add("usbcore", true, {"usb_common"});
  modules.add("xhci_hcd", true, {"usbcore"}).add("xhci_pci", true, {"xhci_hcd", "usbcore"});
  modules.add("e1000e", true).add("ahci", false).builtin("ahci");
  return modules;
}

PlannedModule planned(const std::string& name, Decision decision = Decision::kUnload) {
  PlannedModule module;
  module.name = name;
  module.decision = decision;
  module.why = "test";
  module.profiles = {"nec"};
  if (decision == Decision::kBuiltin) module.note = "built into the kernel, cannot be unloaded";
  return module;
}

Plan plan(std::vector<PlannedModule> modules) {
  Plan out;
  out.modules = std::move(modules);
  return out;
}

class ExecutorTest : public ::testing::Test {
 protected:
  ExecutorTest() : store_(dir_.path() / "run") {
    store_.lock(std::chrono::steady_clock::now() + std::chrono::seconds(5));
    options_.wait = [this](std::chrono::milliseconds duration) { waited_ += duration; };
    options_.unix_time = [] { return int64_t{1000}; };
    options_.boot_id = kBoot;
  }
  std::vector<std::string> recorded() {
    std::vector<std::string> out;
    for (const StateRecord& record : store_.read().records)
      out.push_back(record.object.empty() ? record.verbatim : record.object);
    return out;
  }
  /// Replaces the state file with a header and body, as a damaged or older file would be.
  void state_text(const std::string& body) {
    dir_.write("run/state", "# suspendfix state 2\n" + body);
  }
  TestDir dir_;
  FakeDeviceBackend devices_;
  StateStore store_;
  ExecutorOptions options_;
  std::chrono::milliseconds waited_{0};
};

TEST_F(ExecutorTest, PreUnloadsInOrderAndPostLoadsBackInReverse) {
  auto modules = xhci_chain();
  run_pre(plan({planned("xhci_pci"), planned("xhci_hcd")}), "pre suspend", {modules, devices_},
          store_, options_);
  EXPECT_EQ(modules.calls, (std::vector<std::string>{"unload xhci_pci", "unload xhci_hcd"}));
  EXPECT_FALSE(modules.loaded("xhci_pci"));
  EXPECT_FALSE(modules.loaded("xhci_hcd"));
  EXPECT_EQ(recorded(), (std::vector<std::string>{"xhci_pci", "xhci_hcd"}));

  modules.calls.clear();
  const auto results = run_post("post suspend", {modules, devices_}, store_, options_);
  EXPECT_EQ(modules.calls, (std::vector<std::string>{"load xhci_hcd", "load xhci_pci"}));
  EXPECT_TRUE(modules.loaded("xhci_pci"));
  EXPECT_TRUE(recorded().empty());
  EXPECT_EQ(results.size(), 2u);
}

TEST_F(ExecutorTest, SkippedDecisionsTouchNothing) {
  auto modules = xhci_chain();
  const auto results =
      run_pre(plan({planned("ahci", Decision::kBuiltin), planned("r8169", Decision::kNotLoaded),
                    planned("nvme", Decision::kRefused)}),
              "pre suspend", {modules, devices_}, store_, options_);
  EXPECT_TRUE(modules.calls.empty());
  EXPECT_TRUE(recorded().empty());
  ASSERT_EQ(results.size(), 3u);
  EXPECT_EQ(results[0].outcome, ActionResult::Outcome::kSkipped);
}

TEST_F(ExecutorTest, BusyModuleIsRetriedBoundedThenSkippedAndTheOthersStillRun) {
  auto modules = xhci_chain();
  modules.in_use("e1000e", 1);
  options_.busy_retry = std::chrono::milliseconds(200);
  const auto results = run_pre(plan({planned("e1000e"), planned("xhci_pci")}), "pre suspend",
                               {modules, devices_}, store_, options_);
  ASSERT_EQ(results.size(), 2u);
  EXPECT_EQ(results[0].outcome, ActionResult::Outcome::kFailed);
  EXPECT_EQ(results[0].reason, "Resource temporarily unavailable");
  EXPECT_EQ(results[1].outcome, ActionResult::Outcome::kDone);
  const auto tries = std::count(modules.calls.begin(), modules.calls.end(), "unload e1000e");
  EXPECT_GT(tries, 1) << "retried";
  EXPECT_LT(tries, 10) << "bounded";
  EXPECT_LE(waited_, std::chrono::milliseconds(200));
  EXPECT_EQ(recorded(), (std::vector<std::string>{"xhci_pci"})) << "the failed one is not recorded";
}

TEST_F(ExecutorTest, TransientBusyEventuallySucceeds) {
  auto modules = xhci_chain();
  modules.fail_unload("e1000e", EAGAIN, 2);
  const auto results =
      run_pre(plan({planned("e1000e")}), "pre suspend", {modules, devices_}, store_, options_);
  EXPECT_EQ(results[0].outcome, ActionResult::Outcome::kDone);
  EXPECT_EQ(std::count(modules.calls.begin(), modules.calls.end(), "unload e1000e"), 3);
}

TEST_F(ExecutorTest, OtherErrorsAreNotRetried) {
  auto modules = xhci_chain();
  modules.fail_unload("e1000e", EPERM);
  const auto results =
      run_pre(plan({planned("e1000e")}), "pre suspend", {modules, devices_}, store_, options_);
  EXPECT_EQ(results[0].outcome, ActionResult::Outcome::kFailed);
  EXPECT_EQ(modules.calls, (std::vector<std::string>{"unload e1000e"}));
  EXPECT_EQ(waited_.count(), 0);
}

TEST_F(ExecutorTest, ModuleWhoseHolderStayedIsSkippedWithoutRetrying) {
  auto modules = xhci_chain();
  modules.fail_unload("xhci_pci", EPERM);
  const auto results = run_pre(plan({planned("xhci_pci"), planned("xhci_hcd")}), "pre suspend",
                               {modules, devices_}, store_, options_);
  EXPECT_EQ(results[1].outcome, ActionResult::Outcome::kSkipped);
  EXPECT_EQ(results[1].reason, "still held by 'xhci_pci', left loaded");
  EXPECT_EQ(modules.calls, (std::vector<std::string>{"unload xhci_pci"}));
}

TEST_F(ExecutorTest, ModuleThatVanishedIsNothingToDo) {
  auto modules = xhci_chain();
  modules.add("e1000e", false);
  const auto results =
      run_pre(plan({planned("e1000e")}), "pre suspend", {modules, devices_}, store_, options_);
  EXPECT_EQ(results[0].outcome, ActionResult::Outcome::kSkipped);
  EXPECT_TRUE(recorded().empty());
}

TEST_F(ExecutorTest, FailedReloadStaysRecordedForRestore) {
  auto modules = xhci_chain();
  run_pre(plan({planned("xhci_pci"), planned("e1000e")}), "pre suspend", {modules, devices_},
          store_, options_);
  modules.fail_load("xhci_pci", ENODEV, 1);
  const auto results = run_post("post suspend", {modules, devices_}, store_, options_);
  EXPECT_EQ(results[0].outcome, ActionResult::Outcome::kDone);    // e1000e, last in, first back
  EXPECT_EQ(results[1].outcome, ActionResult::Outcome::kFailed);  // xhci_pci
  EXPECT_EQ(recorded(), (std::vector<std::string>{"xhci_pci"}));
  // restore is the same run again; the failure was transient.
  run_post("restore", {modules, devices_}, store_, options_);
  EXPECT_TRUE(recorded().empty());
  EXPECT_TRUE(modules.loaded("xhci_pci"));
}

TEST_F(ExecutorTest, PostWithoutPreDoesNothing) {
  auto modules = xhci_chain();
  EXPECT_TRUE(run_post("post suspend", {modules, devices_}, store_, options_).empty());
  EXPECT_TRUE(modules.calls.empty());
}

TEST_F(ExecutorTest, SecondPreKeepsTheFirstRecordsAndUnloadsNothingTwice) {
  auto modules = xhci_chain();
  run_pre(plan({planned("xhci_pci")}), "pre suspend", {modules, devices_}, store_, options_);
  // The same pre again (two hook systems, or a retried suspend): the planner now sees it not
  // loaded, but even a stale plan must not double the record.
  run_pre(plan({planned("xhci_pci"), planned("e1000e")}), "pre suspend", {modules, devices_},
          store_, options_);
  EXPECT_EQ(std::count(modules.calls.begin(), modules.calls.end(), "unload xhci_pci"), 1);
  EXPECT_EQ(recorded(), (std::vector<std::string>{"xhci_pci", "e1000e"}));
}

TEST_F(ExecutorTest, OutOfTimeSkipsWhatIsLeft) {
  auto modules = xhci_chain();
  options_.deadline = std::chrono::steady_clock::now();
  const auto results =
      run_pre(plan({planned("e1000e")}), "pre suspend", {modules, devices_}, store_, options_);
  EXPECT_EQ(results[0].reason, "out of time (timeout_seconds), left loaded");
  EXPECT_TRUE(modules.calls.empty());
}

TEST_F(ExecutorTest, DryRunChangesNothing) {
  auto modules = xhci_chain();
  options_.dry_run = true;
  run_pre(plan({planned("xhci_pci")}), "pre suspend", {modules, devices_}, store_, options_);
  EXPECT_TRUE(modules.calls.empty());
  EXPECT_TRUE(recorded().empty());
}

}  // namespace
}  // namespace suspendfix

namespace suspendfix {
namespace {

PlannedDevice device_step(const std::string& slot, const std::string& driver, DeviceAction action) {
  PlannedDevice device;
  device.slot = slot;
  device.driver = driver;
  device.action = action;
  device.why = "the profile asks to";
  device.profiles = {"mt7921"};
  return device;
}

/// A plan with one device step and no module.
Plan device_plan(const std::string& slot, const std::string& driver, DeviceAction action) {
  Plan work;
  work.devices = {device_step(slot, driver, action)};
  return work;
}

TEST_F(ExecutorTest, UnbindBeforeUnloadAndBindBackAfterLoading) {
  auto modules = xhci_chain();
  devices_.add("0000:01:00.0", "brcmfmac");
  Plan work = plan({planned("e1000e")});
  work.devices = {device_step("0000:01:00.0", "brcmfmac", DeviceAction::kUnbind)};
  run_pre(work, "pre suspend", {modules, devices_}, store_, options_);
  EXPECT_EQ(devices_.calls, (std::vector<std::string>{"unbind 0000:01:00.0 brcmfmac"}));
  EXPECT_EQ(recorded(), (std::vector<std::string>{"0000:01:00.0", "e1000e"}));
  run_post("post suspend", {modules, devices_}, store_, options_);
  EXPECT_EQ(modules.calls.back(), "load e1000e");
  EXPECT_EQ(devices_.calls.back(), "bind 0000:01:00.0 brcmfmac");
  EXPECT_EQ(devices_.bound_driver("0000:01:00.0"), "brcmfmac");
  EXPECT_TRUE(recorded().empty());
}

TEST_F(ExecutorTest, RemoveAndRescan) {
  auto modules = xhci_chain();
  devices_.add("0000:01:00.0", "mt7921e");
  const Plan work = device_plan("0000:01:00.0", "mt7921e", DeviceAction::kRemove);
  run_pre(work, "pre suspend", {modules, devices_}, store_, options_);
  EXPECT_FALSE(devices_.present("0000:01:00.0"));
  run_post("post suspend", {modules, devices_}, store_, options_);
  EXPECT_EQ(devices_.calls, (std::vector<std::string>{"remove 0000:01:00.0", "rescan"}));
  EXPECT_TRUE(devices_.present("0000:01:00.0"));
  EXPECT_TRUE(recorded().empty());
}

TEST_F(ExecutorTest, DeviceThatDoesNotComeBackStaysRecordedForRestore) {
  auto modules = xhci_chain();
  devices_.add("0000:01:00.0", "mt7921e");
  devices_.lose_on_rescan("0000:01:00.0");
  const Plan work = device_plan("0000:01:00.0", "mt7921e", DeviceAction::kRemove);
  run_pre(work, "pre suspend", {modules, devices_}, store_, options_);
  const auto results = run_post("post suspend", {modules, devices_}, store_, options_);
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].outcome, ActionResult::Outcome::kFailed);
  EXPECT_EQ(results[0].reason, "it did not come back after a rescan of the PCI bus");
  EXPECT_EQ(recorded(), (std::vector<std::string>{"0000:01:00.0"}));
  // The device shows up later (a slow link): restore finds it.
  devices_.add("0000:01:00.0", "mt7921e");
  run_post("restore", {modules, devices_}, store_, options_);
  EXPECT_TRUE(recorded().empty());
}

TEST_F(ExecutorTest, DeviceAlreadyBoundByTheReloadedModuleNeedsNoBind) {
  auto modules = xhci_chain();
  devices_.add("0000:0f:00.0", "xhci_hcd");
  const Plan work = device_plan("0000:0f:00.0", "xhci_hcd", DeviceAction::kUnbind);
  run_pre(work, "pre suspend", {modules, devices_}, store_, options_);
  devices_.add("0000:0f:00.0", "xhci_hcd");  // bound again by a module load meanwhile
  run_post("post suspend", {modules, devices_}, store_, options_);
  EXPECT_EQ(devices_.calls, (std::vector<std::string>{"unbind 0000:0f:00.0 xhci_hcd"}));
  EXPECT_TRUE(recorded().empty());
}

TEST_F(ExecutorTest, RefusedBindStaysRecorded) {
  auto modules = xhci_chain();
  devices_.add("0000:01:00.0", "brcmfmac");
  devices_.refuse_bind("0000:01:00.0");
  const Plan work = device_plan("0000:01:00.0", "brcmfmac", DeviceAction::kUnbind);
  run_pre(work, "pre suspend", {modules, devices_}, store_, options_);
  const auto results = run_post("post suspend", {modules, devices_}, store_, options_);
  EXPECT_EQ(results[0].outcome, ActionResult::Outcome::kFailed);
  EXPECT_EQ(recorded(), (std::vector<std::string>{"0000:01:00.0"}));
}

TEST_F(ExecutorTest, RefusedAndUnboundDevicesAreNotTouched) {
  auto modules = xhci_chain();
  devices_.add("0000:01:00.0", "");
  Plan work = plan({});
  work.devices = {device_step("0000:01:00.0", "brcmfmac", DeviceAction::kUnbind),
                  device_step("0000:02:00.0", "nvme", DeviceAction::kRemove)};
  work.devices[1].decision = Decision::kRefused;
  work.devices[1].note = "protected";
  const auto results = run_pre(work, "pre suspend", {modules, devices_}, store_, options_);
  EXPECT_TRUE(devices_.calls.empty());
  EXPECT_EQ(results[0].reason, "no longer bound to 'brcmfmac'");
  EXPECT_EQ(results[1].reason, "protected");
}

}  // namespace
}  // namespace suspendfix
