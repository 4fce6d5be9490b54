// SPDX-License-Identifier: GPL-2.0-or-later
#include "config/pm_utils_import.hpp"

#include <gtest/gtest.h>

#include "config/admin_config.hpp"

namespace suspendfix {
namespace {

std::vector<std::string> names(const PmUtilsImport& imported) {
  std::vector<std::string> out;
  for (const ImportedModule& module : imported.modules) out.push_back(module.name);
  return out;
}

TEST(PmUtilsImport, TheSeedsLine) {
  const auto imported =
      import_pm_utils({{"/etc/pm/config.d/unload_modules", "SUSPEND_MODULES=\"xhci xhci_hcd\"\n"}});
  EXPECT_EQ(names(imported), (std::vector<std::string>{"xhci", "xhci_hcd"}));
  EXPECT_EQ(imported.modules[0].origin, "/etc/pm/config.d/unload_modules");
  EXPECT_TRUE(imported.warnings.empty());
}

TEST(PmUtilsImport, ConcatenatedAcrossFilesLastWinsWithinOne) {
  const auto imported = import_pm_utils({
      {"a", "# comment\nSUSPEND_MODULES=\"ath9k\"\nSUSPEND_MODULES='xhci-hcd iwlagn'  # L501X\n"},
      {"b", "export SUSPEND_MODULES=\"$SUSPEND_MODULES r8169\"\nOTHER=1\n"},
      {"c", "SUSPEND_MODULES=\"${SUSPEND_MODULES} iwlagn btusb\"\n"},
  });
  EXPECT_EQ(names(imported), (std::vector<std::string>{"xhci_hcd", "iwlagn", "r8169", "btusb"}));
}

TEST(PmUtilsImport, LinesItCannotFollowAreWarnings) {
  const auto imported =
      import_pm_utils({{"a",
                        "SUSPEND_MODULES=\"$(cat /etc/mods)\"\nSUSPEND_MODULES=ok; rm -rf /\n"
                        "SUSPEND_MODULES=\"bad/name fine\"\n"}});
  EXPECT_EQ(names(imported), (std::vector<std::string>{"fine"}));
  ASSERT_EQ(imported.warnings.size(), 3u);
  EXPECT_STREQ(
      imported.warnings[0].what(),
      "a:1: cannot follow this shell line, skipping it: SUSPEND_MODULES=\"$(cat /etc/mods)\"");
  EXPECT_STREQ(imported.warnings[2].what(), "a: 'bad/name' is not a module name, skipping it");
}

TEST(PmUtilsImport, FormatsAConfigurationFragment) {
  const auto imported = import_pm_utils({{"x", "SUSPEND_MODULES=\"xhci_hcd\"\n"}});
  EXPECT_EQ(format_import(imported),
            "# Imported from pm-utils' SUSPEND_MODULES. Prefer a profile that matches the\n"
            "# hardware (suspendfix detect): these are unloaded on every machine.\n"
            "unload_modules:\n  - xhci_hcd  # x\n");
  EXPECT_EQ(format_import(import_pm_utils({})),
            "# No SUSPEND_MODULES found in the pm-utils configuration.\n");
  // A file name is anyone's text: it must not end the comment and start a YAML line.
  EXPECT_EQ(
      format_import(import_pm_utils({{"x\nkeep_modules: []\x1b[2J", "SUSPEND_MODULES=e1000e\n"}})),
      "# Imported from pm-utils' SUSPEND_MODULES. Prefer a profile that matches the\n"
      "# hardware (suspendfix detect): these are unloaded on every machine.\n"
      "unload_modules:\n  - e1000e  # x\\x0akeep_modules: []\\x1b[2J\n");
}

TEST(PmUtilsImport, AModuleNamedLikeYamlsNullStaysAName) {
  // "NULL" is a valid module name, and a plain YAML scalar that reads as nothing: the
  // fragment would not load (found by fuzz_pm_utils).
  const auto imported = import_pm_utils({{"x", "SUSPEND_MODULES=\"NULL xhci_hcd null\"\n"}});
  const std::string fragment = format_import(imported);
  EXPECT_NE(fragment.find("  - \"NULL\"  # x\n  - xhci_hcd  # x\n  - \"null\"  # x\n"),
            std::string::npos)
      << fragment;
  const AdminConfig config = parse_admin_config(fragment, "config.yaml");
  ASSERT_EQ(config.unload_modules.size(), 3u);
  EXPECT_EQ(config.unload_modules[0].name, "NULL");
  EXPECT_EQ(config.unload_modules[1].name, "xhci_hcd");
  EXPECT_EQ(config.unload_modules[2].name, "null");
}

}  // namespace
}  // namespace suspendfix
