// SPDX-License-Identifier: GPL-2.0-or-later
// Issue 15, tried as an attacker would, on the built binary: real libudev (umockdev testbed)
// and real libkmod (fake kernel). A local user who can write the configuration, a sleep manager
// that closes stdout, firmware strings that are neither UTF-8 nor safe for a terminal.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "integration/fake_kernel.hpp"
#include "integration/run_command.hpp"
#include "integration/testbed.hpp"
#include "unit/test_dir.hpp"

extern char** environ;

namespace suspendfix {
namespace {

using testing::CommandResult;
using testing::FakeKernel;
using testing::read_file;
using testing::run_command;
using testing::Testbed;
using testing::TestDir;
namespace fs = std::filesystem;

/// A child process the test can signal and wait for; its stderr goes to a file.
class Child {
 public:
  /// Starts argv with the environment plus `env`, stderr into err_path, then `closed` closed.
  Child(const std::vector<std::string>& argv, const std::vector<std::string>& env,
        const std::string& err_path, const std::vector<int>& closed = {}) {
    std::vector<char*> args;
    for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
    args.push_back(nullptr);
    std::vector<std::string> all;
    for (char** entry = environ; *entry; ++entry) all.emplace_back(*entry);
    all.insert(all.end(), env.begin(), env.end());
    std::vector<char*> envp;
    for (std::string& entry : all) envp.push_back(entry.data());
    envp.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, err_path.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0600);
    for (int fd : closed) posix_spawn_file_actions_addclose(&actions, fd);
    if (posix_spawn(&pid_, args[0], &actions, nullptr, args.data(), envp.data()) != 0) pid_ = 0;
    posix_spawn_file_actions_destroy(&actions);
  }
  pid_t pid() const { return pid_; }
  /// The exit status, or 128 + the signal.
  int wait() const {
    int status = 0;
    if (pid_ == 0 || waitpid(pid_, &status, 0) != pid_) return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }

 private:
  pid_t pid_ = 0;
};

class SecurityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!Testbed::mocked()) GTEST_SKIP() << "not running under umockdev-wrapper: /sys is real";
    testbed_.load_machine("lenovo-t510-nec");
    // A copy of the shipped NEC profile, so that no other test's pkill pattern matches ours.
    dir_.write("profiles/upd720200.yaml",
               read_file(std::string(SUSPENDFIX_SOURCE_DIR) + "/profiles/nec/upd720200.yaml"));
  }
  std::string profiles() const { return (dir_.path() / "profiles").string(); }
  /// The fake kernel, built on first use: only the hook needs one (it takes a few seconds).
  FakeKernel& kernel() {
    if (!kernel_) kernel_ = std::make_unique<FakeKernel>("xhci_pci,e1000e");
    return *kernel_;
  }
  std::vector<std::string> environment() const {
    auto env = kernel_ ? kernel_->environment() : std::vector<std::string>{};
    env.push_back("SUSPENDFIX_STATE_DIR=" + state_dir());
    env.push_back("SUSPENDFIX_CONFIG=" + config_path());
    return env;
  }
  std::vector<std::string> hook_argv(const std::string& phase) const {
    return {SUSPENDFIX_BINARY, "hook", "--profiles", profiles(), "systemd-sleep", phase, "suspend"};
  }
  CommandResult hook(const std::string& phase) {
    kernel();
    return run_command(hook_argv(phase), environment());
  }
  CommandResult detect(std::vector<std::string> extra = {}) const {
    std::vector<std::string> argv = {SUSPENDFIX_BINARY, "detect",   "--no-hwdb",
                                     "--profiles",      profiles(), "--kernel-release",
                                     "6.1.0-27-amd64"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return run_command(argv, environment());
  }
  std::string config_path() const { return (dir_.path() / "etc" / "config.yaml").string(); }
  void config(const std::string& text) const { dir_.write("etc/config.yaml", text); }
  std::string state_dir() const { return (dir_.path() / "run").string(); }
  /// Replaces a DMI attribute of the fixture with raw bytes, as firmware may hold them.
  void dmi(const std::string& field, const std::string& bytes) const {
    std::ofstream(testbed_.sys_dir() + "/devices/virtual/dmi/id/" + field, std::ios::binary)
        << bytes << "\n";
  }

  TestDir dir_;
  Testbed testbed_;
  std::unique_ptr<FakeKernel> kernel_;
};

TEST_F(SecurityTest, ConfigurationOthersCanWriteIsRefusedAsProfilesAre) {
  // The binary checks ownership only when it runs as root, as the hook does; CI runs as root.
  if (geteuid() != 0) GTEST_SKIP() << "the ownership check is root's";
  config("unload_modules: [e1000e]\n");
  ASSERT_EQ(chmod(config_path().c_str(), 0666), 0);
  const auto result = hook("pre");
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_NE(result.err.find(config_path() +
                            ": refusing a file writable by group or others; refusing to unload "
                            "anything with a broken configuration"),
            std::string::npos)
      << result.err;
  EXPECT_TRUE(kernel().loaded("e1000e"));
  EXPECT_TRUE(kernel().calls().empty());
}

TEST_F(SecurityTest, MistypedKeyInTheConfigurationUnloadsNothing) {
  config("keep_module: [xhci_pci]\n");
  const auto result = hook("pre");
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_NE(result.err.find("config.yaml:1:1: unknown key 'keep_module' in 'configuration', did "
                            "you mean 'keep_modules'?; refusing to unload anything"),
            std::string::npos)
      << result.err;
  EXPECT_TRUE(kernel().loaded("xhci_pci")) << "the keep list it meant is honoured";
  EXPECT_TRUE(kernel().calls().empty());
}

TEST_F(SecurityTest, UnknownDisabledProfileIsNamedWithTheClosestId) {
  config("disable_profiles: [nec-upd72020-xhci]\n");
  const auto result = detect();
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.err.find("WARNING: " + config_path() +
                            ":1:20: disable_profiles names no known profile "
                            "'nec-upd72020-xhci', did you mean 'nec-upd720200-xhci'?"),
            std::string::npos)
      << result.err;
}

TEST_F(SecurityTest, MissingConfigurationNamedOnTheCommandLineIsAnError) {
  auto result = detect({"--config", "/nonexistent/config.yaml"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.err.find("/nonexistent/config.yaml: no such configuration file"),
            std::string::npos)
      << result.err;
  result = detect({"--config", ""});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.err.find("'': empty configuration file name"), std::string::npos) << result.err;
  EXPECT_EQ(detect().exit_code, 0) << "the default (here $SUSPENDFIX_CONFIG) may be absent";
}

TEST_F(SecurityTest, ClosedStandardStreamsNeverReachTheLockFile) {
  // A sleep manager may start hooks with stdout or stderr closed: the lock and state files
  // would take those numbers, and log lines would land in them.
  kernel();
  auto env = environment();
  env.push_back("SUSPENDFIX_DEBUG=1");  // as many lines as possible
  // stdin open: the state directory takes 1 and the lock 2, where every log line goes.
  const Child child(hook_argv("pre"), env, (dir_.path() / "err").string(),
                    {STDOUT_FILENO, STDERR_FILENO});
  ASSERT_NE(child.pid(), 0);
  EXPECT_EQ(child.wait(), 0);
  EXPECT_FALSE(kernel().loaded("xhci_pci"));
  EXPECT_EQ(read_file(state_dir() + "/lock"), "") << "log lines landed in the lock file";
  const std::string state = read_file(state_dir() + "/state");
  EXPECT_EQ(state.find("suspendfix:"), std::string::npos) << state;
  EXPECT_EQ(hook("post").exit_code, 0);
  EXPECT_TRUE(kernel().loaded("xhci_pci")) << "the state file was intact";
}

TEST_F(SecurityTest, DetectJsonCarriesFirmwareBytesThatAreNotUtf8) {
  dmi("sys_vendor", "LEN\xffVO");
  dmi("product_version", "ThinkPad \xc0\xaf\xed\xa0\x80");
  const auto result = detect({"--json"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const auto json = nlohmann::json::parse(result.out);
  EXPECT_EQ(json["machine"]["dmi"]["sys_vendor"], "LEN\xef\xbf\xbdVO");
  EXPECT_EQ(json["machine"]["dmi"]["product_version"],
            "ThinkPad \xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
  EXPECT_EQ(json["matches"].size(), 1u) << "the rest of the report is all there";
}

TEST_F(SecurityTest, DetectTextEscapesFirmwareStrings) {
  dmi("sys_vendor", "\x1b[2J\x1b]0;owned\x07LENOVO");
  dmi("product_name", "T510\xff");
  const auto result = detect();
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out.find('\x1b'), std::string::npos);
  EXPECT_EQ(result.out.find('\x07'), std::string::npos);
  EXPECT_NE(result.out.find("  vendor:   \\x1b[2J\\x1b]0;owned\\x07LENOVO\n"), std::string::npos)
      << result.out;
  EXPECT_NE(result.out.find("  product:  T510\\xff"), std::string::npos);
}

TEST_F(SecurityTest, ValidateAndLogLinesEscapeWhatATerminalWouldActOn) {
  const auto file = dir_.write("esc.yaml", testing::profile_text("a") + "\x1b[2Jkey: 1\n");
  auto result = run_command({SUSPENDFIX_BINARY, "validate", file.string()});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_EQ(result.err.find('\x1b'), std::string::npos) << "validate esc.yaml cleared the screen";
  EXPECT_NE(result.err.find("unknown key '\\x1b[2Jkey' in 'profile'"), std::string::npos)
      << result.err;
  result = run_command(
      {SUSPENDFIX_BINARY, "detect", "--no-hwdb", "--profiles", "/nonexistent/\x1b[2J\n"},
      environment());
  EXPECT_EQ(result.err.find('\x1b'), std::string::npos);
  EXPECT_NE(result.err.find("no profiles found in /nonexistent/\\x1b[2J\\x0a: nothing"),
            std::string::npos)
      << result.err;
  result = run_command({SUSPENDFIX_BINARY, "\x1b[2J"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_EQ(result.err.find('\x1b'), std::string::npos) << result.err;
}

TEST_F(SecurityTest, ValidateRefusesMalformedUtf8WithItsPlace) {
  const auto file = dir_.write("utf8.yaml", "id: a\ndescription: \"caf\xc3\xa9 \xed\xa0\x80\"\n");
  const auto result = run_command({SUSPENDFIX_BINARY, "validate", file.string()});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.err.find(file.string() + ":2:20: not valid UTF-8: byte 0xed"), std::string::npos)
      << result.err;
}

TEST_F(SecurityTest, ValidateOfNothingSaysSo) {
  const auto empty = dir_.path() / "empty";
  fs::create_directories(empty);
  auto result = run_command({SUSPENDFIX_BINARY, "validate", empty.string()});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.err.find(empty.string() + ": no profiles found: no file ending in .yaml"),
            std::string::npos)
      << result.err;
  result = run_command({SUSPENDFIX_BINARY, "validate", ""});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.err.find("'': empty path: name a profile file or directory"), std::string::npos)
      << result.err;
}

/// True once `pid` catches SIGALRM (its backstop is armed): /proc/PID/status, SigCgt.
bool catches_alarm(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(status, line);)
    if (line.rfind("SigCgt:", 0) == 0)
      return (std::stoull(line.substr(7), nullptr, 16) >> (SIGALRM - 1)) & 1;
  return false;
}

TEST_F(SecurityTest, HookThatRunsOutOfTimeExitsZero) {
  // suspendfix(8) said 1; the code exits 0 on purpose: elogind and pm-utils would read any
  // other status as "abort the suspend". The backstop fires on SIGALRM; send it early.
  config("timeout_seconds: 80\n");
  fs::create_directories(state_dir());
  fs::permissions(state_dir(), fs::perms::owner_all);
  const int lock = open((state_dir() + "/lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  ASSERT_EQ(flock(lock, LOCK_EX), 0) << "held, so that the hook waits";
  kernel();
  const std::string err = (dir_.path() / "hook.err").string();
  const Child child(hook_argv("pre"), environment(), err);
  ASSERT_NE(child.pid(), 0);
  // Polls for a condition, not for a time: the backstop is armed when SIGALRM is caught.
  for (int tries = 0; tries < 20000 && !catches_alarm(child.pid()); ++tries)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  ASSERT_TRUE(catches_alarm(child.pid())) << "the hook never armed its backstop";
  kill(child.pid(), SIGALRM);
  EXPECT_EQ(child.wait(), 0) << read_file(err);
  close(lock);
  EXPECT_NE(read_file(err).find("hook timed out, exiting; run 'suspendfix restore' after wake"),
            std::string::npos)
      << read_file(err);
  EXPECT_TRUE(kernel().loaded("xhci_pci"));
}

}  // namespace
}  // namespace suspendfix
