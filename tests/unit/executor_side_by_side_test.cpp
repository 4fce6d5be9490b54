// SPDX-License-Identifier: GPL-2.0-or-later
// post loads modules that depend on none of each other side by side, one backend per thread.
#include <gtest/gtest.h>

#include <algorithm>
#include <condition_variable>
#include <map>
#include <mutex>
#include <set>

#include "executor.hpp"
#include "fakes/fake_device_backend.hpp"
#include "unit/test_dir.hpp"

namespace suspendfix {
namespace {

using testing::TestDir;

constexpr char kBoot[] = "0c1f3b0e-6a4d-4f5e-9c2b-7d8e9f0a1b2c";

/// One kernel behind several backends, as libkmod contexts share the real one. Each of the
/// first `together` loads waits (at most 2 s) until `together` loads are under way, so that a
/// test sees loads overlap rather than assume it: loaded one after the other, they each wait
/// out the limit, and the most seen under way stays 1.
struct SharedKernel {
  std::mutex mutex;
  std::condition_variable changed;
  std::map<std::string, std::vector<std::string>> depends;  // every module it knows
  std::set<std::string> loaded;
  std::set<std::string> failing;  // loads of these fail with EIO
  size_t together = 1;
  size_t under_way = 0;
  size_t most_under_way = 0;
  bool met = false;                  // `together` loads were under way at once
  std::vector<std::string> started;  // loads, in the order they began
  bool threads = true;               // whether for_another_thread gives a backend
  int backends = 1;
};

class SharedKernelBackend : public ModuleBackend {
 public:
  explicit SharedKernelBackend(SharedKernel& kernel) : kernel_(kernel) {}

  ModuleStatus status(const std::string& name) override {
    std::lock_guard<std::mutex> lock(kernel_.mutex);
    ModuleStatus status;
    if (kernel_.loaded.count(name)) status.state = ModuleState::kLive;
    return status;
  }
  void unload(const std::string& name) override {
    std::lock_guard<std::mutex> lock(kernel_.mutex);
    kernel_.loaded.erase(name);
  }
  void load(const std::string& name) override {
    std::unique_lock<std::mutex> lock(kernel_.mutex);
    kernel_.started.push_back(name);
    ++kernel_.under_way;
    kernel_.most_under_way = std::max(kernel_.most_under_way, kernel_.under_way);
    if (kernel_.under_way >= kernel_.together) kernel_.met = true;
    kernel_.changed.notify_all();
    // Only the first `together` loads wait for each other; later ones go at once.
    if (kernel_.started.size() <= kernel_.together)
      kernel_.changed.wait_for(lock, std::chrono::seconds(2), [&] { return kernel_.met; });
    --kernel_.under_way;
    if (kernel_.failing.count(name)) throw ModuleError("load", name, EIO);
    const auto known = kernel_.depends.find(name);
    if (known != kernel_.depends.end())
      for (const std::string& dependency : known->second) kernel_.loaded.insert(dependency);
    kernel_.loaded.insert(name);
  }
  std::optional<std::vector<std::string>> dependencies(const std::string& name) override {
    std::lock_guard<std::mutex> lock(kernel_.mutex);
    const auto it = kernel_.depends.find(name);
    if (it == kernel_.depends.end()) return std::nullopt;
    return it->second;
  }
  std::unique_ptr<ModuleBackend> for_another_thread() override {
    std::lock_guard<std::mutex> lock(kernel_.mutex);
    if (!kernel_.threads) return nullptr;
    ++kernel_.backends;
    return std::make_unique<SharedKernelBackend>(kernel_);
  }

 private:
  SharedKernel& kernel_;
};

class SideBySideTest : public ::testing::Test {
 protected:
  SideBySideTest() : store_(dir_.path() / "run"), modules_(kernel_) {
    store_.lock(std::chrono::steady_clock::now() + std::chrono::seconds(5));
    options_.wait = [](std::chrono::milliseconds) {};
    options_.unix_time = [] { return int64_t{1000}; };
    options_.boot_id = kBoot;
    // A laptop's three drivers: USB 3 and the wired network share nothing; the USB 3
    // controller's driver needs xhci_hcd.
    kernel_.depends = {
        {"xhci_hcd", {}}, {"xhci_pci", {"xhci_hcd"}}, {"e1000e", {}}, {"iwlwifi", {}}};
    kernel_.loaded = {"xhci_hcd", "xhci_pci", "e1000e", "iwlwifi"};
  }
  /// pre unloads names in this order, as a plan would; each from a profile of its own
  /// ("laptop-NAME") unless `profile` names the one they all come from.
  void unload(const std::vector<std::string>& names, const std::string& profile = "") {
    Plan plan;
    for (const std::string& name : names) {
      PlannedModule module;
      module.name = name;
      module.decision = Decision::kUnload;
      module.why = "test";
      module.profiles = {profile.empty() ? "laptop-" + name : profile};
      plan.modules.push_back(module);
    }
    run_pre(plan, "pre suspend", {modules_, devices_}, store_, options_);
  }
  std::vector<std::string> recorded() {
    std::vector<std::string> out;
    for (const StateRecord& record : store_.read().records) out.push_back(record.object);
    return out;
  }
  std::vector<ActionResult> post() {
    return run_post("post suspend", {modules_, devices_}, store_, options_);
  }

  TestDir dir_;
  SharedKernel kernel_;
  FakeDeviceBackend devices_;
  StateStore store_;
  SharedKernelBackend modules_;
  ExecutorOptions options_;
};

TEST_F(SideBySideTest, ModulesThatShareNothingLoadAtTheSameTime) {
  unload({"e1000e", "iwlwifi", "xhci_pci"});
  ASSERT_EQ(recorded(), (std::vector<std::string>{"e1000e", "iwlwifi", "xhci_pci"}));
  kernel_.together = 3;

  const auto results = post();

  EXPECT_EQ(kernel_.most_under_way, 3u);
  EXPECT_EQ(kernel_.backends, 3);  // one libkmod context per thread
  ASSERT_EQ(results.size(), 3u);
  // Reported and forgotten in the order post undoes them: the last unloaded first.
  EXPECT_EQ(results[0].object, "xhci_pci");
  EXPECT_EQ(results[1].object, "iwlwifi");
  EXPECT_EQ(results[2].object, "e1000e");
  for (const ActionResult& result : results)
    EXPECT_EQ(result.outcome, ActionResult::Outcome::kDone) << result.object;
  EXPECT_TRUE(recorded().empty());
  EXPECT_EQ(kernel_.loaded.count("e1000e") + kernel_.loaded.count("iwlwifi") +
                kernel_.loaded.count("xhci_pci"),
            3u);
}

TEST_F(SideBySideTest, AModuleLoadsOnlyAfterTheOneItDependsOn) {
  // pre takes xhci_pci (the holder) first, then xhci_hcd: post loads xhci_hcd, then xhci_pci.
  unload({"xhci_pci", "xhci_hcd"});
  kernel_.together = 1;

  const auto results = post();

  EXPECT_EQ(kernel_.most_under_way, 1u);
  EXPECT_EQ(kernel_.started, (std::vector<std::string>{"xhci_hcd", "xhci_pci"}));
  EXPECT_EQ(kernel_.backends, 1);
  ASSERT_EQ(results.size(), 2u);
  EXPECT_EQ(results[0].outcome, ActionResult::Outcome::kDone);
  EXPECT_EQ(results[1].outcome, ActionResult::Outcome::kDone);
  EXPECT_TRUE(recorded().empty());
}

TEST_F(SideBySideTest, OnlyTheRecordsNextInLineThatShareNothingGoTogether) {
  // Undone in reverse: e1000e and xhci_hcd together; xhci_pci needs xhci_hcd, so it waits.
  unload({"xhci_pci", "xhci_hcd", "e1000e"});
  kernel_.together = 2;

  post();

  EXPECT_EQ(kernel_.most_under_way, 2u);
  ASSERT_EQ(kernel_.started.size(), 3u);
  EXPECT_EQ(kernel_.started.back(), "xhci_pci");
  EXPECT_TRUE(recorded().empty());
}

TEST_F(SideBySideTest, TheModulesOfOneProfileLoadInItsOrder) {
  // A profile that lists several modules may have put them in an order (the T2 Touch Bar
  // guides load hid_appletb_bl, hid_appletb_kbd, appletbdrm in turn): post keeps it.
  unload({"e1000e", "iwlwifi"}, "one-laptop");
  kernel_.together = 1;

  post();

  EXPECT_EQ(kernel_.most_under_way, 1u);
  EXPECT_EQ(kernel_.started, (std::vector<std::string>{"iwlwifi", "e1000e"}));
  EXPECT_EQ(kernel_.backends, 1);
  EXPECT_TRUE(recorded().empty());
}

TEST_F(SideBySideTest, AFailedLoadStaysRecordedAndTheOthersAreForgotten) {
  unload({"e1000e", "iwlwifi"});
  kernel_.together = 2;
  kernel_.failing = {"iwlwifi"};

  const auto results = post();

  EXPECT_EQ(kernel_.most_under_way, 2u);
  ASSERT_EQ(results.size(), 2u);
  EXPECT_EQ(results[0].object, "iwlwifi");
  EXPECT_EQ(results[0].outcome, ActionResult::Outcome::kFailed);
  EXPECT_EQ(results[1].object, "e1000e");
  EXPECT_EQ(results[1].outcome, ActionResult::Outcome::kDone);
  EXPECT_EQ(recorded(), (std::vector<std::string>{"iwlwifi"}));
  EXPECT_FALSE(kernel_.loaded.count("iwlwifi"));
  EXPECT_TRUE(kernel_.loaded.count("e1000e"));
}

TEST_F(SideBySideTest, WithoutASecondBackendEverythingLoadsInTurn) {
  unload({"e1000e", "iwlwifi"});
  kernel_.threads = false;
  kernel_.together = 1;

  const auto results = post();

  EXPECT_EQ(kernel_.most_under_way, 1u);
  EXPECT_EQ(kernel_.started, (std::vector<std::string>{"iwlwifi", "e1000e"}));
  ASSERT_EQ(results.size(), 2u);
  EXPECT_TRUE(recorded().empty());
}

TEST_F(SideBySideTest, ModulesOfUnknownDependenciesLoadInTurn) {
  kernel_.depends["mystery"] = {};
  kernel_.loaded.insert("mystery");
  unload({"e1000e", "mystery"});
  kernel_.depends.erase("mystery");  // modules.dep no longer names it
  kernel_.together = 1;

  post();

  EXPECT_EQ(kernel_.most_under_way, 1u);
  EXPECT_EQ(kernel_.backends, 1);
  EXPECT_TRUE(recorded().empty());
}

}  // namespace
}  // namespace suspendfix
