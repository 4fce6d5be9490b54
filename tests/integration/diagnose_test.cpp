// SPDX-License-Identifier: GPL-2.0-or-later
// suspendfix diagnose, the built binary, in a umockdev testbed: from a name in a kernel log to
// the device, driver and module (PCI, USB root hub and device, class device, i2c, built in),
// the profile it writes, and bad input.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "integration/run_command.hpp"
#include "integration/testbed.hpp"
#include "sleep/sleep_log.hpp"
#include "sleep/system_probe.hpp"
#include "unit/test_dir.hpp"

namespace suspendfix {
namespace {

using nlohmann::json;
using testing::run_command;
using testing::Testbed;

// Devices the seed laptop's fixture lacks: a wireless class device under its Intel card, and
// two i2c clients on its SMBus, one with a loadable driver and one with a built-in one.
constexpr const char* kExtraDevices =
    R"(P: /devices/pci0000:00/0000:00:1c.0/0000:02:00.0/ieee80211/phy0
E: SUBSYSTEM=ieee80211

P: /devices/pci0000:00/0000:00:1f.3/i2c-6
E: SUBSYSTEM=i2c

P: /devices/pci0000:00/0000:00:1f.3/i2c-6/6-002c
E: SUBSYSTEM=i2c
E: DRIVER=i2c_hid_acpi
L: driver=../../../../../bus/i2c/drivers/i2c_hid_acpi

P: /devices/pci0000:00/0000:00:1f.3/i2c-6/6-0015
E: SUBSYSTEM=i2c
E: DRIVER=elants_i2c
L: driver=../../../../../bus/i2c/drivers/elants_i2c
)";
constexpr const char* kExtraSysfs =
    R"(link bus/i2c/drivers/i2c_hid_acpi/module ../../../../module/i2c_hid_acpi
file module/i2c_hid_acpi/initstate live
file module/i2c_hid_acpi/refcnt 0
dir module/i2c_hid_acpi/holders
dir bus/i2c/drivers/elants_i2c
)";

class DiagnoseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!Testbed::mocked()) GTEST_SKIP() << "not running under umockdev-wrapper: /sys is real";
    testbed_.load_machine("lenovo-t510-nec");
    testbed_.add_devices(kExtraDevices);
    testbed_.add_sysfs(kExtraSysfs);
  }
  testing::CommandResult diagnose(const std::string& log, std::vector<std::string> extra = {}) {
    const auto file = dir_.write("kern.log", log);
    std::vector<std::string> argv = {SUSPENDFIX_BINARY,  "diagnose",      "--log",
                                     file.string(),      "--profiles",    profiles().string(),
                                     "--kernel-release", "6.1.0-27-amd64"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return run_command(argv, {"SUSPENDFIX_CACHE_DIR=", "SUSPENDFIX_CONFIG=/nonexistent",
                              "SUSPENDFIX_STATE_DIR=" + state_dir()});
  }
  json diagnose_json(const std::string& log) {
    const auto result = diagnose(log, {"--json"});
    EXPECT_EQ(result.exit_code, 3) << result.err;
    return json::parse(result.out);
  }
  std::filesystem::path profiles() const { return dir_.path() / "profiles"; }
  std::string state_dir() const { return (dir_.path() / "state").string(); }
  static std::string device_failure(const std::string& name) {
    return "[   10.000000] PM: suspend entry (deep)\n[   10.100000] PM: Device " + name +
           " failed to suspend async: error -16\n[   10.200000] PM: suspend exit\n";
  }

  Testbed testbed_;
  testing::TestDir dir_;
};

TEST_F(DiagnoseTest, PciDeviceToTheModuleBehindItsDriver) {
  const json out = diagnose_json(device_failure("0000:0f:00.0"));
  ASSERT_EQ(out["failures"].size(), 1u);
  EXPECT_EQ(out["schema"], 1);
  EXPECT_EQ(out["failures"][0]["kind"], "device");
  EXPECT_EQ(out["failures"][0]["device"], "0000:0f:00.0");
  EXPECT_EQ(out["failures"][0]["phase"], "suspend async");
  EXPECT_EQ(out["failures"][0]["errno"], -16);
  EXPECT_EQ(out["failures"][0]["driver"], "xhci_hcd");
  EXPECT_EQ(out["failures"][0]["module"], "xhci_pci") << "the module, not the driver's name";
  EXPECT_EQ(out["failures"][0]["wakeup_source"], nullptr);
  const json& culprit = out["culprits"][0];
  EXPECT_EQ(culprit["ids"]["vendor"], "1033");
  EXPECT_EQ(culprit["ids"]["device"], "0194");
  EXPECT_EQ(culprit["module_builtin"], false);
  EXPECT_NE(culprit["fix"]["profile"].get<std::string>().find("unload_bound_module: true"),
            std::string::npos);
}

TEST_F(DiagnoseTest, RootHubWalksUpToItsController) {
  // The seed's own line (Debian 6, 2.6.32): the NEC controller's root hub could not freeze.
  const json out = diagnose_json(
      "[ 1211.867583] pm_op(): usb_dev_freeze+0x0/0x20 returns -2\n"
      "[ 1211.867588] PM: Device usb3 failed to freeze: error -2\n");
  const json& culprit = out["culprits"][0];
  EXPECT_EQ(culprit["device"], "0000:0f:00.0");
  EXPECT_EQ(culprit["module"], "xhci_pci");
  EXPECT_EQ(out["failures"][0]["phase"], "freeze");
}

TEST_F(DiagnoseTest, UsbDeviceTakesItsInterfaceDriver) {
  const json out = diagnose_json(device_failure("1-1.6"));
  const json& culprit = out["culprits"][0];
  EXPECT_EQ(culprit["driver"], "uvcvideo");
  EXPECT_EQ(culprit["module"], "uvcvideo");
  EXPECT_EQ(culprit["ids"]["bus"], "usb");
  EXPECT_EQ(culprit["ids"]["vendor"], "04f2");
  EXPECT_NE(culprit["fix"]["profile"].get<std::string>().find("product: \"b217\""),
            std::string::npos);
}

TEST_F(DiagnoseTest, ClassDeviceWalksUpToItsPciFunction) {
  const json out = diagnose_json(device_failure("phy0"));
  const json& culprit = out["culprits"][0];
  EXPECT_EQ(culprit["device"], "0000:02:00.0");
  EXPECT_EQ(culprit["driver"], "iwlwifi");
  EXPECT_EQ(culprit["module"], "iwlwifi");
}

TEST_F(DiagnoseTest, I2cClientGetsAMachineProfile) {
  const json out = diagnose_json(
      "[  112.463093] i2c_hid_acpi 6-002c: PM: failed to suspend async: error -121\n");
  const json& culprit = out["culprits"][0];
  EXPECT_EQ(culprit["subsystem"], "i2c");
  EXPECT_EQ(culprit["module"], "i2c_hid_acpi");
  const std::string profile = culprit["fix"]["profile"];
  EXPECT_NE(profile.find("unload_modules: [i2c_hid_acpi]"), std::string::npos) << profile;
  EXPECT_NE(profile.find("product_name: \"4313CTO\""), std::string::npos) << profile;
}

TEST_F(DiagnoseTest, BuiltInDriverOfANonPciDeviceHasNoProfile) {
  const json out =
      diagnose_json("[  112.463093] elants_i2c 6-0015: PM: failed to suspend async: error -110\n");
  const json& culprit = out["culprits"][0];
  EXPECT_EQ(culprit["module"], nullptr);
  EXPECT_EQ(culprit["module_builtin"], true);
  EXPECT_EQ(culprit["fix"]["profile"], nullptr);
  EXPECT_NE(culprit["fix"]["none_because"].get<std::string>().find("built into the kernel"),
            std::string::npos);
}

TEST_F(DiagnoseTest, ADeviceThatIsGoneIsSaidSo) {
  const auto result = diagnose(device_failure("0000:99:00.0"));
  EXPECT_EQ(result.exit_code, 3) << result.err;
  EXPECT_NE(result.out.find("no device of that name on this machine now"), std::string::npos)
      << result.out;
}

TEST_F(DiagnoseTest, WriteInstallsAProfileThatDetectMatches) {
  const auto written = diagnose(device_failure("0000:0f:00.0"), {"--write"});
  ASSERT_EQ(written.exit_code, 3) << written.err;
  const auto file = profiles() / "local" / "nec-corporation-1033-0194.yaml";
  ASSERT_TRUE(std::filesystem::exists(file)) << written.out;
  struct stat info {};
  ASSERT_EQ(stat(file.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 07777, 0644u);
  if (geteuid() == 0) EXPECT_EQ(info.st_uid, 0u);
  EXPECT_EQ(run_command({SUSPENDFIX_BINARY, "validate", file.string()}).exit_code, 0);

  const auto detect = run_command(
      {SUSPENDFIX_BINARY, "detect", "--json", "--no-hwdb", "--profiles", profiles().string()},
      {"SUSPENDFIX_CACHE_DIR=", "SUSPENDFIX_CONFIG=/nonexistent"});
  const json matches = json::parse(detect.out)["matches"];
  ASSERT_EQ(matches.size(), 1u) << detect.out;
  EXPECT_EQ(matches[0]["id"], "nec-corporation-1033-0194");

  // The second run finds the profile: it covers the device now, and nothing is rewritten.
  const std::string before = testing::read_file(file.string());
  const auto again = diagnose(device_failure("0000:0f:00.0"), {"--write", "--json"});
  const json out = json::parse(again.out);
  EXPECT_EQ(out["culprits"][0]["profiles"][0]["id"], "nec-corporation-1033-0194");
  EXPECT_EQ(out["culprits"][0]["fix"]["written"], false);
  EXPECT_EQ(testing::read_file(file.string()), before);
}

TEST_F(DiagnoseTest, WriteNeverReplacesAFile) {
  dir_.write("profiles/local/nec-corporation-1033-0194.yaml", "# mine\n");
  const auto result = diagnose(device_failure("0000:0f:00.0"), {"--write"});
  EXPECT_EQ(result.exit_code, 3) << result.err;
  EXPECT_NE(result.err.find("profiles/local/nec-corporation-1033-0194.yaml"), std::string::npos)
      << result.err;
  EXPECT_NE(result.out.find("exists already"), std::string::npos) << result.out;
  EXPECT_EQ(testing::read_file((profiles() / "local/nec-corporation-1033-0194.yaml").string()),
            "# mine\n");
}

TEST_F(DiagnoseTest, ShippedProfileThatDoesNotApplySaysWhy) {
  const auto result = run_command(
      {SUSPENDFIX_BINARY, "diagnose", "--json", "--log",
       dir_.write("kern.log", device_failure("0000:0f:00.0")).string(), "--profiles",
       std::string(SUSPENDFIX_SOURCE_DIR) + "/profiles/nec", "--kernel-release", "6.1.0-27-amd64"},
      {"SUSPENDFIX_CACHE_DIR=",
       "SUSPENDFIX_CONFIG=" + dir_.write("config.yaml", "keep_modules: [xhci_pci]\n").string()});
  const json profiles = json::parse(result.out)["culprits"][0]["profiles"];
  ASSERT_EQ(profiles.size(), 1u) << result.out;
  EXPECT_EQ(profiles[0]["id"], "nec-upd720200-xhci");
  EXPECT_EQ(profiles[0]["acts"], false);
  EXPECT_NE(profiles[0]["why_not"].get<std::string>().find("keep"), std::string::npos)
      << profiles[0];
}

TEST_F(DiagnoseTest, BadInput) {
  const auto empty = diagnose("");
  EXPECT_EQ(empty.exit_code, 0) << empty.err;
  EXPECT_NE(empty.out.find("is empty"), std::string::npos);

  const auto binary =
      run_command({SUSPENDFIX_BINARY, "diagnose", "--log",
                   dir_.write("system.journal", std::string("LPKSHHRH\0\0\0", 11)).string()});
  EXPECT_EQ(binary.exit_code, 1);
  EXPECT_NE(binary.err.find("system.journal"), std::string::npos) << binary.err;
  EXPECT_NE(binary.err.find("not text"), std::string::npos) << binary.err;

  const auto missing = run_command({SUSPENDFIX_BINARY, "diagnose", "--log", "/nonexistent/log"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("/nonexistent/log"), std::string::npos);

  // A named pipe that nobody writes to: an empty log at once, not a wait for a writer
  // (killed by timeout, 137, if it waits).
  const std::string fifo = (dir_.path() / "kern.fifo").string();
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  const auto pipe = run_command({"/usr/bin/timeout", "-s", "KILL", "20", SUSPENDFIX_BINARY,
                                 "diagnose", "--log", fifo, "--profiles", profiles().string()});
  EXPECT_EQ(pipe.exit_code, 0) << pipe.err;
  EXPECT_NE(pipe.out.find("kern.fifo is a pipe that nobody wrote to"), std::string::npos)
      << pipe.out;

  // A device has no end to read to: refused, naming it.
  const auto device = run_command({"/usr/bin/timeout", "-s", "KILL", "20", SUSPENDFIX_BINARY,
                                   "diagnose", "--log", "/dev/zero"});
  EXPECT_EQ(device.exit_code, 1);
  EXPECT_NE(device.err.find("/dev/zero: not a regular file or a pipe"), std::string::npos)
      << device.err;

  // Terminal escapes and invalid UTF-8 in a device name: escaped for people, replaced in JSON.
  const std::string hostile = device_failure("evil\x1b]0;pwned\x07\xff");
  const auto text = diagnose(hostile);
  EXPECT_EQ(text.out.find('\x1b'), std::string::npos);
  EXPECT_NE(text.out.find("evil\\x1b]0;pwned\\x07\\xff"), std::string::npos) << text.out;
  const auto as_json = diagnose(hostile, {"--json"});
  const json parsed = json::parse(as_json.out);  // throws on invalid UTF-8
  EXPECT_EQ(parsed["failures"][0]["device"], "evil\x1b]0;pwned\x07\xef\xbf\xbd");
}

}  // namespace
}  // namespace suspendfix

namespace suspendfix {
namespace {

// This boot's journal (a stand-in journalctl printing the JSON journalctl -o json prints)
// with _KERNEL_DEVICE, and the kernel's counters from /sys/power/suspend_stats.
TEST_F(DiagnoseTest, JournalWithKernelDeviceAndCounters) {
  const auto entries = dir_.write(
      "journal.json",
      R"json({"_TRANSPORT":"kernel","MESSAGE":"PM: suspend entry (deep)","__REALTIME_TIMESTAMP":"1700000000000000"}
{"_TRANSPORT":"kernel","SYSLOG_FACILITY":"0","MESSAGE":"something 0000:0f:00.0: PM: failed to suspend async: error -16","_KERNEL_DEVICE":"+pci:0000:0f:00.0","__REALTIME_TIMESTAMP":"1700000000100000"}
{"_TRANSPORT":"kernel","MESSAGE":"PM: suspend exit","__REALTIME_TIMESTAMP":"1700000000200000"}
{"_TRANSPORT":"kernel","SYSLOG_FACILITY":"1","MESSAGE":"PM: suspend entry (deep)","__REALTIME_TIMESTAMP":"1700000000300000"}
{"_TRANSPORT":"kernel","SYSLOG_FACILITY":"1","MESSAGE":"e1000e 0000:00:1f.6: PM: failed to suspend async: error -16","__REALTIME_TIMESTAMP":"1700000000400000"}
{"_TRANSPORT":"kernel","SYSLOG_FACILITY":"1","MESSAGE":"PM: suspend exit","__REALTIME_TIMESTAMP":"1700000000500000"}
{"SYSLOG_IDENTIFIER":"systemd-sleep","_UID":"1000","_TRANSPORT":"syslog","MESSAGE":"Failed to put system to sleep. System resumed again: Invalid argument"}
{"SYSLOG_IDENTIFIER":"systemd-sleep","_UID":"0","MESSAGE":[70,97,105,108,101,100,32,116,111,32,112,117,116,32,115,121,115,116,101,109,32,116,111,32,115,108,101,101,112,46,32,83,121,115,116,101,109,32,114,101,115,117,109,101,100,32,97,103,97,105,110,58,32,68,101,118,105,99,101,32,111,114,32,114,101,115,111,117,114,99,101,32,98,117,115,121]}
)json");
  const auto program = dir_.write("journalctl", "#!/bin/sh\ncat '" + entries.string() + "'\n");
  std::filesystem::permissions(program, std::filesystem::perms::owner_all);
  testbed_.add_sysfs(
      "file power/suspend_stats/success 2\nfile power/suspend_stats/fail 3\n"
      "file power/suspend_stats/failed_suspend 3\nfile power/suspend_stats/failed_freeze 0\n"
      "file power/suspend_stats/last_failed_dev 0000:0f:00.0\n"
      "file power/suspend_stats/last_failed_errno -16\n");
  const auto result =
      run_command({SUSPENDFIX_BINARY, "diagnose", "--json", "--profiles", profiles().string()},
                  {"SUSPENDFIX_JOURNALCTL=" + program.string(), "SUSPENDFIX_CACHE_DIR=",
                   "SUSPENDFIX_CONFIG=/nonexistent", "SUSPENDFIX_STATE_DIR=" + state_dir()});
  ASSERT_EQ(result.exit_code, 3) << result.err;
  const json out = json::parse(result.out);
  EXPECT_EQ(out["source"], "the journal of this boot");
  ASSERT_EQ(out["sleeps"].size(), 1u) << "no sleep log: one window, the whole boot";
  EXPECT_EQ(out["sleeps"][0]["from_hook"], false);
  ASSERT_EQ(out["failures"].size(), 1u) << out.dump(1);
  EXPECT_EQ(out["failures"][0]["kernel_device"], "+pci:0000:0f:00.0");
  EXPECT_EQ(out["failures"][0]["module"], "xhci_pci") << "found through _KERNEL_DEVICE";
  // Not the user's line before it: anyone can log as systemd-sleep (logger -t), only
  // journald sets _UID.
  EXPECT_EQ(out["failures"][0]["manager_error"], "Device or resource busy");
  // Nor the newer "sleep" after it: journald keeps what root's user space wrote to /dev/kmsg
  // as _TRANSPORT=kernel too, with its facility (1, LOG_USER), which the kernel's lines never
  // have.
  EXPECT_EQ(result.out.find("0000:00:1f.6"), std::string::npos) << out.dump(1);
  EXPECT_EQ(out["counters"]["fail"], 3);
  EXPECT_NE(out["notes"][0].get<std::string>().find("counted 3 failed sleeps"), std::string::npos)
      << out["notes"];
}

// The hook's sleep log ties the kernel's counters to each sleep: two sleeps through the hook,
// the older slept, the newer failed at the NEC controller, which diagnose names from the
// counters alone when the log (here: kmsg without the lines) lost it.
TEST_F(DiagnoseTest, SleepLogTiesTheFailureToItsSleep) {
  const std::string boot = read_boot_id();
  if (boot.empty()) GTEST_SKIP() << "no /proc/sys/kernel/random/boot_id";
  auto entry = [&](SleepPhase phase, int64_t time, uint64_t success, uint64_t fail) {
    SleepLogEntry e;
    e.phase = phase;
    e.boot_id = boot;
    e.realtime = time;
    for (auto& counter : e.counters.counters) counter = 0;
    e.counters.counters[SuspendStats::kSuccess] = success;
    e.counters.counters[SuspendStats::kFail] = fail;
    e.counters.counters[SuspendStats::kFailedSuspend] = fail;
    return e;
  };
  std::filesystem::create_directories(state_dir());
  std::filesystem::permissions(state_dir(), std::filesystem::perms::owner_all);
  dir_.write("state/sleeps", format_sleep_log({entry(SleepPhase::kPre, 1700000000, 0, 0),
                                               entry(SleepPhase::kPost, 1700000010, 1, 0),
                                               entry(SleepPhase::kPre, 1700000100, 1, 0),
                                               entry(SleepPhase::kPost, 1700000101, 1, 1)}));
  chmod((dir_.path() / "state/sleeps").c_str(), 0600);
  testbed_.add_sysfs(
      "file power/suspend_stats/success 1\nfile power/suspend_stats/fail 1\n"
      "file power/suspend_stats/failed_suspend 1\nfile power/suspend_stats/failed_freeze 0\n"
      "file power/suspend_stats/last_failed_dev 0000:0f:00.0\n"
      "file power/suspend_stats/last_failed_errno -16\n");
  const auto journal = dir_.write("journalctl", "#!/bin/sh\nexit 0\n");
  std::filesystem::permissions(journal, std::filesystem::perms::owner_all);
  const auto result =
      run_command({SUSPENDFIX_BINARY, "diagnose", "--json", "--profiles", profiles().string()},
                  {"SUSPENDFIX_JOURNALCTL=" + journal.string(), "SUSPENDFIX_CACHE_DIR=",
                   "SUSPENDFIX_CONFIG=/nonexistent", "SUSPENDFIX_STATE_DIR=" + state_dir()});
  ASSERT_EQ(result.exit_code, 3) << result.err << result.out;
  const json out = json::parse(result.out);
  ASSERT_EQ(out["sleeps"].size(), 2u) << out.dump(1);
  EXPECT_EQ(out["sleeps"][0]["from_hook"], true);
  EXPECT_EQ(out["sleeps"][0]["failed"], 1);
  EXPECT_EQ(out["sleeps"][0]["step"], "failed_suspend");
  EXPECT_EQ(out["sleeps"][0]["device"], "0000:0f:00.0");
  EXPECT_EQ(out["sleeps"][1]["failed"], 0);
  EXPECT_EQ(out["sleeps"][1]["device"], nullptr);
  ASSERT_EQ(out["failures"].size(), 1u) << out.dump(1);
  EXPECT_EQ(out["failures"][0]["from_counters"], true);
  EXPECT_EQ(out["failures"][0]["module"], "xhci_pci");
}

}  // namespace
}  // namespace suspendfix
