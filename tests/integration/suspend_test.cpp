// SPDX-License-Identifier: GPL-2.0-or-later
// suspendfix suspend: the point of no return is known before anything changes (issue 11
// "Also"), and the sleep follows only a pre that could run.
#include "integration/hook_fixture.hpp"

namespace suspendfix {
namespace {

TEST_F(HookTest, Regression_Issue11_SuspendOpensPowerStateBeforeItUnloadsAnything) {
  fs::create_directories(testbed_.sys_dir() + "/power/state");  // cannot be opened for writing
  const auto result = run("suspend", {"--mode", "mem"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.err.find("could not open /sys/power/state for writing: Is a directory; not "
                            "suspending, nothing was unloaded"),
            std::string::npos)
      << result.err;
  EXPECT_TRUE(kernel_->calls().empty()) << "nothing unloaded, nothing to load back";
  EXPECT_FALSE(fs::exists(state_dir() + "/state"));
}

TEST_F(HookTest, Regression_Issue11_SuspendDoesNotSleepWhenPreCouldNotRun) {
  testbed_.add_sysfs("file power/state freeze mem disk\n");
  config("keep_modules: [xhci_pci\n");  // broken: the keep list cannot be read
  const auto result = run("suspend", {"--mode", "mem"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.err.find("not suspending: pre failed"), std::string::npos) << result.err;
  EXPECT_EQ(read_file(testbed_.sys_dir() + "/power/state"), "") << "nothing written";
  EXPECT_TRUE(kernel_->calls().empty());
}

// Every word a command takes from a closed set is checked by the command line, before anything
// is read or changed: a typo is a usage error (2) that names the option and the choices.
TEST_F(HookTest, WordsFromAClosedSetAreCheckedBeforeAnythingHappens) {
  testbed_.add_sysfs("file power/state freeze mem disk\n");
  const struct {
    std::string command;
    std::vector<std::string> arguments;
    std::string message;
  } cases[] = {
      {"suspend", {"--mode", "nap"}, "--mode: nap not in {mem,freeze,disk}"},
      {"suspend", {"--mem-sleep", "s3"}, "--mem-sleep: s3 not in {s2idle,shallow,deep}"},
      {"test", {"--mode", "standby"}, "--mode: standby not in {mem,freeze,disk}"},
      {"test", {"--through", "upower"}, "--through: upower not in {systemd,elogind,pm-utils,self}"},
      {"hook",
       {"upower", "pre", "suspend"},
       "frontend: upower not in {systemd-sleep,systemd,elogind,pm-utils}"},
  };
  for (const auto& c : cases) {
    const auto result = run(c.command, c.arguments);
    EXPECT_EQ(result.exit_code, 2) << c.command << ": " << result.err;
    EXPECT_NE(result.err.find(c.message), std::string::npos) << result.err;
  }
  EXPECT_EQ(read_file(testbed_.sys_dir() + "/power/state"), "freeze mem disk\n")
      << "not even opened for writing";
  EXPECT_TRUE(kernel_->calls().empty());
  EXPECT_FALSE(fs::exists(state_dir() + "/state"));
}

}  // namespace
}  // namespace suspendfix
