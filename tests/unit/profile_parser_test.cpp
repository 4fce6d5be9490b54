// SPDX-License-Identifier: GPL-2.0-or-later
#include "profiles/profile_parser.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <typeinfo>

namespace suspendfix {
namespace {

const char* const kNec = R"(# NEC
id: nec-upd720200-xhci
description: NEC controller
sources: ["seed"]
match:
  pci:
    - vendor: "1033"
      device: "0194"
      subsystem_vendor: "17aa"
      class: "0c03"
  kernel: {from: "2.6.31"}
sleep: [suspend, hibernate]
actions:
  unload_bound_module: true
  unload_modules:
    - name: xhci
      kernel: {before: "2.6.35"}
    - xhci-hcd
)";

Profile parse(const std::string& text, std::vector<ProfileError>* warnings = nullptr) {
  return parse_profile(text, "test.yaml", warnings);
}

/// The error message for text, which must not parse.
std::string error_of(const std::string& text) {
  try {
    parse(text);
  } catch (const ProfileError& error) {
    return error.what();
  }
  ADD_FAILURE() << "parsed, but should not have:\n" << text;
  return "";
}

std::string with(const std::string& from, const std::string& to) {
  std::string text = kNec;
  const auto at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  return text.replace(at, from.size(), to);
}

TEST(ProfileParser, ReadsEveryField) {
  const Profile profile = parse(kNec);
  EXPECT_EQ(profile.id, "nec-upd720200-xhci");
  EXPECT_EQ(profile.description, "NEC controller");
  ASSERT_EQ(profile.pci.size(), 1u);
  EXPECT_EQ(profile.pci[0].vendor, 0x1033);
  EXPECT_EQ(*profile.pci[0].device, 0x0194);
  EXPECT_EQ(*profile.pci[0].subsystem_vendor, 0x17aa);
  EXPECT_FALSE(profile.pci[0].subsystem_device);
  EXPECT_EQ(profile.pci[0].class_prefix->first, 0x0c03u);
  EXPECT_EQ(profile.pci[0].class_prefix->second, 2);
  EXPECT_EQ(profile.kernel.describe(), ">= 2.6.31");
  EXPECT_TRUE(profile.applies_to(SleepType::kHibernate));
  EXPECT_FALSE(profile.applies_to(SleepType::kHybridSleep));
  EXPECT_TRUE(profile.actions.unload_bound_module);
  ASSERT_EQ(profile.actions.unload_modules.size(), 2u);
  EXPECT_EQ(profile.actions.unload_modules[0].name, "xhci");
  EXPECT_EQ(profile.actions.unload_modules[0].kernel.describe(), "< 2.6.35");
  EXPECT_EQ(profile.actions.unload_modules[1].name, "xhci_hcd") << "'-' is normalised to '_'";
  EXPECT_TRUE(profile.actions.unload_modules[1].kernel.empty());
}

TEST(ProfileParser, DmiOnlyProfile) {
  const Profile profile = parse(R"(id: dell-xps-l501x
description: d
sources: [s]
match:
  dmi: {sys_vendor: "Dell Inc.", product_name: "XPS L501X*"}
actions:
  unload_modules: [iwlagn]
)");
  ASSERT_EQ(profile.dmi.size(), 2u);
  EXPECT_EQ(profile.dmi[1].first, DmiField::kProductName);
  EXPECT_EQ(profile.dmi[1].second, "XPS L501X*");
  EXPECT_FALSE(profile.has_device_match());
}

TEST(ProfileParser, UnknownKeysAreWarningsNotErrors) {
  std::vector<ProfileError> warnings;
  const Profile profile = parse(with("description:", "colour: blue\ndescription:"), &warnings);
  EXPECT_EQ(profile.id, "nec-upd720200-xhci");
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_STREQ(warnings[0].what(), "test.yaml:3:1: unknown key 'colour' in 'profile'");
}

TEST(ProfileParser, MalformedYamlNamesLineAndColumn) {
  EXPECT_EQ(error_of("id: [unclosed\n"), "test.yaml:2:1: end of sequence flow not found");
  EXPECT_EQ(error_of("id: x\n  bad indent: y\n"), "test.yaml:2:13: illegal map value");
}

TEST(ProfileParser, WrongTypes) {
  EXPECT_EQ(error_of(with("sources: [\"seed\"]", "sources: seed")),
            "test.yaml:4:10: 'sources' must be a list, not a string");
  EXPECT_EQ(error_of(with("unload_bound_module: true", "unload_bound_module: maybe")),
            "test.yaml:14:24: 'unload_bound_module' must be true or false, not 'maybe'");
  EXPECT_EQ(error_of(with("id: nec-upd720200-xhci", "id: {a: b}")),
            "test.yaml:2:5: 'id' must be a string, not a map");
}

TEST(ProfileParser, BadHexIds) {
  EXPECT_EQ(
      error_of(with("\"1033\"", "\"10333\"")),
      "test.yaml:7:15: bad PCI vendor id '10333': expected 4 lowercase hex digits, e.g. \"1033\"");
  EXPECT_EQ(
      error_of(with("\"0194\"", "0x194")),
      "test.yaml:8:15: bad PCI device id '0x194': expected 4 lowercase hex digits, e.g. \"1033\"");
  EXPECT_EQ(
      error_of(with("\"0194\"", "\"01G4\"")),
      "test.yaml:8:15: bad PCI device id '01G4': expected 4 lowercase hex digits, e.g. \"1033\"");
  EXPECT_NE(error_of(with("\"0c03\"", "\"0c0\"")).find("bad class '0c0'"), std::string::npos);
}

TEST(ProfileParser, BadModuleNames) {
  EXPECT_EQ(error_of(with("- xhci-hcd", "- \"xhci;reboot\"")),
            "test.yaml:18:7: bad module name 'xhci;reboot': only A-Z a-z 0-9 _ -, not starting "
            "with '-', at most 55 "
            "characters");
  EXPECT_NE(error_of(with("- xhci-hcd", "- ../../evil")).find("bad module name '../../evil'"),
            std::string::npos);
  EXPECT_NE(error_of(with("- xhci-hcd", "- " + std::string(56, 'a'))).find("bad module name"),
            std::string::npos);
  // Handed to modprobe or a log, a leading '-' would read as an option.
  EXPECT_NE(error_of(with("- xhci-hcd", "- \"-r\"")).find("bad module name '-r'"),
            std::string::npos);
  // A module named null, unquoted, is no value to YAML: say so, not "must be a map".
  EXPECT_EQ(error_of(with("- xhci-hcd", "- null")),
            "test.yaml:18:7: an empty 'unload_modules' entry: YAML reads '~', 'null' and nothing "
            "as no value (quote a module of that name: \"null\")");
  const Profile quoted = parse(with("- xhci-hcd", "- \"null\""));
  ASSERT_EQ(quoted.actions.unload_modules.size(), 2u);
  EXPECT_EQ(quoted.actions.unload_modules[1].name, "null");
}

TEST(ProfileParser, BadKernelRanges) {
  EXPECT_EQ(
      error_of(with("{from: \"2.6.31\"}", "{from: \"two\"}")),
      "test.yaml:11:18: bad kernel version 'two' in 'match.kernel.from': expected e.g. \"2.6.35\"");
  EXPECT_NE(error_of(with("{from: \"2.6.31\"}", "{from: \"3.0\", before: \"2.6\"}"))
                .find("'match.kernel' is empty: 'from' 3.0 is not below 'before' 2.6"),
            std::string::npos);
  EXPECT_NE(
      error_of(with("{from: \"2.6.31\"}", "{from: \"2.6.31-rc1\"}")).find("bad kernel version"),
      std::string::npos);
}

TEST(ProfileParser, MissingAndEmpty) {
  EXPECT_EQ(error_of(""), "test.yaml: empty profile");
  EXPECT_EQ(error_of("id: x\n"), "test.yaml:1:1: missing required key 'description'");
  EXPECT_EQ(error_of(with("sources: [\"seed\"]", "sources: []")),
            "test.yaml:4:10: 'sources' must not be an empty list");
  EXPECT_EQ(
      error_of(with("actions:\n  unload_bound_module: true", "actions: {}\nx:\n  y: true")),
      "test.yaml:13:10: 'actions' does nothing: set unload_bound_module, unload_modules or device");
  EXPECT_NE(error_of(with("id: nec-upd720200-xhci", "id: Bad Id")).find("bad id 'Bad Id'"),
            std::string::npos);
}

TEST(ProfileParser, ActionsThatNeedADeviceNeedADeviceMatch) {
  EXPECT_NE(error_of(R"(id: a
description: d
sources: [s]
match: {dmi: {sys_vendor: "X"}}
actions: {unload_bound_module: true}
)")
                .find("names no pci or usb device"),
            std::string::npos);
}

// left_out and out_of_tree are for the database lint (tests/kernel-lint); the parser checks
// their form so that a typo is an error, not a silently ignored statement.
TEST(ProfileParser, ReadsLeftOutAndOutOfTree) {
  std::vector<ProfileError> warnings;
  const Profile profile = parse(
      with("    - xhci-hcd\n", "    - xhci-hcd\n    - {name: upd72020x, out_of_tree: true}\n") +
          "left_out:\n  - {pci: \"1033:0195\", why: \"no report\"}\n"
          "  - {pci: [\"1912:0014\", \"1912:001*\"], why: \"another chip\"}\n"
          "  - {usb: \"0bda:[0-9]*\", why: \"a pattern\"}\n",
      &warnings);
  EXPECT_TRUE(warnings.empty()) << warnings.front().what();
  ASSERT_EQ(profile.actions.unload_modules.size(), 3u);
  EXPECT_EQ(profile.actions.unload_modules[2].name, "upd72020x");
}

TEST(ProfileParser, BadLeftOutEntries) {
  const std::string base = kNec;
  EXPECT_EQ(error_of(base + "left_out:\n  - {pci: \"1033:0195\"}\n"),
            "test.yaml:20:5: a 'left_out' entry needs 'why': the reason it is left out");
  EXPECT_EQ(error_of(base + "left_out:\n  - {why: \"x\"}\n"),
            "test.yaml:20:5: a 'left_out' entry needs 'pci' or 'usb' ids");
  EXPECT_EQ(error_of(base + "left_out:\n  - {pci: \"1033:0195\", usb: \"1d6b:0002\", why: x}\n"),
            "test.yaml:20:29: a 'left_out' entry takes pci or usb, not both");
  EXPECT_NE(error_of(base + "left_out:\n  - {pci: \"1033:195\", why: x}\n")
                .find("bad pci id '1033:195' in 'left_out'"),
            std::string::npos);
  EXPECT_NE(error_of(base + "left_out:\n  - {pci: \"10*:0195\", why: x}\n").find("bad pci id"),
            std::string::npos);
  EXPECT_EQ(error_of(base + "left_out:\n  - {pci: \"1033:0194\", why: x}\n"),
            "test.yaml:20:11: '1033:0194' is both matched and left out");
  EXPECT_NE(
      error_of(base + "left_out: {pci: \"1033:0195\", why: x}\n").find("'left_out' must be a list"),
      std::string::npos);
  EXPECT_NE(error_of(with("- xhci-hcd", "- {name: xhci-hcd, out_of_tree: maybe}"))
                .find("'unload_modules.out_of_tree' must be true or false"),
            std::string::npos);
}

TEST(ProfileParser, RefusesAliasesAndAnchors) {
  EXPECT_EQ(error_of("a: &x [1, 2]\nb: *x\n"),
            "test.yaml:1:4: YAML anchors are not allowed in profiles");
  // The classic "billion laughs": refused at the first anchor, never expanded.
  std::string bomb =
      "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n";
  for (char c = 'b'; c <= 'j'; ++c) {
    bomb += std::string(1, c) + ": &" + c + " [";
    for (int i = 0; i < 9; ++i) bomb += std::string(i ? "," : "") + "*" + static_cast<char>(c - 1);
    bomb += "]\n";
  }
  EXPECT_EQ(error_of(bomb), "test.yaml:1:4: YAML anchors are not allowed in profiles");
}

TEST(ProfileParser, RefusesDuplicateKeysAndSeveralDocuments) {
  EXPECT_EQ(error_of(with("description: NEC controller", "description: a\ndescription: b")),
            "test.yaml:4:1: duplicate key 'description'");
  EXPECT_EQ(error_of("id: a\n---\nid: b\n"),
            "test.yaml:2:1: only one YAML document is allowed per file");
}

TEST(ProfileParser, RefusesDeepNestingWithoutCrashing) {
  const std::string deep = "a: " + std::string(100000, '[') + std::string(100000, ']') + "\n";
  EXPECT_NE(error_of(deep).find("nesting deeper than 16 levels"), std::string::npos);
}

TEST(ProfileParser, RefusesBinaryAndHugeFiles) {
  EXPECT_EQ(error_of(std::string("id: a\nx: \0\n", 11)),
            "test.yaml:2:4: not a text file: NUL byte");
  EXPECT_EQ(
      error_of("id: \xff\xfe\n"),
      "test.yaml:1:5: not valid UTF-8: byte 0xff (an overlong form, a surrogate, a code point "
      "above U+10FFFF or a broken sequence)");
  EXPECT_NE(error_of("# " + std::string(300 * 1024, 'x') + "\n").find("more than the limit"),
            std::string::npos);
}

TEST(ProfileParser, RefusesMalformedUtf8WithItsPlace) {
  // Issue 15: these passed the YAML reader and validate, then `detect --json` failed on them.
  const std::pair<const char*, const char*> cases[] = {
      {"\xc0\xaf", "0xc0"},          // overlong '/'
      {"\xe0\x80\xaf", "0xe0"},      // overlong, three bytes
      {"\xed\xa0\x80", "0xed"},      // U+D800, a surrogate
      {"\xf4\x90\x80\x80", "0xf4"},  // U+110000
      {"\xf5\x80\x80\x80", "0xf5"},  // beyond any code point
      {"\xe2\x82 ", "0xe2"},         // cut short
  };
  for (const auto& [bytes, lead] : cases)
    EXPECT_EQ(error_of(with("NEC controller", std::string("caf\xc3\xa9 ") + bytes)),
              std::string("test.yaml:3:19: not valid UTF-8: byte ") + lead +
                  " (an overlong form, a surrogate, a code point above U+10FFFF or a broken "
                  "sequence)")
        << lead;
}

TEST(ProfileParser, AcceptsUtf8Text) {
  const Profile profile = parse(with("NEC controller", "Contrôleur NEC — ü"));
  EXPECT_EQ(profile.description, "Contrôleur NEC — ü");
}

}  // namespace
}  // namespace suspendfix

namespace suspendfix {
namespace {

// Bad input never crashes and never escapes as anything but a ProfileError: every truncation
// and thousands of random byte edits of a real profile.
TEST(ProfileParser, MutatedProfilesFailCleanly) {
  const std::string original = kNec;
  std::mt19937 random(20261129);
  auto check = [](const std::string& text) {
    try {
      std::vector<ProfileError> warnings;
      parse_profile(text, "fuzz.yaml", &warnings);
    } catch (const ProfileError& error) {
      EXPECT_EQ(std::string(error.what()).rfind("fuzz.yaml", 0), 0u) << error.what();
    } catch (const std::exception& error) {
      ADD_FAILURE() << "escaped as " << typeid(error).name() << ": " << error.what() << "\n"
                    << text;
    }
  };
  for (size_t length = 0; length <= original.size(); ++length) check(original.substr(0, length));
  const std::string alphabet = "{}[]:,-&*!|>'\"#%@`? \n\t\\x0aZ\xc3\xa9";
  for (int round = 0; round < 3000; ++round) {
    std::string text = original;
    const int edits = 1 + static_cast<int>(random() % 4);
    for (int e = 0; e < edits; ++e) {
      const size_t at = random() % text.size();
      switch (random() % 3) {
        case 0:
          text[at] = alphabet[random() % alphabet.size()];
          break;
        case 1:
          text.insert(at, 1, alphabet[random() % alphabet.size()]);
          break;
        default:
          text.erase(at, 1 + random() % 8);
          break;
      }
      if (text.empty()) text = "x";
    }
    check(text);
  }
}

}  // namespace
}  // namespace suspendfix
