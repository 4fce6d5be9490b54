// SPDX-License-Identifier: GPL-2.0-or-later
// The built binary against fixture machines: golden text and JSON (kmod's correct.txt).
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "integration/run_command.hpp"
#include "integration/testbed.hpp"
#include "unit/test_dir.hpp"

namespace suspendfix {
namespace {

using testing::matches_golden;
using testing::run_command;
using testing::Testbed;

class DetectTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!Testbed::mocked()) GTEST_SKIP() << "not running under umockdev-wrapper: /sys is real";
  }
  /// detect with the shipped NEC profile, a fixed kernel and no host hwdb, so output is stable.
  testing::CommandResult detect(std::vector<std::string> extra) {
    std::vector<std::string> argv = {SUSPENDFIX_BINARY, "detect", "--profiles",
                                     std::string(SUSPENDFIX_SOURCE_DIR) + "/profiles/nec",
                                     "--no-hwdb"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return run_command(argv, {"SUSPENDFIX_STATE_DIR=/nonexistent/suspendfix-test"});
  }
  static std::string portable(std::string text) {
    const std::string source = SUSPENDFIX_SOURCE_DIR;
    for (size_t at; (at = text.find(source)) != std::string::npos;)
      text.replace(at, source.size(), "@SOURCE@");
    return text;
  }
  Testbed testbed_;
};

TEST_F(DetectTest, SeedLaptopText) {
  testbed_.load_machine("lenovo-t510-nec");
  const auto result = detect({"--kernel-release", "6.1.0-27-amd64"});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.err, "");
  EXPECT_TRUE(matches_golden("detect-lenovo-t510-nec.txt", portable(result.out)));
}

TEST_F(DetectTest, SeedLaptopJson) {
  testbed_.load_machine("lenovo-t510-nec");
  const auto result = detect({"--kernel-release", "6.1.0-27-amd64", "--json"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_TRUE(matches_golden("detect-lenovo-t510-nec.json", portable(result.out)));
  const auto json = nlohmann::json::parse(result.out);
  EXPECT_EQ(json["schema"], 1);
  ASSERT_EQ(json["matches"].size(), 1u);
  EXPECT_EQ(json["matches"][0]["id"], "nec-upd720200-xhci");
  ASSERT_EQ(json["plan"]["modules"].size(), 1u);
  EXPECT_EQ(json["plan"]["modules"][0]["name"], "xhci_pci");
  EXPECT_EQ(json["plan"]["modules"][0]["decision"], "unload");
}

TEST_F(DetectTest, SeedLaptopOnTheSeedsKernels) {
  testbed_.load_machine("lenovo-t510-nec");
  // 3.2: the named xhci_hcd joins the bound xhci_pci, behind it (xhci_pci holds it).
  auto json = nlohmann::json::parse(detect({"--kernel-release", "3.2.0-4-amd64", "--json"}).out);
  ASSERT_EQ(json["plan"]["modules"].size(), 2u);
  EXPECT_EQ(json["plan"]["modules"][0]["name"], "xhci_pci");
  EXPECT_EQ(json["plan"]["modules"][1]["name"], "xhci_hcd");
  // 2.6.32: the module was still called "xhci"; on this fixture it is not loaded.
  json = nlohmann::json::parse(detect({"--kernel-release", "2.6.32-5-amd64", "--json"}).out);
  ASSERT_EQ(json["plan"]["modules"].size(), 2u);
  EXPECT_EQ(json["plan"]["modules"][1]["name"], "xhci");
  EXPECT_EQ(json["plan"]["modules"][1]["decision"], "not-loaded");
}

TEST_F(DetectTest, MachineWithoutTheControllerSaysSoPlainly) {
  testbed_.load_machine("dell-e6410");
  const auto result = detect({"--kernel-release", "6.1.0-27-amd64"});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_TRUE(matches_golden("detect-dell-e6410.txt", portable(result.out)));
  EXPECT_NE(result.out.find("No profile matches this machine."), std::string::npos);
}

TEST_F(DetectTest, BadProfileIsReportedAndTheGoodOnesStillApply) {
  testbed_.load_machine("lenovo-t510-nec");
  const std::string bad = std::string(SUSPENDFIX_TEST_DATA) + "/profiles/bad";
  const auto result = detect({"--kernel-release", "6.1.0-27-amd64", "--profiles", bad, "--json"});
  ASSERT_EQ(result.exit_code, 0);
  const auto json = nlohmann::json::parse(result.out);
  EXPECT_EQ(json["matches"].size(), 1u) << "the NEC profile still applies";
  EXPECT_FALSE(json["profiles"]["errors"].empty());
  EXPECT_NE(result.err.find("WARNING: "), std::string::npos) << "each bad file is logged";
  EXPECT_NE(result.err.find(", skipping it"), std::string::npos);
}

TEST_F(DetectTest, ShowsWhatAnEarlierSleepLeftUndone) {
  testbed_.load_machine("lenovo-t510-nec");
  testing::TestDir dir;
  dir.write("run/state", "# state\nmodule xhci_pci - suspend 1732850000 nec-upd720200-xhci\n");
  std::filesystem::permissions(dir.path() / "run", std::filesystem::perms::owner_all);
  const auto result = run_command({SUSPENDFIX_BINARY, "detect", "--no-hwdb", "--profiles",
                                   std::string(SUSPENDFIX_SOURCE_DIR) + "/profiles/nec"},
                                  {"SUSPENDFIX_STATE_DIR=" + (dir.path() / "run").string()});
  EXPECT_NE(result.out.find("Pending from an earlier sleep (run 'suspendfix restore'):\n  module "
                            "xhci_pci (before suspend)"),
            std::string::npos)
      << result.out;
}

TEST_F(DetectTest, NoProfilesAtAllIsSaidAloud) {
  // A wrong install (profiles under another prefix) must not read as "nothing to do".
  testbed_.load_machine("lenovo-t510-nec");
  const auto result =
      run_command({SUSPENDFIX_BINARY, "detect", "--no-hwdb", "--profiles", "/nonexistent/profiles"},
                  {"SUSPENDFIX_STATE_DIR=/nonexistent/suspendfix-test"});
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_NE(result.err.find(
                "WARNING: no profiles found in /nonexistent/profiles: nothing will be unloaded"),
            std::string::npos)
      << result.err;
}

TEST_F(DetectTest, UsageErrorsExitTwo) {
  EXPECT_EQ(run_command({SUSPENDFIX_BINARY, "detect", "--sleep", "nap"}).exit_code, 2);
  EXPECT_EQ(run_command({SUSPENDFIX_BINARY, "frobnicate"}).exit_code, 2);
}

}  // namespace
}  // namespace suspendfix

namespace suspendfix {
namespace {

TEST_F(DetectTest, ProfileNewDraftsAValidProfileThatMatches) {
  testbed_.load_machine("lenovo-t510-nec");
  const auto draft = run_command(
      {SUSPENDFIX_BINARY, "profile", "new", "0000:0f:00.0", "--kernel-release", "6.1.0-27-amd64"});
  ASSERT_EQ(draft.exit_code, 0) << draft.err;
  EXPECT_NE(draft.out.find("# NEC Corporation uPD720200 USB 3.0 Host Controller, PCI 1033:0194 "
                           "(subsystem 17aa:219c)"),
            std::string::npos)
      << draft.out;
  EXPECT_NE(draft.out.find("# Seen on: LENOVO 4313CTO (ThinkPad T510), BIOS 6MET64WW (1.27 ), "
                           "kernel 6.1.0-27-amd64"),
            std::string::npos);
  EXPECT_NE(draft.out.find("# Driver: xhci_hcd, module xhci_pci"), std::string::npos);
  EXPECT_NE(draft.out.find("unload_bound_module: true"), std::string::npos);

  testing::TestDir dir;
  dir.write("draft.yaml", draft.out);
  const auto validated =
      run_command({SUSPENDFIX_BINARY, "validate", (dir.path() / "draft.yaml").string()});
  EXPECT_EQ(validated.exit_code, 0) << validated.err;
  const auto json =
      nlohmann::json::parse(run_command({SUSPENDFIX_BINARY, "detect", "--json", "--no-hwdb",
                                         "--profiles", dir.path().string()})
                                .out);
  ASSERT_EQ(json["matches"].size(), 1u);
  EXPECT_EQ(json["matches"][0]["id"], "nec-corporation-1033-0194");
  EXPECT_EQ(json["plan"]["modules"][0]["name"], "xhci_pci");
}

TEST_F(DetectTest, ProfileNewForAnUnknownDeviceIsAUsageError) {
  testbed_.load_machine("lenovo-t510-nec");
  const auto result = run_command({SUSPENDFIX_BINARY, "profile", "new", "dead:beef"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("no PCI device 'dead:beef' on this machine"), std::string::npos);
}

}  // namespace
}  // namespace suspendfix
