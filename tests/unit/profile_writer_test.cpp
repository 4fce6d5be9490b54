// SPDX-License-Identifier: GPL-2.0-or-later
// The drafts that `profile new` and `diagnose` write: what they refuse, and that what they
// write validates and matches the machine it was written on.
#include "profiles/profile_writer.hpp"

#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "profiles/profile_parser.hpp"

namespace suspendfix {
namespace {

ProfileDraft machine_draft(const DmiIdentity& dmi) {
  ProfileDraft draft;
  draft.match = ProfileDraft::Match::kMachine;
  draft.device_label = "i2c i2c-ELAN0000:00";
  draft.driver = "elants_i2c";
  draft.module = "elants_i2c";
  draft.dmi = dmi;
  draft.kernel_release = "6.1.0-27-amd64";
  draft.description = "elants_i2c fails to suspend";
  draft.sources = {"suspendfix diagnose, kern.log"};
  return draft;
}

Profile parse_draft(const ProfileDraft& draft) {
  std::ostringstream text;
  write_profile_draft(draft, text);
  std::vector<ProfileError> warnings;
  Profile profile = parse_profile(text.str(), profile_draft_id(draft) + ".yaml", &warnings);
  EXPECT_TRUE(warnings.empty()) << text.str();
  return profile;
}

TEST(ProfileWriter, MachineDraftLeavesOutTheDmiFieldsTheFirmwareLeftEmpty) {
  // Many boards leave product_version empty; "" is not a valid match, so before this the
  // draft did not validate and diagnose proposed nothing.
  const DmiIdentity dmi = {{DmiField::kSysVendor, "Dell Inc."},
                           {DmiField::kProductName, "Latitude 7490"},
                           {DmiField::kProductVersion, ""}};
  const ProfileDraft draft = machine_draft(dmi);
  EXPECT_EQ(profile_draft_limit(draft), "");
  const Profile profile = parse_draft(draft);
  EXPECT_EQ(profile.dmi.size(), 2u);
  for (const auto& [field, pattern] : profile.dmi) EXPECT_NE(field, DmiField::kProductVersion);
  EXPECT_TRUE(dmi_matches(profile.dmi, dmi));
  EXPECT_FALSE(dmi_matches(profile.dmi, {{DmiField::kSysVendor, "Dell Inc."},
                                         {DmiField::kProductName, "Latitude 5490"}}));
  ASSERT_EQ(profile.actions.unload_modules.size(), 1u);
  EXPECT_EQ(profile.actions.unload_modules[0].name, "elants_i2c");
}

TEST(ProfileWriter, MachineWithoutDmiIdentityGetsNoMachineDraft) {
  const ProfileDraft draft = machine_draft({{DmiField::kProductVersion, ""}});
  EXPECT_NE(profile_draft_limit(draft).find("no DMI identity"), std::string::npos);
  // A PCI draft does not need one: the ids match.
  ProfileDraft pci = draft;
  pci.match = ProfileDraft::Match::kPci;
  pci.pci.vendor = 0x1033;
  pci.pci.device = 0x0194;
  EXPECT_EQ(profile_draft_limit(pci), "");
  EXPECT_EQ(parse_draft(pci).pci.size(), 1u);
}

TEST(ProfileWriter, TextThatIsNoModuleNameNeverReachesTheActions) {
  // A machine draft writes the module into a YAML flow list: "a, usbcore" would be two.
  for (const char* module : {"elants_i2c, usbcore", "x]\n  device: unbind", "", "a b"}) {
    ProfileDraft draft =
        machine_draft({{DmiField::kSysVendor, "LENOVO"}, {DmiField::kProductName, "20L5"}});
    draft.module = module;
    EXPECT_NE(profile_draft_limit(draft), "") << module;
  }
}

}  // namespace
}  // namespace suspendfix
