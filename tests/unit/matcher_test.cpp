// SPDX-License-Identifier: GPL-2.0-or-later
#include "planner/matcher.hpp"

#include <gtest/gtest.h>

#include "fakes/machines.hpp"
#include "profiles/profile_parser.hpp"

namespace suspendfix {
namespace {

using testing::lenovo_with_nec;

Profile profile(const std::string& text) { return parse_profile(text, "p.yaml", nullptr); }

std::string nec_profile(const std::string& extra_match = "", const std::string& pci_extra = "") {
  return "id: nec\ndescription: d\nsources: [s]\nmatch:\n  pci:\n    - vendor: \"1033\"\n"
         "      device: \"0194\"\n" +
         pci_extra + extra_match + "actions: {unload_bound_module: true}\n";
}

TEST(Matcher, MatchesTheSeedControllerAndNothingElse) {
  const std::vector<Profile> profiles = {profile(nec_profile())};
  const auto matches = ProfileIndex(profiles).match(lenovo_with_nec());
  ASSERT_EQ(matches.size(), 1u);
  EXPECT_TRUE(matches[0].applies);
  ASSERT_EQ(matches[0].devices.size(), 1u);
  EXPECT_EQ(matches[0].devices[0].index, 1u) << "the NEC is the second PCI device";
}

TEST(Matcher, MachineWithoutTheDeviceMatchesNothing) {
  const std::vector<Profile> profiles = {profile(nec_profile())};
  Machine machine = lenovo_with_nec();
  machine.pci.pop_back();
  EXPECT_TRUE(ProfileIndex(profiles).match(machine).empty());
}

TEST(Matcher, TheDeviceIdNarrowsTheMatch) {
  Machine machine = lenovo_with_nec();
  machine.pci.back().device = 0x0195;  // same vendor, another chip
  EXPECT_TRUE(ProfileIndex(std::vector<Profile>{profile(nec_profile())}).match(machine).empty());
  // The index finds candidates by id; the entry itself must still say no on its own.
  const PciMatch nec = profile(nec_profile()).pci.at(0);
  EXPECT_TRUE(nec.matches(lenovo_with_nec().pci.back()));
  EXPECT_FALSE(nec.matches(machine.pci.back()));
}

TEST(Matcher, SubsystemIdsNarrowTheMatch) {
  const std::vector<Profile> lenovo = {
      profile(nec_profile("", "      subsystem_vendor: \"17aa\"\n"))};
  const std::vector<Profile> dell = {
      profile(nec_profile("", "      subsystem_vendor: \"1028\"\n"))};
  EXPECT_EQ(ProfileIndex(lenovo).match(lenovo_with_nec()).size(), 1u);
  EXPECT_TRUE(ProfileIndex(dell).match(lenovo_with_nec()).empty());
}

TEST(Matcher, ClassPrefixMatchesWithoutADeviceId) {
  const std::vector<Profile> profiles = {
      profile("id: nec-any\ndescription: d\nsources: [s]\nmatch:\n  pci: [{vendor: \"1033\", "
              "class: \"0c03\"}]\n"
              "actions: {unload_bound_module: true}\n")};
  EXPECT_EQ(ProfileIndex(profiles).match(lenovo_with_nec()).size(), 1u);
  const std::vector<Profile> network = {
      profile("id: nec-net\ndescription: d\nsources: [s]\nmatch:\n  pci: [{vendor: \"1033\", "
              "class: \"02\"}]\n"
              "actions: {unload_bound_module: true}\n")};
  EXPECT_TRUE(ProfileIndex(network).match(lenovo_with_nec()).empty());
}

TEST(Matcher, KernelOutsideRangeIsANearMissWithAReason) {
  const std::vector<Profile> profiles = {profile(nec_profile("  kernel: {before: \"2.6.35\"}\n"))};
  const auto matches = ProfileIndex(profiles).match(lenovo_with_nec("6.1.0-27-amd64"));
  ASSERT_EQ(matches.size(), 1u);
  EXPECT_FALSE(matches[0].applies);
  EXPECT_EQ(matches[0].why_not, "kernel 6.1.0-27-amd64 is outside < 2.6.35");
  EXPECT_TRUE(ProfileIndex(profiles).match(lenovo_with_nec("2.6.32-5-amd64"))[0].applies);
}

TEST(Matcher, DmiPatternsMustAllMatch) {
  const std::vector<Profile> thinkpad = {
      profile(nec_profile("  dmi: {sys_vendor: \"LENOVO\", product_version: \"ThinkPad T5*\"}\n"))};
  EXPECT_TRUE(ProfileIndex(thinkpad).match(lenovo_with_nec())[0].applies);
  const std::vector<Profile> x201 = {profile(
      nec_profile("  dmi: {sys_vendor: \"LENOVO\", product_version: \"ThinkPad X201\"}\n"))};
  const auto matches = ProfileIndex(x201).match(lenovo_with_nec());
  ASSERT_EQ(matches.size(), 1u);
  EXPECT_FALSE(matches[0].applies);
  EXPECT_EQ(matches[0].why_not, "product_version 'ThinkPad T510' does not match 'ThinkPad X201'");
}

TEST(Matcher, DmiOnlyProfileMatchesTheModel) {
  const std::string text =
      "id: t510\ndescription: d\nsources: [s]\nmatch:\n  dmi: {product_version: \"ThinkPad "
      "T510\"}\n"
      "actions: {unload_modules: [iwlwifi]}\n";
  const std::vector<Profile> profiles = {profile(text)};
  const auto matches = ProfileIndex(profiles).match(lenovo_with_nec());
  ASSERT_EQ(matches.size(), 1u);
  EXPECT_TRUE(matches[0].devices.empty());
  Machine other = lenovo_with_nec();
  other.dmi[DmiField::kProductVersion] = "ThinkPad X220";
  EXPECT_TRUE(ProfileIndex(profiles).match(other).empty()) << "a DMI-only miss is no near miss";
}

TEST(Matcher, UsbDevices) {
  const std::vector<Profile> profiles = {
      profile("id: bt\ndescription: d\nsources: [s]\nmatch:\n  usb: [{vendor: \"8087\", product: "
              "\"0025\"}]\n"
              "actions: {unload_bound_module: true}\n")};
  Machine machine = lenovo_with_nec();
  UsbDevice bluetooth;
  bluetooth.name = "1-7";
  bluetooth.vendor = 0x8087;
  bluetooth.product = 0x0025;
  machine.usb.push_back(bluetooth);
  const auto matches = ProfileIndex(profiles).match(machine);
  ASSERT_EQ(matches.size(), 1u);
  EXPECT_EQ(matches[0].devices[0].bus, MatchedDevice::Bus::kUsb);
}

TEST(Matcher, ScalesWithMatchesNotProfiles) {
  // 5,000 profiles on other ids; the index must still find exactly the one that matches.
  std::vector<Profile> profiles;
  for (int i = 0; i < 5000; ++i) {
    char id[8];
    std::snprintf(id, sizeof id, "%04x", i);
    profiles.push_back(profile("id: p" + std::string(id) +
                               "\ndescription: d\nsources: [s]\nmatch:\n"
                               "  pci: [{vendor: \"abcd\", device: \"" +
                               id +
                               "\"}]\n"
                               "actions: {unload_bound_module: true}\n"));
  }
  profiles.push_back(profile(nec_profile()));
  const auto matches = ProfileIndex(profiles).match(lenovo_with_nec());
  ASSERT_EQ(matches.size(), 1u);
  EXPECT_EQ(matches[0].profile->id, "nec");
}

}  // namespace
}  // namespace suspendfix
