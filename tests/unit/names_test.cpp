// SPDX-License-Identifier: GPL-2.0-or-later
// The enum <-> name tables (enum_names.hpp) and the small shared helpers that replaced copies:
// a name written in a state file, a log line or a JSON document must read back as the same
// value, and no two values may share a name.
#include <gtest/gtest.h>
#include <unistd.h>

#include <set>

#include "enum_names.hpp"
#include "error.hpp"
#include "hardware/device.hpp"
#include "sleep/state_format.hpp"
#include "text_file.hpp"
#include "unit/test_dir.hpp"

namespace suspendfix {
namespace {

enum class Colour { kRed, kGreen, kBlue };
constexpr EnumName<Colour> kColourNames[] = {{Colour::kRed, "red"}, {Colour::kGreen, "green"}};

TEST(EnumNames, BothDirectionsComeFromTheOneTable) {
  EXPECT_STREQ(name_of(kColourNames, Colour::kGreen), "green");
  EXPECT_EQ(value_of(kColourNames, "red"), Colour::kRed);
  EXPECT_EQ(value_of(kColourNames, "Red"), std::nullopt) << "names are exact";
  EXPECT_EQ(value_of(kColourNames, ""), std::nullopt);
  EXPECT_STREQ(name_of(kColourNames, Colour::kBlue), "?") << "a value the table lacks";
  EXPECT_EQ(names_of(kColourNames), (std::vector<std::string>{"red", "green"}));
  EXPECT_EQ(name_map(kColourNames).at("green"), Colour::kGreen);
  static_assert(name_of(kColourNames, Colour::kRed)[0] == 'r', "usable in constant expressions");
}

TEST(EnumNames, DmiFieldsReadBackAndAreDistinct) {
  std::set<std::string> seen;
  for (DmiField field : kAllDmiFields) {
    const std::string name = dmi_field_name(field);
    EXPECT_NE(name, "?");
    EXPECT_TRUE(seen.insert(name).second) << name << " names two fields";
    EXPECT_EQ(dmi_field_from_name(name), field) << name;
  }
  EXPECT_EQ(dmi_field_from_name("product"), std::nullopt);
}

TEST(EnumNames, StateKindsAndCallersReadBackThroughTheFormat) {
  for (auto kind :
       {StateRecord::Kind::kModule, StateRecord::Kind::kUnbind, StateRecord::Kind::kRemove})
    EXPECT_NE(std::string(state_kind_name(kind)), "?");
  EXPECT_STREQ(state_kind_name(StateRecord::Kind::kUnreadable), "unreadable");
  for (auto kind :
       {SleepCaller::Kind::kNone, SleepCaller::Kind::kProcess, SleepCaller::Kind::kDaemon})
    EXPECT_NE(std::string(sleep_caller_kind_name(kind)), "?");
}

TEST(SharedHelpers, Hex4IsFourLowercaseDigits) {
  EXPECT_EQ(format_hex4(0x1033), "1033");
  EXPECT_EQ(format_hex4(0x194), "0194");
  EXPECT_EQ(format_hex4(0xABCD), "abcd");
  EXPECT_EQ(format_id(0x1033, 0x194), "1033:0194");
}

TEST(SharedHelpers, ReadLinkNameIsTheTargetsLastComponent) {
  const testing::TestDir dir;
  const auto link = dir.path() / "driver";
  ASSERT_EQ(symlink("../../../bus/pci/drivers/xhci_hcd", link.c_str()), 0);
  EXPECT_EQ(read_link_name(link), "xhci_hcd");
  const auto plain = dir.path() / "module";
  ASSERT_EQ(symlink("xhci_pci", plain.c_str()), 0);
  EXPECT_EQ(read_link_name(plain), "xhci_pci") << "a target with no slash";
  EXPECT_EQ(read_link_name(dir.write("file", "x")), "") << "not a link";
  EXPECT_EQ(read_link_name(dir.path() / "missing"), "");
}

TEST(SharedHelpers, AFileErrorIsNotAProfileError) {
  const testing::TestDir dir;
  try {
    read_text_file((dir.path() / "missing").string(), 16);
    FAIL() << "read a missing file";
  } catch (const ProfileError&) {
    FAIL() << "a file that cannot be read says nothing about a profile's contents";
  } catch (const FileError& error) {
    EXPECT_EQ(error.file(), (dir.path() / "missing").string());
    EXPECT_NE(std::string(error.what()).find("could not open"), std::string::npos) << error.what();
  }
}

}  // namespace
}  // namespace suspendfix
