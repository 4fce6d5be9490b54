// SPDX-License-Identifier: GPL-2.0-or-later
// The built binary as a sleep hook: real libudev (umockdev testbed) and real libkmod (fake
// kernel), with injected failures and the faults the hook must survive.
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <thread>

#include "integration/hook_fixture.hpp"

namespace suspendfix {
namespace {

TEST_F(HookTest, SystemdPreUnloadsTheBoundModuleAndPostLoadsItBack) {
  auto result = hook({"systemd-sleep", "pre", "suspend"});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(
      result.err.find("pre suspend: unloaded 'xhci_pci' (bound to 0000:0f:00.0 (driver xhci_hcd); "
                      "profile nec-upd720200-xhci)"),
      std::string::npos)
      << result.err;
  EXPECT_FALSE(kernel_->loaded("xhci_pci"));
  EXPECT_TRUE(kernel_->loaded("xhci_hcd")) << "on 6.1 only the bound module goes";
  EXPECT_NE(state().find("module xhci_pci - suspend "), std::string::npos);

  result = hook({"systemd-sleep", "post", "suspend"});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.err.find("post suspend: loaded 'xhci_pci'"), std::string::npos) << result.err;
  EXPECT_TRUE(kernel_->loaded("xhci_pci"));
  EXPECT_EQ(state(), "") << "nothing left recorded";
  EXPECT_EQ(kernel_->calls(), (std::vector<std::string>{"delete xhci_pci 0", "init xhci_pci 0"}));
}

/// A second profile, besides the shipped NEC one that run("hook") passes: for the e1000e at
/// 00:19.0, with `actions` (YAML). Returns its directory, for another --profiles.
std::string network_profile(const TestDir& dir, const std::string& actions) {
  dir.write("profiles/test/network.yaml",
            "id: test-network\n"
            "description: a second profile, for the wired network's device\n"
            "sources: [\"this test\"]\n"
            "match:\n  pci:\n    - {vendor: \"8086\", device: \"10ea\"}\n"
            "actions:\n  " +
                actions + "\n");
  return (dir.path() / "profiles").string();
}

TEST_F(HookTest, PostLoadsModulesThatShareNothingSideBySide) {
  // Two profiles of two devices: the NEC's (xhci_pci) and the wired network's (e1000e). The
  // modules need nothing of each other, so post loads them on two threads, each with a
  // libkmod context of its own.
  const std::string profiles = network_profile(dir_, "unload_bound_module: true");
  auto result = run("hook", {"--profiles", profiles, "systemd-sleep", "pre", "suspend"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  ASSERT_FALSE(kernel_->loaded("xhci_pci")) << result.err;
  ASSERT_FALSE(kernel_->loaded("e1000e")) << result.err;

  result = run("hook", {"--profiles", profiles, "systemd-sleep", "post", "suspend"});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.err.find("side by side (none depends on another)"), std::string::npos)
      << result.err;
  EXPECT_NE(result.err.find("post suspend: loaded 'xhci_pci'"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("post suspend: loaded 'e1000e'"), std::string::npos) << result.err;
  EXPECT_TRUE(kernel_->loaded("xhci_pci"));
  EXPECT_TRUE(kernel_->loaded("e1000e"));
  EXPECT_EQ(state(), "") << "nothing left recorded";
  EXPECT_EQ(count("init xhci_pci 0"), 1u);
  EXPECT_EQ(count("init e1000e 0 InterruptThrottleRate=1"), 1u) << "modprobe.d's options apply";
}

TEST_F(HookTest, PostLoadsAModuleAfterTheOneItNeedsEvenFromAnotherProfile) {
  // The second profile takes xhci_hcd, which xhci_pci (the NEC's) needs: libkmod's
  // modules.dep says so, and post loads them in turn, xhci_hcd first.
  const std::string profiles = network_profile(dir_, "unload_modules: [{name: xhci_hcd}]");
  auto result = run("hook", {"--profiles", profiles, "systemd-sleep", "pre", "suspend"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  ASSERT_FALSE(kernel_->loaded("xhci_hcd")) << result.err;

  result = run("hook", {"--profiles", profiles, "systemd-sleep", "post", "suspend"});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.err.find("side by side"), std::string::npos) << result.err;
  EXPECT_TRUE(kernel_->loaded("xhci_pci"));
  EXPECT_EQ(state(), "") << "nothing left recorded";
  const auto calls = kernel_->calls();
  const auto hcd = std::find(calls.begin(), calls.end(), "init xhci_hcd 0");
  const auto pci = std::find(calls.begin(), calls.end(), "init xhci_pci 0");
  ASSERT_NE(hcd, calls.end()) << result.err;
  ASSERT_NE(pci, calls.end()) << result.err;
  EXPECT_LT(hcd, pci);
}

TEST_F(HookTest, PmUtilsAndElogindConventions) {
  EXPECT_EQ(hook({"pm-utils", "suspend", "suspend"}).exit_code, 0);
  EXPECT_FALSE(kernel_->loaded("xhci_pci"));
  EXPECT_EQ(hook({"pm-utils", "resume", "suspend"}).exit_code, 0);
  EXPECT_TRUE(kernel_->loaded("xhci_pci"));
  EXPECT_EQ(hook({"pm-utils", "help"}).exit_code, 254) << "pm-utils' $NA";
  EXPECT_EQ(hook({"elogind", "pre", "hibernate"}).exit_code, 0);
  EXPECT_FALSE(kernel_->loaded("xhci_pci"));
  EXPECT_EQ(hook({"elogind", "post", "hibernate"}).exit_code, 0);
  EXPECT_TRUE(kernel_->loaded("xhci_pci"));
  EXPECT_EQ(hook({"systemd-sleep", "pre", ""}, {"SYSTEMD_SLEEP_ACTION=suspend"}).exit_code, 0);
  EXPECT_FALSE(kernel_->loaded("xhci_pci")) << "systemd v242's empty $2";
}

TEST_F(HookTest, DryRunChangesNothing) {
  const auto result = hook({"--dry-run", "systemd-sleep", "pre", "suspend"});
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_NE(result.err.find("would unload 'xhci_pci'"), std::string::npos) << result.err;
  EXPECT_TRUE(kernel_->loaded("xhci_pci"));
  EXPECT_TRUE(kernel_->calls().empty());
  EXPECT_FALSE(fs::exists(state_dir()));
}

TEST_F(HookTest, BusyModuleIsRetriedThenLeftAndTheHookStillExitsZero) {
  config("busy_retry_ms: 300\n");
  const auto result =
      hook({"systemd-sleep", "pre", "suspend"}, {"SUSPENDFIX_FAKE_DELETE_ERRORS=xhci_pci:EBUSY"});
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_NE(
      result.err.find(
          "WARNING: pre suspend: could not unload 'xhci_pci': Device or resource busy, ignoring"),
      std::string::npos)
      << result.err;
  EXPECT_GT(count("delete xhci_pci EBUSY"), 1u);
  EXPECT_TRUE(kernel_->loaded("xhci_pci"));
  EXPECT_EQ(state(), "");
  // One line for the event (STYLE.md): libkmod's own message for each try is not printed.
  const auto lines = std::count(result.err.begin(), result.err.end(), '\n');
  EXPECT_EQ(lines, 1) << result.err;
}

TEST_F(HookTest, FailedReloadStaysRecordedAndRestoreBringsItBack) {
  hook({"systemd-sleep", "pre", "suspend"});
  auto result =
      hook({"systemd-sleep", "post", "suspend"}, {"SUSPENDFIX_FAKE_INIT_ERRORS=xhci_pci:ENODEV"});
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_NE(
      result.err.find(
          "ERROR: post suspend: could not load 'xhci_pci': No such device; it stays recorded: "
          "run 'suspendfix restore'"),
      std::string::npos)
      << result.err;
  EXPECT_FALSE(kernel_->loaded("xhci_pci"));
  result = run("status", {});
  EXPECT_NE(result.out.find("module xhci_pci  unloaded before suspend"), std::string::npos)
      << result.out;
  result = run("restore", {});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_TRUE(kernel_->loaded("xhci_pci"));
  EXPECT_NE(run("status", {}).out.find("Nothing pending"), std::string::npos);
}

TEST_F(HookTest, ModuleWhoseFileVanishedIsReportedNotForgotten) {
  hook({"systemd-sleep", "pre", "suspend"});
  // A package upgrade removed the module's file while the machine slept.
  fs::remove(kernel_->module_path("xhci-pci.ko"));
  run_command({"/sbin/depmod", "-b", kernel_->root(), FakeKernel::kRelease});
  const auto result = hook({"systemd-sleep", "post", "suspend"});
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_NE(result.err.find("could not load 'xhci_pci'"), std::string::npos) << result.err;
  EXPECT_NE(state().find("module xhci_pci"), std::string::npos);
  EXPECT_EQ(run("restore", {}).exit_code, 1) << "restore says it could not";
}

TEST_F(HookTest, BuiltinModuleIsSkippedWithAReason) {
  config("unload_modules: [ahci, e1000e]\n");
  const auto result = hook({"--verbose", "systemd-sleep", "pre", "suspend"});
  EXPECT_NE(result.err.find("skipped 'ahci': built into the kernel, cannot be unloaded"),
            std::string::npos)
      << result.err;
  EXPECT_FALSE(kernel_->loaded("e1000e")) << "the configuration's module was unloaded";
  EXPECT_NE(result.err.find("unloaded 'e1000e' (named in the configuration)"), std::string::npos);
}

TEST_F(HookTest, BrokenConfigurationUnloadsNothing) {
  config("keep_modules: [xhci_pci\n");
  const auto result = hook({"systemd-sleep", "pre", "suspend"});
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_NE(result.err.find(
                "config.yaml:2:1: end of sequence flow not found; refusing to unload anything"),
            std::string::npos)
      << result.err;
  EXPECT_TRUE(kernel_->calls().empty());
}

TEST_F(HookTest, KeepModulesIsHonoured) {
  config("keep_modules: [xhci_pci]\n");
  const auto result = hook({"systemd-sleep", "pre", "suspend"});
  EXPECT_NE(
      result.err.find("skipped 'xhci_pci': 'xhci_pci' is protected: kept by the administrator"),
      std::string::npos)
      << result.err;
  EXPECT_TRUE(kernel_->loaded("xhci_pci"));
}

TEST_F(HookTest, KilledBetweenTwoUnloadsLosesNothing) {
  config("unload_modules: [e1000e]\nbusy_retry_ms: 10000\ntimeout_seconds: 60\n");
  // xhci_pci goes first; e1000e then stays busy, and the hook is killed while it retries.
  const auto env = environment({"SUSPENDFIX_FAKE_DELETE_ERRORS=e1000e:EBUSY"});
  std::vector<std::string> args = {
      SUSPENDFIX_BINARY, "hook", "--profiles", std::string(SUSPENDFIX_SOURCE_DIR) + "/profiles/nec",
      "systemd-sleep",   "pre",  "suspend"};
  auto future = std::async(std::launch::async, [&] { return run_command(args, env); });
  const auto started = std::chrono::steady_clock::now();
  while (count("delete e1000e EBUSY") == 0 &&
         std::chrono::steady_clock::now() - started < std::chrono::seconds(20))
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  ASSERT_GT(count("delete e1000e EBUSY"), 0u);
  run_command(
      {"/usr/bin/pkill", "-KILL", "-f", "hook --profiles " + std::string(SUSPENDFIX_SOURCE_DIR)});
  const auto killed = future.get();
  EXPECT_EQ(killed.exit_code, 128 + SIGKILL);
  EXPECT_FALSE(kernel_->loaded("xhci_pci"));
  EXPECT_NE(state().find("module xhci_pci"), std::string::npos)
      << "the record names what was unloaded";
  const auto result = hook({"systemd-sleep", "post", "suspend"});
  EXPECT_TRUE(kernel_->loaded("xhci_pci")) << result.err;
  EXPECT_TRUE(kernel_->loaded("e1000e"));
  EXPECT_EQ(state(), "");
}

TEST_F(HookTest, CorruptStateFileLoadsWhatItCanAndKeepsTheRest) {
  hook({"systemd-sleep", "pre", "suspend"});
  std::ofstream(state_dir() + "/state", std::ios::app) << "\x7f\x45LF garbage\n";
  const auto result = hook({"systemd-sleep", "post", "suspend"});
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_NE(result.err.find("damaged record '\\x7fELF garbage': unknown kind"), std::string::npos)
      << result.err;
  EXPECT_TRUE(kernel_->loaded("xhci_pci"));
  EXPECT_EQ(state(),
            "# suspendfix state 2: what 'pre' did and 'post' or 'restore' must undo\n"
            "\x7f\x45LF garbage\n")
      << "kept, verbatim, in the state file itself";
  EXPECT_FALSE(fs::exists(state_dir() + "/state.corrupt"));
  EXPECT_EQ(run("status", {}).exit_code, 1);
}

TEST_F(HookTest, LinkPlantedAtTheStatePathIsRefused) {
  const auto victim = dir_.write("victim", "precious\n");
  fs::create_directories(state_dir());
  fs::permissions(state_dir(), fs::perms::owner_all);
  fs::create_symlink(victim, state_dir() + "/state");
  const auto result = hook({"systemd-sleep", "pre", "suspend"});
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_NE(result.err.find("refusing state file"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("unloading nothing"), std::string::npos);
  EXPECT_TRUE(kernel_->loaded("xhci_pci")) << "nothing unloaded without a safe record";
  EXPECT_EQ(read_file(victim.string()), "precious\n");
}

TEST_F(HookTest, TwoPreAtOnceUnloadOnce) {
  auto first = std::async(std::launch::async, [&] {
    return hook({"systemd-sleep", "pre", "suspend"});
  });
  auto second = std::async(std::launch::async, [&] {
    return hook({"pm-utils", "suspend", "suspend"});
  });
  EXPECT_EQ(first.get().exit_code, 0);
  EXPECT_EQ(second.get().exit_code, 0);
  EXPECT_EQ(count("delete xhci_pci 0"), 1u);
  const std::string text = state();
  EXPECT_EQ(text.find("module xhci_pci"), text.rfind("module xhci_pci")) << text;
  hook({"systemd-sleep", "post", "suspend"});
  hook({"pm-utils", "resume", "suspend"});
  EXPECT_TRUE(kernel_->loaded("xhci_pci"));
  EXPECT_EQ(count("init xhci_pci 0"), 1u);
}

TEST_F(HookTest, PostWithoutPreDoesNothing) {
  const auto result = hook({"systemd-sleep", "post", "suspend"});
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_TRUE(kernel_->calls().empty());
}

TEST_F(HookTest, MountedUsbDiskOnTheControllerProtectsIt) {
  testbed_.add_devices(
      "P: /devices/pci0000:00/0000:00:1c.0/0000:0f:00.0/usb3/3-1\nE: DEVTYPE=usb_device\nE: "
      "SUBSYSTEM=usb\n"
      "A: idVendor=0781\\n\nA: idProduct=5581\\n\n\n"
      "P: /devices/pci0000:00/0000:00:1c.0/0000:0f:00.0/usb3/3-1/3-1:1.0\nE: "
      "DEVTYPE=usb_interface\n"
      "E: DRIVER=usb-storage\nE: SUBSYSTEM=usb\n"
      "L: driver=../../../../../../../bus/usb/drivers/usb-storage\n\n"
      "P: "
      "/devices/pci0000:00/0000:00:1c.0/0000:0f:00.0/usb3/3-1/3-1:1.0/host6/target6:0:0/6:0:0:0/"
      "block/sdb\n"
      "E: SUBSYSTEM=block\nE: DEVTYPE=disk\nE: MAJOR=8\nE: MINOR=16\nE: DEVNAME=/dev/sdb\nA: "
      "dev=8:16\\n\n\n"
      "P: "
      "/devices/pci0000:00/0000:00:1c.0/0000:0f:00.0/usb3/3-1/3-1:1.0/host6/target6:0:0/6:0:0:0/"
      "block/sdb/sdb1\n"
      "E: SUBSYSTEM=block\nE: DEVTYPE=partition\nE: MAJOR=8\nE: MINOR=17\nE: DEVNAME=/dev/sdb1\nA: "
      "dev=8:17\\n\n");
  testbed_.add_sysfs("link bus/usb/drivers/usb-storage/module ../../../../module/usb_storage\n");
  std::ofstream(kernel_->root() + "/proc/self/mountinfo")
      << "22 1 254:1 / / rw - ext4 /dev/vda1 rw\n40 22 8:17 / /media/usb rw,relatime - vfat "
         "/dev/sdb1 rw\n";
  const auto result = hook({"systemd-sleep", "pre", "suspend"});
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_NE(
      result.err.find(
          "skipped 'xhci_pci': 'xhci_pci' is protected: needed by the filesystem on /media/usb"),
      std::string::npos)
      << result.err;
  EXPECT_TRUE(kernel_->loaded("xhci_pci"));
  // detect says the same, so a person knows before the suspend.
  const auto detect =
      run_command({SUSPENDFIX_BINARY, "detect", "--profiles",
                   std::string(SUSPENDFIX_SOURCE_DIR) + "/profiles/nec", "--no-hwdb"},
                  environment());
  EXPECT_NE(detect.out.find(
                "-  skip   xhci_pci: bound to 0000:0f:00.0 (driver xhci_hcd) [nec-upd720200-xhci]; "
                "'xhci_pci' is protected: needed by the filesystem on /media/usb"),
            std::string::npos)
      << detect.out;
}

TEST_F(HookTest, SuspendCommandWritesTheStateFileBetweenPreAndPost) {
  testbed_.add_sysfs("file power/state freeze mem disk\nfile power/mem_sleep s2idle [deep]\n");
  const auto result = run("suspend", {"--mode", "mem"});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(read_file(testbed_.sys_dir() + "/power/state"), "mem")
      << "the testbed's file, never the host's";
  EXPECT_EQ(kernel_->calls(), (std::vector<std::string>{"delete xhci_pci 0", "init xhci_pci 0"}));
  EXPECT_EQ(state(), "");
}

TEST_F(HookTest, FailedSuspendReportsTheKernelsRecordAndStillLoadsBack) {
  testbed_.add_sysfs(
      "file power/state freeze mem disk\n"
      "file power/suspend_stats/success 0\nfile power/suspend_stats/fail 1\n"
      "file power/suspend_stats/failed_suspend 1\n"
      "file power/suspend_stats/last_failed_dev 0000:0f:00.0\nfile "
      "power/suspend_stats/last_failed_errno -16\n"
      "file power/suspend_stats/last_failed_step suspend\n");
  const auto result =
      run("suspend", {"--mode", "mem"}, {"SUSPENDFIX_FAKE_POWER_STATE_ERROR=EBUSY"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(
      result.err.find(
          "ERROR: could not suspend: writing 'mem' to /sys/power/state failed: Device or resource "
          "busy; "
          "the kernel says: last_failed_dev 0000:0f:00.0, last_failed_errno -16, "
          "last_failed_step suspend"),
      std::string::npos)
      << result.err;
  EXPECT_TRUE(kernel_->loaded("xhci_pci")) << "post ran";
  EXPECT_EQ(state(), "");
}

}  // namespace
}  // namespace suspendfix

namespace suspendfix {
namespace {

/// Device actions: the sysfs writes land in the testbed, where they are checked.
class DeviceActionTest : public HookTest {
 protected:
  CommandResult device_hook(std::vector<std::string> arguments) const {
    std::vector<std::string> argv = {
        SUSPENDFIX_BINARY, "hook", "--profiles",
        std::string(SUSPENDFIX_TEST_DATA) + "/profiles/device-actions"};
    argv.insert(argv.end(), arguments.begin(), arguments.end());
    return run_command(argv, environment());
  }
  std::string sysfs(const std::string& path) const {
    const std::string full = testbed_.sys_dir() + "/" + path;
    return fs::exists(full) ? read_file(full) : "<absent>";
  }
};

// The testbed records writes but, unlike a kernel, does not act on them: the tests play the
// kernel's part (dropping or restoring the driver link) where it matters. The VM test
// (tests/vm, sfx-device-actions) runs the same actions on a real kernel.
TEST_F(DeviceActionTest, UnbindAndBindLandInSysfsAndAreVerified) {
  auto result = device_hook({"systemd-sleep", "pre", "suspend"});
  EXPECT_NE(
      result.err.find(
          "pre suspend: unbound 0000:0f:00.0 (driver xhci_hcd, the profile asks to unbind it; "
          "profile test-nec-unbind)"),
      std::string::npos)
      << result.err;
  EXPECT_EQ(sysfs("bus/pci/drivers/xhci_hcd/unbind"), "0000:0f:00.0");
  EXPECT_NE(state().find("unbind 0000:0f:00.0 xhci_hcd suspend"), std::string::npos) << state();
  EXPECT_TRUE(kernel_->loaded("xhci_pci")) << "no module is unloaded";

  const std::string link =
      testbed_.sys_dir() + "/devices/pci0000:00/0000:00:1c.0/0000:0f:00.0/driver";
  const auto target = fs::read_symlink(link);
  fs::remove(link);  // the kernel unbinds it
  result = device_hook({"systemd-sleep", "post", "suspend"});
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_EQ(sysfs("bus/pci/drivers/xhci_hcd/bind"), "0000:0f:00.0") << "bind was written";
  EXPECT_NE(
      result.err.find(
          "could not bind 0000:0f:00.0 to xhci_hcd: it is still not bound to 'xhci_hcd'; it stays "
          "recorded"),
      std::string::npos)
      << "verified, not assumed: " << result.err;
  fs::create_symlink(target, link);  // the kernel binds it after all
  result = run("restore", {});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.err.find("restore: 0000:0f:00.0 is bound to xhci_hcd again"), std::string::npos)
      << result.err;
  EXPECT_EQ(state(), "");
}

TEST_F(DeviceActionTest, RemovedDeviceThatIsAlreadyBackNeedsNoRescan) {
  auto result = device_hook({"systemd-sleep", "pre", "suspend"});
  EXPECT_NE(result.err.find("pre suspend: removed 0000:00:19.0"), std::string::npos) << result.err;
  EXPECT_EQ(sysfs("bus/pci/devices/0000:00:19.0/remove"), "1");
  EXPECT_NE(state().find("remove 0000:00:19.0 e1000e suspend"), std::string::npos);
  result = device_hook({"systemd-sleep", "post", "suspend"});
  EXPECT_NE(result.err.find("post suspend: 0000:00:19.0 is back"), std::string::npos) << result.err;
  EXPECT_EQ(sysfs("bus/pci/rescan"), "\n") << "not rescanned";
  EXPECT_EQ(state(), "");
}

TEST_F(DeviceActionTest, DeviceThatDoesNotComeBackIsRecordedAndRestored) {
  device_hook({"systemd-sleep", "pre", "suspend"});
  testbed_.remove_device("/sys/devices/pci0000:00/0000:00:19.0");
  auto result = device_hook({"systemd-sleep", "post", "suspend"});
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_EQ(sysfs("bus/pci/rescan"), "1") << "the bus was rescanned";
  EXPECT_NE(
      result.err.find(
          "ERROR: post suspend: could not bring back 0000:00:19.0: it did not come back after a "
          "rescan of the PCI bus; it stays recorded: run 'suspendfix restore'"),
      std::string::npos)
      << result.err;
  EXPECT_NE(state().find("remove 0000:00:19.0"), std::string::npos);
  EXPECT_EQ(run("restore", {}).exit_code, 1) << "still gone";
  // The device shows up again (a slow link): only its own block of the fixture.
  const std::string machine =
      read_file(std::string(SUSPENDFIX_TEST_DATA) + "/machines/lenovo-t510-nec.umockdev");
  const size_t start = machine.find("P: /devices/pci0000:00/0000:00:19.0\n");
  ASSERT_NE(start, std::string::npos);
  testbed_.add_devices(machine.substr(start, machine.find("\n\n", start) - start + 1));
  result = run("restore", {});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(state(), "");
}

}  // namespace
}  // namespace suspendfix

namespace suspendfix {
namespace {

TEST_F(HookTest, ThunderboltIsRefusedOnAnAmdMachineSuspendingToIdle) {
  kernel_ = std::make_unique<FakeKernel>("xhci_pci,thunderbolt");
  config("unload_modules: [thunderbolt]\n");
  std::ofstream(kernel_->root() + "/proc/cpuinfo") << "processor\t: 0\nvendor_id\t: AuthenticAMD\n";
  testbed_.add_sysfs("file power/mem_sleep [s2idle] deep\n");
  auto result = hook({"systemd-sleep", "pre", "suspend"});
  EXPECT_NE(
      result.err.find(
          "skipped 'thunderbolt': 'thunderbolt' is protected: this AMD machine suspends to idle"),
      std::string::npos)
      << result.err;
  EXPECT_TRUE(kernel_->loaded("thunderbolt"));
  hook({"systemd-sleep", "post", "suspend"});
  // The same machine in S3 ("deep") may unload it.
  testbed_.add_sysfs("file power/mem_sleep s2idle [deep]\n");
  result = hook({"systemd-sleep", "pre", "suspend"});
  EXPECT_FALSE(kernel_->loaded("thunderbolt")) << result.err;
}

}  // namespace
}  // namespace suspendfix
