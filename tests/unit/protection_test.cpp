// SPDX-License-Identifier: GPL-2.0-or-later
#include "planner/protection.hpp"

#include <gtest/gtest.h>
#include <sys/sysmacros.h>

#include "fakes/fake_system_facts.hpp"

namespace suspendfix {
namespace {

constexpr char kNec[] = "/sys/devices/pci0000:00/0000:00:1c.3/0000:0f:00.0";

/// The seed's laptop with a USB disk on the NEC controller mounted at /media/usb, and swap on
/// the internal disk.
FakeSystemFacts usb_disk_and_swap() {
  FakeSystemFacts facts;
  facts.use(makedev(254, 1), "/", "ext4", {{"virtio_blk"}, {"/sys/devices/pci0000:00/vda"}});
  facts.use(makedev(8, 17), "/media/usb", "vfat",
            {{"sd_mod", "usb_storage", "xhci_pci"}, {kNec + std::string("/usb2/2-1"), kNec}});
  facts.use(makedev(8, 2), "swap /dev/sda2", "", {{"ahci", "e1000e_fake_chain"}, {}});
  return facts;
}

TEST(Protection, AdministratorsKeepListComesFirst) {
  Protection protection({"btusb", "nvme"}, SleepType::kSuspend, nullptr);
  EXPECT_EQ(protection.module_reason("btusb"), "kept by the administrator (keep_modules)");
  EXPECT_EQ(protection.module_reason("nvme"), "kept by the administrator (keep_modules)")
      << "rule 1 before rule 2";
  EXPECT_EQ(protection.module_reason("iwlwifi"), "");
}

TEST(Protection, BuiltinListCoversStorageAndFilesystems) {
  Protection protection({}, SleepType::kSuspend, nullptr);
  EXPECT_EQ(protection.module_reason("nvme"),
            "storage driver: the disks must stay reachable across sleep");
  EXPECT_EQ(protection.module_reason("ext4"), "filesystem driver");
  EXPECT_EQ(protection.module_reason("xhci_pci"), "") << "no system: storage in use is unknown";
}

TEST(Protection, EverythingBetweenAMountAndTheMachineStays) {
  FakeSystemFacts facts = usb_disk_and_swap();
  Protection protection({}, SleepType::kSuspend, &facts);
  EXPECT_EQ(protection.module_reason("xhci_pci"), "needed by the filesystem on /media/usb");
  EXPECT_EQ(protection.device_reason(kNec), "needed by the filesystem on /media/usb");
  EXPECT_EQ(protection.device_reason(kNec + std::string("/usb2/2-1")),
            "needed by the filesystem on /media/usb");
  EXPECT_EQ(protection.module_reason("e1000e_fake_chain"),
            "needed by swap /dev/sda2 (swap in use; hibernation writes its image there)");
  EXPECT_EQ(protection.module_reason("iwlwifi"), "");
  EXPECT_EQ(protection.device_reason("/sys/devices/pci0000:00/0000:00:19.0"), "");
}

TEST(Protection, FirstUseNamesAModuleOnTwoChains) {
  FakeSystemFacts facts;
  facts.use(makedev(8, 17), "/media/usb", "vfat", {{"xhci_pci"}, {}});
  facts.use(makedev(8, 33), "/media/other", "vfat", {{"xhci_pci"}, {}});
  Protection protection({}, SleepType::kSuspend, &facts);
  EXPECT_EQ(protection.module_reason("xhci_pci"), "needed by the filesystem on /media/usb");
}

TEST(Protection, ReadsTheSystemOnceAndOnlyWhenARuleNeedsIt) {
  FakeSystemFacts facts = usb_disk_and_swap();
  facts.use(makedev(8, 17), "/media/usb/bind", "vfat", {{"xhci_pci"}, {}});  // a bind mount
  Protection protection({"btusb"}, SleepType::kSuspend, &facts);
  protection.module_reason("btusb");
  protection.module_reason("nvme");
  EXPECT_EQ(facts.storage_reads, 0) << "the keep list and the built-in list need no system";
  protection.module_reason("iwlwifi");
  protection.module_reason("xhci_pci");
  protection.device_reason(kNec);
  EXPECT_EQ(facts.storage_reads, 1);
  EXPECT_EQ(facts.chains_asked.size(), 3u) << "each block device is walked once";
  EXPECT_EQ(facts.platform_reads, 0) << "only thunderbolt asks about the platform";
}

TEST(Protection, ThunderboltStaysOnAmdSuspendingToIdle) {
  auto reason = [](bool amd, bool s2idle, SleepType sleep) {
    FakeSystemFacts facts;
    facts.platform_is(amd, s2idle);
    return Protection({}, sleep, &facts).module_reason("thunderbolt");
  };
  EXPECT_EQ(reason(true, true, SleepType::kSuspend),
            "this AMD machine suspends to idle (s2idle), which needs the USB4/Thunderbolt driver "
            "bound");
  EXPECT_NE(reason(true, true, SleepType::kSuspendThenHibernate), "");
  EXPECT_EQ(reason(true, false, SleepType::kSuspend), "") << "S3: no rule";
  EXPECT_EQ(reason(false, true, SleepType::kSuspend), "") << "Intel: no rule";
  EXPECT_EQ(reason(true, true, SleepType::kHibernate), "") << "hibernation powers off";
  EXPECT_EQ(reason(true, true, SleepType::kHybridSleep), "");
}

TEST(Protection, PlatformIsReadOnce) {
  FakeSystemFacts facts;
  facts.platform_is(true, true);
  Protection protection({}, SleepType::kSuspend, &facts);
  protection.module_reason("thunderbolt");
  protection.module_reason("thunderbolt");
  EXPECT_EQ(facts.platform_reads, 1);
}

}  // namespace
}  // namespace suspendfix
