// SPDX-License-Identifier: GPL-2.0-or-later
// Real machines: dumps of real hardware (tests/data/machines/real, each naming its source),
// replayed through the built detect with the shipped profiles. Each machine must match exactly
// the profiles its header expects, and list exactly the near misses it names: a profile that
// misses a real machine's DMI strings or ids, or catches a machine it was not written for,
// fails here.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "integration/run_command.hpp"
#include "integration/testbed.hpp"

namespace suspendfix {
namespace {

namespace fs = std::filesystem;
using testing::read_file;
using testing::run_command;
using testing::Testbed;

const std::string kDirectory = std::string(SUSPENDFIX_TEST_DATA) + "/machines/real";

std::vector<std::string> machine_names() {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(kDirectory))
    if (entry.path().extension() == ".umockdev") names.push_back(entry.path().stem().string());
  std::sort(names.begin(), names.end());
  return names;
}

/// The words after "# KEY:" in the machine's header.
std::vector<std::string> header_words(const std::string& text, const std::string& key) {
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("# " + key + ":", 0) != 0) continue;
    std::istringstream words(line.substr(key.size() + 3));
    std::vector<std::string> out;
    for (std::string word; words >> word;) out.push_back(word);
    return out;
  }
  return {};
}

class RealMachine : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (!Testbed::mocked()) GTEST_SKIP() << "not running under umockdev-wrapper: /sys is real";
  }
  Testbed testbed_;
};

TEST_P(RealMachine, MatchesExactlyTheProfilesMeantForIt) {
  const std::string text = read_file(kDirectory + "/" + GetParam() + ".umockdev");
  ASSERT_NE(text.find("# Source: "), std::string::npos) << "the file must name its source";
  const auto kernel = header_words(text, "kernel");
  ASSERT_FALSE(kernel.empty()) << "the header must name the dump's kernel";
  const auto expect = header_words(text, "expect");
  const auto near = header_words(text, "near-miss");
  testbed_.load_machine("real/" + GetParam());

  const auto result =
      run_command({SUSPENDFIX_BINARY, "detect", "--json", "--no-hwdb", "--profiles",
                   std::string(SUSPENDFIX_SOURCE_DIR) + "/profiles", "--kernel-release", kernel[0]},
                  {"SUSPENDFIX_STATE_DIR=/nonexistent/suspendfix-test", "SUSPENDFIX_CACHE_DIR="});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  std::set<std::string> matched, missed;
  const auto report = nlohmann::json::parse(result.out);
  for (const auto& match : report["matches"])
    (match["applies"].get<bool>() ? matched : missed).insert(match["id"].get<std::string>());
  EXPECT_EQ(matched, std::set<std::string>(expect.begin(), expect.end()));
  EXPECT_EQ(missed, std::set<std::string>(near.begin(), near.end()));
}

/// "dell-inspiron-5515" -> "dell_inspiron_5515": test names are identifiers.
std::string test_name(const ::testing::TestParamInfo<std::string>& info) {
  std::string name = info.param;
  std::replace_if(
      name.begin(), name.end(), [](char c) { return !std::isalnum(c); }, '_');
  return name;
}

INSTANTIATE_TEST_SUITE_P(Dumps, RealMachine, ::testing::ValuesIn(machine_names()), test_name);

// Every machine is generated from a transcribed dump (NAME.probe, checked for drift by the lint
// test real_machines_generated).
TEST(RealMachineDumps, HaveTheirSourceAndProbe) {
  ASSERT_FALSE(machine_names().empty());
  for (const std::string& name : machine_names())
    EXPECT_TRUE(fs::exists(kDirectory + "/" + name + ".probe")) << name;
}

// A real firmware string keeps its trailing spaces in sysfs ("XPS L501X  " on the L501X), and
// suspendfix matches a DMI pattern against the value without them: a profile written with the
// exact model name must match the real machine.
TEST(RealMachineDumps, TrailingSpacesOfRealFirmwareStillMatch) {
  Testbed testbed;
  if (!Testbed::mocked()) GTEST_SKIP() << "not running under umockdev-wrapper: /sys is real";
  testbed.load_machine("real/dell-xps-l501x");
  const std::string raw = read_file(testbed.sys_dir() + "/class/dmi/id/product_name");
  ASSERT_EQ(raw, "XPS L501X  \n") << "the fixture must keep the firmware's two trailing spaces";
  char pattern[] = "/tmp/suspendfix-exact-XXXXXX";
  const std::string directory = mkdtemp(pattern);
  {
    std::ofstream profile(directory + "/exact.yaml");
    profile << "id: exact\ndescription: d\nsources: [s]\n"
               "match: {dmi: {product_name: \"XPS L501X\"}}\nactions: {unload_modules: [x]}\n";
  }
  const auto result =
      run_command({SUSPENDFIX_BINARY, "detect", "--json", "--no-hwdb", "--profiles", directory,
                   "--kernel-release", "5.15.0"},
                  {"SUSPENDFIX_STATE_DIR=/nonexistent/suspendfix-test", "SUSPENDFIX_CACHE_DIR="});
  fs::remove_all(directory);
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const auto report = nlohmann::json::parse(result.out);
  ASSERT_EQ(report["matches"].size(), 1u);
  EXPECT_TRUE(report["matches"][0]["applies"].get<bool>());
}

}  // namespace
}  // namespace suspendfix
