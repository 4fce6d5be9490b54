// SPDX-License-Identifier: GPL-2.0-or-later
// The state record as the built binary meets it (issue 11 "A damaged record is forgotten",
// "A hang", "Records that should be refused", "Messages that say the wrong thing"; issue 15
// item 1): real libkmod on the fake kernel, real sysfs writes in a umockdev testbed.
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "integration/hook_fixture.hpp"

namespace suspendfix {
namespace {

constexpr char kOtherBoot[] = "11111111-2222-3333-4444-555555555555";

class StateTest : public HookTest {
 protected:
  void SetUp() override {
    HookTest::SetUp();
    config("restore_after_seconds: 0\n");  // no watcher: these tests play the missing post
  }
  /// The state file with its record line for `object` replaced by text.
  void replace_record(const std::string& object, const std::string& text) const {
    std::string body = state();
    const size_t at = body.find(" " + object + " ");
    ASSERT_NE(at, std::string::npos) << body;
    const size_t start = body.rfind('\n', at) + 1;
    body.replace(start, body.find('\n', at) - start, text);
    std::ofstream(state_dir() + "/state", std::ios::trunc) << body;
  }
  std::vector<std::string> listing() const {
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(state_dir()))
      names.push_back(entry.path().filename());
    std::sort(names.begin(), names.end());
    return names;
  }
};

TEST_F(StateTest, Regression_Issue11_ATruncatedRecordIsReportedAndStillLoadedBack) {
  hook({"systemd-sleep", "pre", "suspend"});
  ASSERT_FALSE(kernel_->loaded("xhci_pci"));
  const std::string text = state();
  // The tmpfs filled up, or the machine died mid-write: cut after the module name.
  std::ofstream(state_dir() + "/state", std::ios::trunc)
      << text.substr(0, text.find("module xhci_pci") + 15);
  auto status = run("status", {});
  EXPECT_EQ(status.exit_code, 1) << "not 'Nothing pending'";
  EXPECT_NE(status.out.find("line 2: 'module xhci_pci': cut short after its object; names "
                            "module xhci_pci"),
            std::string::npos)
      << status.out;
  status = run("status", {"--json"});
  EXPECT_EQ(status.exit_code, 1);
  const auto json = nlohmann::json::parse(status.out);
  EXPECT_EQ(json["damaged"][0]["understood"]["object"], "xhci_pci") << status.out;
  EXPECT_EQ(json["damaged"][0]["text"], "module xhci_pci");
  const auto post = hook({"systemd-sleep", "post", "suspend"});
  EXPECT_NE(post.err.find("post suspend: loaded 'xhci_pci' (from damaged line 2 of"),
            std::string::npos)
      << post.err;
  EXPECT_TRUE(kernel_->loaded("xhci_pci"));
  EXPECT_EQ(state(), "");
  EXPECT_EQ(run("status", {}).exit_code, 0);
}

TEST_F(StateTest, Regression_Issue11_FifosHangNothingAndStatusWritesNothing) {
  hook({"systemd-sleep", "pre", "suspend"});
  std::ofstream(state_dir() + "/state", std::ios::app) << "garbage\n";
  ASSERT_EQ(mkfifo((state_dir() + "/state.corrupt").c_str(), 0600), 0);
  const auto before = listing();
  const auto status = run("status", {});
  EXPECT_EQ(status.exit_code, 1);
  EXPECT_EQ(listing(), before) << "status changed nothing";
  EXPECT_EQ(run("restore", {}).exit_code, 1) << "the garbage line stays";
  EXPECT_TRUE(kernel_->loaded("xhci_pci"));
  // A FIFO at the state path itself or at the lock: refused at once, never waited on.
  fs::remove(state_dir() + "/state");
  ASSERT_EQ(mkfifo((state_dir() + "/state").c_str(), 0600), 0);
  const auto refused = run("status", {});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.out.find("it is not a regular file"), std::string::npos) << refused.out;
  EXPECT_EQ(run("restore", {}).exit_code, 1);
  fs::remove(state_dir() + "/state");
  fs::remove(state_dir() + "/lock");
  ASSERT_EQ(mkfifo((state_dir() + "/lock").c_str(), 0600), 0);
  const auto locked = hook({"systemd-sleep", "pre", "suspend"});
  EXPECT_NE(locked.err.find("refusing lock"), std::string::npos) << locked.err;
  EXPECT_TRUE(kernel_->loaded("xhci_pci")) << "nothing unloaded without a safe record";
}

TEST_F(StateTest, Regression_Issue11_AnotherVersionIsRefusedKeptAndShown) {
  fs::create_directories(state_dir());
  fs::permissions(state_dir(), fs::perms::owner_all);
  const std::string old = "# suspendfix state 1: what 'pre' did\nmodule e1000e - suspend 5 -\n";
  std::ofstream(state_dir() + "/state") << old;
  const auto status = run("status", {});
  EXPECT_EQ(status.exit_code, 1);
  EXPECT_NE(status.out.find("is state format 1; this suspendfix reads format 2"), std::string::npos)
      << status.out;
  EXPECT_NE(status.out.find("  module e1000e - suspend 5 -"), std::string::npos) << status.out;
  const auto post = hook({"systemd-sleep", "post", "suspend"});
  EXPECT_NE(post.err.find("it is state format 1"), std::string::npos) << post.err;
  const auto pre = hook({"systemd-sleep", "pre", "suspend"});
  EXPECT_NE(pre.err.find("unloading nothing"), std::string::npos) << pre.err;
  EXPECT_TRUE(kernel_->calls().empty());
  EXPECT_EQ(state(), old);
}

TEST_F(StateTest, Regression_Issue11_RecordsOfAnotherBootAreReportedNotActedOnBlindly) {
  hook({"systemd-sleep", "pre", "suspend"});
  std::string line = state().substr(state().find("module xhci_pci"));
  line = line.substr(0, line.find('\n'));
  replace_record("xhci_pci", line.substr(0, line.rfind(' ')) + " " + kOtherBoot);
  const auto post = hook({"systemd-sleep", "post", "suspend"});
  EXPECT_NE(post.err.find("module xhci_pci was recorded in another boot"), std::string::npos)
      << post.err;
  EXPECT_FALSE(kernel_->loaded("xhci_pci")) << "post leaves it";
  const auto status = run("status", {});
  EXPECT_EQ(status.exit_code, 1);
  EXPECT_NE(status.out.find("Recorded in another boot"), std::string::npos) << status.out;
  const auto restore = run("restore", {});
  EXPECT_EQ(restore.exit_code, 0) << restore.err;
  EXPECT_NE(restore.err.find("restore: loaded 'xhci_pci' (recorded in another boot)"),
            std::string::npos)
      << restore.err;
  EXPECT_TRUE(kernel_->loaded("xhci_pci"));
  EXPECT_EQ(state(), "");
}

TEST_F(StateTest, Regression_Issue15_APlantedStateFileIsRefused) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root to give a file away";
  hook({"systemd-sleep", "pre", "suspend"});
  // Another user's file in the directory: post must not load what it names.
  replace_record("xhci_pci", std::string("module e1000e - suspend 5 - ") + "-");
  ASSERT_EQ(chown((state_dir() + "/state").c_str(), 65534, 65534), 0);
  kernel_ = std::make_unique<FakeKernel>("xhci_pci,iwlmvm");  // e1000e not loaded
  const auto post = hook({"systemd-sleep", "post", "suspend"});
  EXPECT_NE(post.err.find("refusing state file"), std::string::npos) << post.err;
  EXPECT_NE(post.err.find("it is owned by uid 65534"), std::string::npos) << post.err;
  EXPECT_FALSE(kernel_->loaded("e1000e"));
  EXPECT_TRUE(kernel_->calls().empty());
}

TEST_F(StateTest, Regression_Issue15_AWritableStateDirectoryIsRefusedNotChmodded) {
  fs::create_directories(state_dir());
  fs::permissions(state_dir(), fs::perms::all);
  const auto pre = hook({"systemd-sleep", "pre", "suspend"});
  EXPECT_NE(pre.err.find("group or others may write it (mode 0777)"), std::string::npos) << pre.err;
  EXPECT_TRUE(kernel_->loaded("xhci_pci"));
  struct stat info {};
  stat(state_dir().c_str(), &info);
  EXPECT_EQ(info.st_mode & 0777, 0777u);
  EXPECT_EQ(run("status", {}).exit_code, 1);
}

TEST_F(StateTest, Regression_Issue11_AModuleSomeoneElseLoadedIsNotLoggedAsLoaded) {
  hook({"systemd-sleep", "pre", "suspend"});
  const auto modprobe = run_command({"/sbin/modprobe", "xhci_pci"}, environment());
  ASSERT_EQ(modprobe.exit_code, 0) << modprobe.err;
  const auto post = hook({"systemd-sleep", "post", "suspend"});
  EXPECT_NE(post.err.find("post suspend: 'xhci_pci' is loaded already (not by suspendfix): "
                          "nothing to load"),
            std::string::npos)
      << post.err;
  EXPECT_EQ(post.err.find("loaded 'xhci_pci'"), std::string::npos);
  EXPECT_EQ(count("init xhci_pci 0"), 1u) << "modprobe's only";
}

TEST_F(StateTest, ADamagedLineReachesNoTerminalRaw) {
  hook({"systemd-sleep", "pre", "suspend"});
  std::ofstream(state_dir() + "/state", std::ios::app) << "\x1b]0;owned\x07\x1b[2J\xff\n";
  const auto status = run("status", {});
  EXPECT_EQ(status.exit_code, 1);
  EXPECT_EQ(status.out.find('\x1b'), std::string::npos) << status.out;
  EXPECT_NE(status.out.find("'\\x1b]0;owned\\x07\\x1b[2J\\xff'"), std::string::npos) << status.out;
  const auto json = run("status", {"--json"});
  EXPECT_NO_THROW(nlohmann::json::parse(json.out)) << "valid UTF-8 JSON: " << json.out;
}

TEST_F(StateTest, RestoreReadsTheConfigurationItIsGiven) {
  const auto other = dir_.write("other.yaml", "timeout_seconds: [\n");
  const auto restore = run("restore", {"--config", other.string()});
  EXPECT_EQ(restore.exit_code, 0) << restore.err;
  EXPECT_NE(restore.err.find(other.string()), std::string::npos)
      << "the file named, not the default: " << restore.err;
  EXPECT_NE(restore.err.find("using the default timeout"), std::string::npos) << restore.err;
}

TEST_F(StateTest, TheSleepLogKeepsTheCountersOfEveryPreAndPost) {
  testbed_.add_sysfs("file power/suspend_stats/success 3\nfile power/suspend_stats/fail 1\n");
  config("restore_after_seconds: 0\nsleep_types: [hibernate]\n");
  hook({"systemd-sleep", "pre", "suspend"});  // changes nothing, still logged
  testbed_.add_sysfs("file power/suspend_stats/success 4\n");
  hook({"elogind", "post", "suspend"});
  const std::string log = read_file(state_dir() + "/sleeps");
  EXPECT_NE(log.find(" suspend systemd-sleep asleep_ms="), std::string::npos) << log;
  EXPECT_NE(log.find("success=3 fail=1\npost "), std::string::npos) << log;
  EXPECT_NE(log.find(" suspend elogind asleep_ms="), std::string::npos) << log;
  EXPECT_NE(log.find("success=4 fail=1\n"), std::string::npos) << log;
  EXPECT_TRUE(kernel_->calls().empty());
}

}  // namespace
}  // namespace suspendfix

namespace suspendfix {
namespace {

class DeviceStateTest : public StateTest {
 protected:
  CommandResult device_hook(std::vector<std::string> arguments) const {
    std::vector<std::string> argv = {
        SUSPENDFIX_BINARY, "hook", "--profiles",
        std::string(SUSPENDFIX_TEST_DATA) + "/profiles/device-actions"};
    argv.insert(argv.end(), arguments.begin(), arguments.end());
    return run_command(argv, environment());
  }
};

TEST_F(DeviceStateTest, Regression_Issue11_StatusSaysWhatHappenedToEachKind) {
  device_hook({"systemd-sleep", "pre", "suspend"});
  const auto status = run("status", {});
  EXPECT_EQ(status.exit_code, 0) << status.out;
  EXPECT_NE(status.out.find("  unbind 0000:0f:00.0  unbound from xhci_hcd before suspend at "),
            std::string::npos)
      << status.out;
  EXPECT_NE(status.out.find("  remove 0000:00:19.0  removed from the PCI bus before suspend at "),
            std::string::npos)
      << status.out;
  EXPECT_EQ(status.out.find("unloaded before"), std::string::npos) << status.out;
}

TEST_F(DeviceStateTest, Regression_Issue11_AnUnbindRecordWithoutADriverCanBeCleared) {
  fs::create_directories(state_dir());
  fs::permissions(state_dir(), fs::perms::owner_all);
  std::ofstream(state_dir() + "/state")
      << "# suspendfix state 2\nunbind 0000:0f:00.0 .. suspend 5 - -\n";
  const auto restore = run("restore", {});
  EXPECT_EQ(restore.exit_code, 0) << restore.err;
  EXPECT_NE(restore.err.find("0000:0f:00.0 is bound to xhci_hcd"), std::string::npos)
      << restore.err;
  EXPECT_EQ(state(), "") << "cleared, not failing every post and restore";
}

}  // namespace
}  // namespace suspendfix
