// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once
// The built binary as a sleep hook, in a umockdev testbed (a fake /sys) with the fake kernel
// (tests/fakekernel) under libkmod: the fixture shared by the hook, state and self-heal tests.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "integration/fake_kernel.hpp"
#include "integration/run_command.hpp"
#include "integration/testbed.hpp"
#include "unit/test_dir.hpp"

namespace suspendfix {

using testing::CommandResult;
using testing::FakeKernel;
using testing::read_file;
using testing::run_command;
using testing::Testbed;
using testing::TestDir;
namespace fs = std::filesystem;

class HookTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!Testbed::mocked()) GTEST_SKIP() << "not running under umockdev-wrapper: /sys is real";
    testbed_.load_machine("lenovo-t510-nec");
    kernel_ = std::make_unique<FakeKernel>("xhci_pci,e1000e,iwlmvm");
    ASSERT_TRUE(kernel_->loaded("xhci_pci"));
  }

  std::vector<std::string> environment(std::vector<std::string> extra = {}) const {
    auto env = kernel_->environment();
    env.push_back("SUSPENDFIX_STATE_DIR=" + state_dir());
    env.push_back("SUSPENDFIX_CONFIG=" + (dir_.path() / "config.yaml").string());
    env.push_back("SUSPENDFIX_WATCH_LOG=" + watch_log());
    env.insert(env.end(), extra.begin(), extra.end());
    return env;
  }
  /// suspendfix COMMAND --profiles <the shipped NEC profile> ARGS...
  CommandResult run(const std::string& command, std::vector<std::string> arguments,
                    std::vector<std::string> extra_env = {}) const {
    std::vector<std::string> argv = {SUSPENDFIX_BINARY, command};
    if (command == "hook" || command == "suspend")
      argv.insert(argv.end(), {"--profiles", std::string(SUSPENDFIX_SOURCE_DIR) + "/profiles/nec"});
    argv.insert(argv.end(), arguments.begin(), arguments.end());
    return run_command(argv, environment(extra_env));
  }
  CommandResult hook(std::vector<std::string> arguments,
                     std::vector<std::string> extra_env = {}) const {
    return run("hook", std::move(arguments), std::move(extra_env));
  }
  std::string state_dir() const { return (dir_.path() / "run").string(); }
  std::string state() const {
    return fs::exists(state_dir() + "/state") ? read_file(state_dir() + "/state") : "";
  }
  void config(const std::string& text) const { dir_.write("config.yaml", text); }
  /// Where the self-healing watchers of this test log (their stderr).
  std::string watch_log() const { return (dir_.path() / "watch.log").string(); }
  std::string watch_text() const { return fs::exists(watch_log()) ? read_file(watch_log()) : ""; }
  /// Polls until done() or the limit; returns done(). The limit only stops a broken test.
  template <typename Done>
  static bool eventually(Done done, std::chrono::seconds limit = std::chrono::seconds(60)) {
    const auto end = std::chrono::steady_clock::now() + limit;
    while (!done()) {
      if (std::chrono::steady_clock::now() >= end) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return true;
  }
  size_t count(const std::string& call) const {
    const auto calls = kernel_->calls();
    return static_cast<size_t>(std::count(calls.begin(), calls.end(), call));
  }

  TestDir dir_;
  Testbed testbed_;
  std::unique_ptr<FakeKernel> kernel_;
};

}  // namespace suspendfix
