// SPDX-License-Identifier: GPL-2.0-or-later
#include "config/admin_config.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <string>
#include <vector>

#include "unit/test_dir.hpp"

namespace suspendfix {
namespace {

AdminConfig parse(const std::string& text) { return parse_admin_config(text, "config.yaml"); }

std::string error_of(const std::string& text) {
  try {
    parse(text);
  } catch (const ProfileError& error) {
    return error.what();
  }
  return "parsed";
}

TEST(AdminConfig, EmptyFileGivesDefaults) {
  const AdminConfig config = parse("");
  EXPECT_TRUE(config.unload_modules.empty());
  EXPECT_EQ(config.timeout_seconds, 30);
  EXPECT_TRUE(config.acts_on(SleepType::kSuspendThenHibernate));
}

TEST(AdminConfig, ReadsEveryKey) {
  const AdminConfig config = parse(R"(unload_modules:
  - r8169
  - {name: mt7921e, sleep: [hibernate]}
keep_modules: [btusb]
disable_profiles: [nec-upd720200-xhci]
sleep_types: [suspend, hibernate]
timeout_seconds: 20
busy_retry_ms: 500
)");
  ASSERT_EQ(config.unload_modules.size(), 2u);
  EXPECT_EQ(config.unload_modules[1].name, "mt7921e");
  EXPECT_EQ(config.timeout_seconds, 20);
  EXPECT_EQ(config.busy_retry_ms, 500);
  EXPECT_FALSE(config.acts_on(SleepType::kHybridSleep));

  const PlanOptions suspend = config.plan_options(SleepType::kSuspend);
  EXPECT_EQ(suspend.extra_modules, (std::vector<std::string>{"r8169"}));
  EXPECT_EQ(config.keep_modules, (std::vector<std::string>{"btusb"}));
  EXPECT_EQ(suspend.disabled_profiles.count("nec-upd720200-xhci"), 1u);
  EXPECT_EQ(config.plan_options(SleepType::kHibernate).extra_modules,
            (std::vector<std::string>{"r8169", "mt7921e"}));
}

TEST(AdminConfig, BadValuesNameTheirPlace) {
  EXPECT_EQ(error_of("timeout_seconds: 600\n"),
            "config.yaml:1:18: bad timeout_seconds '600': expected a whole number from 1 to 80");
  EXPECT_EQ(error_of("unload_modules: [\"a b\"]\n"),
            "config.yaml:1:18: bad module name 'a b': only A-Z a-z 0-9 _ -, not starting with '-', "
            "at most 55 characters");
  EXPECT_EQ(error_of("sleep_types: [nap]\n"),
            "config.yaml:1:15: bad sleep type 'nap': expected suspend, hibernate, hybrid-sleep or "
            "suspend-then-hibernate");
  EXPECT_EQ(error_of("keep_modules: btusb\n"),
            "config.yaml:1:15: 'keep_modules' must be a list, not a string");
}

TEST(AdminConfig, UnknownKeyIsAnErrorNamingTheKeyItMeant) {
  // Issue 15: "keep_module: [xhci_pci]" was a warning, then pre unloaded xhci_pci.
  EXPECT_EQ(error_of("keep_module: [xhci_pci]\n"),
            "config.yaml:1:1: unknown key 'keep_module' in 'configuration', did you mean "
            "'keep_modules'?");
  EXPECT_EQ(error_of("suspend_modules: [x]\n"),
            "config.yaml:1:1: unknown key 'suspend_modules' in 'configuration'");
  EXPECT_EQ(error_of("unload_modules:\n  - {name: r8169, slep: [hibernate]}\n"),
            "config.yaml:2:19: unknown key 'slep' in 'unload_modules', did you mean 'sleep'?");
}

TEST(AdminConfig, DisabledProfileThatDoesNotExistIsNamedWithTheClosestId) {
  const AdminConfig config = parse("disable_profiles:\n  - nec-upd72020-xhci\n  - dell-e6410\n");
  std::vector<Profile> profiles(2);
  profiles[0].id = "nec-upd720200-xhci";
  profiles[1].id = "dell-e6410";
  const auto warnings = unknown_disabled_profiles(config, profiles);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_STREQ(warnings[0].what(),
               "config.yaml:2:5: disable_profiles names no known profile 'nec-upd72020-xhci', did "
               "you mean 'nec-upd720200-xhci'?");
  profiles[0].id = "something-else-entirely";
  EXPECT_STREQ(unknown_disabled_profiles(config, profiles).at(0).what(),
               "config.yaml:2:5: disable_profiles names no known profile 'nec-upd72020-xhci'");
}

std::string load_error(const ConfigFile& file) {
  try {
    load_admin_config(file);
  } catch (const FileError& error) {
    return error.what();
  }
  return "loaded";
}

TEST(AdminConfig, ConfigurationOthersCanWriteIsRefusedAsProfilesAre) {
  // Issue 15: a configuration of mode 0666 with unload_modules: [e1000e] made root unload it.
  testing::TestDir dir;
  const auto path = dir.write("suspendfix/config.yaml", "unload_modules: [e1000e]\n");
  ConfigFile file{path.string(), false, TrustRule{geteuid()}};
  EXPECT_EQ(load_admin_config(file).unload_modules.size(), 1u);
  ASSERT_EQ(chmod(path.c_str(), 0666), 0);
  EXPECT_EQ(load_error(file), path.string() + ": refusing a file writable by group or others");
  ASSERT_EQ(chmod(path.c_str(), 0644), 0);
  ASSERT_EQ(chmod(path.parent_path().c_str(), 0777), 0);
  EXPECT_NE(load_error(file).find("suspendfix: refusing a directory writable by group or others"),
            std::string::npos);
  file.trust.reset();
  EXPECT_EQ(load_error(file), "loaded") << "not root: no ownership check";
}

TEST(AdminConfig, ConfigurationOwnedByAnotherUserIsRefused) {
  if (geteuid() != 0) GTEST_SKIP() << "chown to another uid needs root";
  testing::TestDir dir;
  const auto path = dir.write("config.yaml", "unload_modules: [e1000e]\n");
  ASSERT_EQ(chown(path.c_str(), 4242, 4242), 0);
  EXPECT_EQ(load_error({path.string(), false, TrustRule{0}}),
            path.string() + ": refusing a file owned by uid 4242, not by root");
}

TEST(AdminConfig, MissingFileIsTheDefaultsUnlessItWasNamed) {
  EXPECT_EQ(load_error({"/nonexistent/config.yaml", false, TrustRule{0}}), "loaded");
  EXPECT_EQ(load_error({"/nonexistent/config.yaml", true, TrustRule{0}}),
            "/nonexistent/config.yaml: no such configuration file");
  EXPECT_EQ(load_error({"", true, std::nullopt}), "'': empty configuration file name");
}

// The package's example (packaging/debian/config.yaml) shows every key with its default:
// uncommented, it must parse, and to the defaults.
TEST(AdminConfigTest, ThePackagesExampleShowsTheDefaults) {
  std::ifstream file(std::string(SUSPENDFIX_SOURCE_DIR) + "/packaging/debian/config.yaml");
  ASSERT_TRUE(file) << "packaging/debian/config.yaml";
  std::string text, line;
  std::vector<std::string> keys;
  while (std::getline(file, line)) {
    // "#key: value" and "#  - item" are settings; "# words" are comments
    if (line.size() > 1 && line[0] == '#' && line[1] != ' ') {
      text += line.substr(1) + "\n";
      if (line.find(':') != std::string::npos && line[1] != ' ')
        keys.push_back(line.substr(1, line.find(':') - 1));
    } else if (line.rfind("#  - ", 0) == 0) {
      text += line.substr(1) + "\n";
    }
  }
  EXPECT_EQ(keys, (std::vector<std::string>{"unload_modules", "keep_modules", "disable_profiles",
                                            "sleep_types", "timeout_seconds", "busy_retry_ms",
                                            "restore_after_seconds", "reload_at_wake"}));
  const AdminConfig example = parse(text);
  const AdminConfig defaults;
  EXPECT_EQ(example.timeout_seconds, defaults.timeout_seconds);
  EXPECT_EQ(example.busy_retry_ms, defaults.busy_retry_ms);
  EXPECT_EQ(example.restore_after_seconds, defaults.restore_after_seconds);
  EXPECT_EQ(example.reload_at_wake, defaults.reload_at_wake);
  EXPECT_EQ(example.sleep_types.size(), 4u) << "all four, as the default";
}

}  // namespace
}  // namespace suspendfix
