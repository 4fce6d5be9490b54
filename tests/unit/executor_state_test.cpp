// SPDX-License-Identifier: GPL-2.0-or-later
// The executor and the state record together: what an earlier sleep left, damaged records,
// records of another boot, a full state directory, the watcher's header.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include "executor.hpp"
#include "fakes/fake_device_backend.hpp"
#include "fakes/fake_module_backend.hpp"
#include "unit/test_dir.hpp"

namespace suspendfix {
namespace {

using testing::TestDir;
using ::testing::internal::CaptureStderr;
using ::testing::internal::GetCapturedStderr;

constexpr char kBoot[] = "0c1f3b0e-6a4d-4f5e-9c2b-7d8e9f0a1b2c";
constexpr char kOtherBoot[] = "11111111-2222-3333-4444-555555555555";

PlannedModule planned(const std::string& name) {
  PlannedModule module;
  module.name = name;
  module.why = "test";
  module.profiles = {"nec"};
  return module;
}

Plan plan(std::vector<PlannedModule> modules) {
  Plan out;
  out.modules = std::move(modules);
  return out;
}

class ExecutorStateTest : public ::testing::Test {
 protected:
  ExecutorStateTest() : store_(dir_.path() / "run") {
    store_.lock(std::chrono::steady_clock::now() + std::chrono::seconds(5));
    options_.wait = [](std::chrono::milliseconds) {};
    options_.unix_time = [] { return int64_t{1000}; };
    options_.boot_id = kBoot;
    modules_.add("xhci_pci", true).add("e1000e", true).add("iwlwifi", true);
  }
  std::vector<std::string> recorded() {
    std::vector<std::string> out;
    for (const StateRecord& record : store_.read().records)
      out.push_back(record.object.empty() ? record.verbatim : record.object);
    return out;
  }
  void state_text(const std::string& body) {
    dir_.write("run/state", "# suspendfix state 2\n" + body);
  }
  std::vector<ActionResult> pre(Plan work) {
    return run_pre(work, "pre suspend", {modules_, devices_}, store_, options_);
  }
  std::vector<ActionResult> post(const std::string& label = "post suspend") {
    return run_post(label, {modules_, devices_}, store_, options_);
  }
  size_t count(const std::string& call) const {
    return static_cast<size_t>(std::count(modules_.calls.begin(), modules_.calls.end(), call));
  }

  TestDir dir_;
  FakeModuleBackend modules_;
  FakeDeviceBackend devices_;
  StateStore store_;
  ExecutorOptions options_;
};

TEST_F(ExecutorStateTest, ANewPreForgetsWhatIsBackAndCarriesWhatIsStillGone) {
  pre(plan({planned("xhci_pci"), planned("e1000e")}));
  // No post came; someone loaded e1000e by hand, then the machine is suspended again.
  modules_.load("e1000e");
  CaptureStderr();
  pre(plan({planned("e1000e")}));
  const std::string log = GetCapturedStderr();
  EXPECT_NE(log.find("e1000e is back since an earlier pre"), std::string::npos) << log;
  EXPECT_NE(log.find("1 action(s) of an earlier pre were never undone"), std::string::npos);
  EXPECT_EQ(recorded(), (std::vector<std::string>{"xhci_pci", "e1000e"}));
  EXPECT_EQ(count("load xhci_pci"), 0u) << "never reloaded before this sleep";
  post();
  EXPECT_EQ(count("load xhci_pci"), 1u);
  EXPECT_EQ(count("load e1000e"), 2u) << "by hand, then once by post";
  EXPECT_TRUE(recorded().empty());
}

TEST_F(ExecutorStateTest, PostLeavesRecordsOfAnotherBootAndRestoreChecksThem) {
  modules_.add("e1000e", false).add("iwlwifi", true);
  state_text(std::string("module e1000e - suspend 1 - ") + kOtherBoot + "\nmodule iwlwifi - " +
             "suspend 1 - " + kOtherBoot + "\n");
  CaptureStderr();
  const auto results = post();
  EXPECT_NE(GetCapturedStderr().find("was recorded in another boot"), std::string::npos);
  EXPECT_TRUE(modules_.calls.empty()) << "not acted on blindly";
  EXPECT_EQ(results.at(0).outcome, ActionResult::Outcome::kSkipped);
  EXPECT_EQ(recorded(), (std::vector<std::string>{"e1000e", "iwlwifi"}));
  options_.restore = true;
  CaptureStderr();
  post("restore");
  const std::string log = GetCapturedStderr();
  EXPECT_NE(log.find("'iwlwifi' is loaded already"), std::string::npos) << log;
  EXPECT_NE(log.find("loaded 'e1000e' (recorded in another boot)"), std::string::npos) << log;
  EXPECT_EQ(modules_.calls, (std::vector<std::string>{"load e1000e"}));
  EXPECT_TRUE(recorded().empty());
}

TEST_F(ExecutorStateTest, ADamagedRecordIsUndoneAsFarAsItCanBeRead) {
  modules_.add("xhci_pci", false);
  state_text("module xhci_pci - susp\n");  // cut mid-line
  CaptureStderr();
  const auto results = post();
  const std::string log = GetCapturedStderr();
  EXPECT_NE(log.find("loaded 'xhci_pci' (from damaged line 2 of"), std::string::npos) << log;
  EXPECT_TRUE(modules_.loaded("xhci_pci"));
  EXPECT_TRUE(recorded().empty());
  EXPECT_EQ(results.at(0).outcome, ActionResult::Outcome::kDone);
}

TEST_F(ExecutorStateTest, ALineOfWhichNothingCanBeReadStaysUntilForgotten) {
  state_text("\x7f\x45LF garbage\n");
  const auto results = post();
  EXPECT_EQ(results.at(0).outcome, ActionResult::Outcome::kFailed);
  EXPECT_EQ(recorded(), (std::vector<std::string>{"\x7f\x45LF garbage"}));
  options_.restore = true;
  post("restore");
  EXPECT_EQ(recorded().size(), 1u) << "restore alone keeps it";
  options_.forget_unreadable = true;
  CaptureStderr();
  post("restore");
  EXPECT_NE(GetCapturedStderr().find("forgetting line 2 of"), std::string::npos);
  EXPECT_TRUE(recorded().empty());
}

TEST_F(ExecutorStateTest, AnUnbindRecordWithoutADriverCanBeCleared) {
  devices_.add("0000:01:00.0", "").add("0000:02:00.0", "");
  devices_.probe_finds("0000:01:00.0", "brcmfmac");
  state_text(std::string("unbind 0000:01:00.0 - suspend 1 - ") + kBoot +
             "\nunbind 0000:02:00.0 .. suspend 1 - " + kBoot + "\n");
  CaptureStderr();
  const auto results = post();
  const std::string log = GetCapturedStderr();
  EXPECT_EQ(devices_.bound_driver("0000:01:00.0"), "brcmfmac");
  EXPECT_NE(log.find("cannot bind 0000:02:00.0: the record names no driver"), std::string::npos)
      << log;
  EXPECT_TRUE(recorded().empty()) << "neither fails every post forever";
  EXPECT_EQ(devices_.calls, (std::vector<std::string>{"probe 0000:02:00.0", "probe 0000:01:00.0"}));
}

TEST_F(ExecutorStateTest, AModuleSomeoneElseLoadedIsNotReportedAsLoaded) {
  pre(plan({planned("e1000e")}));
  modules_.load("e1000e");
  modules_.calls.clear();
  CaptureStderr();
  post();
  const std::string log = GetCapturedStderr();
  EXPECT_NE(log.find("'e1000e' is loaded already (not by suspendfix): nothing to load"),
            std::string::npos)
      << log;
  EXPECT_EQ(log.find("loaded 'e1000e'"), std::string::npos) << log;
  EXPECT_TRUE(modules_.calls.empty());
}

/// Runs body with the file size limit at bytes, so that writes past it fail as on a full
/// tmpfs; returns what it logged (through a pipe: a capture file would be limited too).
template <typename Body>
std::string with_file_size_limit(rlim_t bytes, Body body) {
  int pipe_fds[2];
  EXPECT_EQ(pipe(pipe_fds), 0);
  const int saved_stderr = dup(STDERR_FILENO);
  dup2(pipe_fds[1], STDERR_FILENO);
  struct rlimit saved {};
  getrlimit(RLIMIT_FSIZE, &saved);
  const auto old_handler = signal(SIGXFSZ, SIG_IGN);
  struct rlimit limit = saved;
  limit.rlim_cur = bytes;
  setrlimit(RLIMIT_FSIZE, &limit);
  body();
  setrlimit(RLIMIT_FSIZE, &saved);
  signal(SIGXFSZ, old_handler);
  dup2(saved_stderr, STDERR_FILENO);
  close(saved_stderr);
  close(pipe_fds[1]);
  std::string text;
  char buffer[4096];
  for (ssize_t got; (got = read(pipe_fds[0], buffer, sizeof buffer)) > 0;)
    text.append(buffer, static_cast<size_t>(got));
  close(pipe_fds[0]);
  return text;
}

TEST_F(ExecutorStateTest, AFullStateDirectoryMidPreStopsThereAndSaysWhatIsDone) {
  StateRecord one;
  one.object = "xhci_pci";
  one.time = 1000;
  one.profiles = "nec";
  one.boot_id = kBoot;
  StateFile sized;
  sized.records = {one};
  const size_t fits_one = format_state(sized).size() + 10;
  std::vector<ActionResult> results;
  const std::string log = with_file_size_limit(fits_one, [&] {
    results = pre(plan({planned("xhci_pci"), planned("e1000e"), planned("iwlwifi")}));
  });
  EXPECT_NE(log.find("could not record 'e1000e' before unloading it: could not write"),
            std::string::npos)
      << log;
  EXPECT_NE(log.find("unloading nothing more (already done and recorded: xhci_pci)"),
            std::string::npos)
      << log;
  EXPECT_EQ(log.find("unloading nothing\n"), std::string::npos);
  EXPECT_FALSE(modules_.loaded("xhci_pci"));
  EXPECT_TRUE(modules_.loaded("e1000e")) << "not unloaded without its record";
  EXPECT_TRUE(modules_.loaded("iwlwifi"));
  EXPECT_EQ(results.at(2).reason, "the state file cannot be written, left loaded");
  EXPECT_EQ(recorded(), (std::vector<std::string>{"xhci_pci"}));
  EXPECT_FALSE(std::filesystem::exists(dir_.path() / "run/state.tmp"));
}

TEST_F(ExecutorStateTest, AStateWriteFailureInPostIsNotAFailedLoad) {
  pre(plan({planned("xhci_pci"), planned("e1000e")}));
  std::vector<ActionResult> results;
  const std::string log = with_file_size_limit(20, [&] { results = post(); });
  EXPECT_NE(log.find("post suspend: loaded 'e1000e'"), std::string::npos) << log;
  EXPECT_NE(log.find("the record of e1000e stays, and the next post or restore will find it done"),
            std::string::npos)
      << log;
  EXPECT_EQ(log.find("could not load 'e1000e'"), std::string::npos) << log;
  EXPECT_EQ(results.at(0).outcome, ActionResult::Outcome::kDone);
  EXPECT_TRUE(modules_.loaded("e1000e"));
  EXPECT_TRUE(modules_.loaded("xhci_pci"));
}

TEST_F(ExecutorStateTest, TheWatchHeaderGoesOutWithTheFirstRecordAndPostSettlesIt) {
  WatchHeader watch;
  watch.generation = 42;
  watch.boot_id = kBoot;
  options_.watch = watch;
  std::vector<uint64_t> started;
  options_.start_watcher = [&](const WatchHeader& header) {
    // The watcher may only start once its header is on disk.
    EXPECT_EQ(store_.read().watch->generation, header.generation);
    started.push_back(header.generation);
  };
  pre(plan({planned("xhci_pci"), planned("e1000e")}));
  EXPECT_EQ(started, (std::vector<uint64_t>{42}));
  ASSERT_TRUE(store_.read().watch);
  // A pre with nothing to do starts no watcher.
  TestDir other;
  StateStore empty(other.path() / "run");
  empty.lock(std::chrono::steady_clock::now() + std::chrono::seconds(5));
  run_pre(plan({planned("nvme")}), "pre suspend", {modules_, devices_}, empty, options_);
  EXPECT_EQ(started.size(), 1u);
  // post settles the record first thing, even when a load then fails.
  modules_.fail_load("xhci_pci", ENODEV);
  post();
  EXPECT_FALSE(store_.read().watch);
  EXPECT_EQ(recorded(), (std::vector<std::string>{"xhci_pci"}));
}

TEST_F(ExecutorStateTest, ANewPreOverPendingRecordsTakesOverTheWatch) {
  WatchHeader watch;
  watch.generation = 1;
  options_.watch = watch;
  int started = 0;
  options_.start_watcher = [&](const WatchHeader&) { ++started; };
  pre(plan({planned("xhci_pci")}));
  options_.watch->generation = 2;
  pre(plan({}));  // changes nothing, but xhci_pci is still pending
  EXPECT_EQ(store_.read().watch->generation, 2u) << "the old watcher sees it and exits";
  EXPECT_EQ(started, 2);
}

}  // namespace
}  // namespace suspendfix
