// SPDX-License-Identifier: GPL-2.0-or-later
#include "hardware/storage.hpp"

#include <gtest/gtest.h>
#include <sys/sysmacros.h>

namespace suspendfix {
namespace {

TEST(Storage, ParsesMountinfo) {
  const auto uses = parse_mountinfo(
      "22 1 254:1 / / rw,relatime shared:1 - ext4 /dev/vda1 rw\n"
      "25 22 0:22 / /proc rw,nosuid - proc proc rw\n"
      "40 22 8:17 / /media/usb rw,relatime shared:9 master:2 - vfat /dev/sdb1 rw\n"
      "41 22 0:45 / /mnt/remote rw - fuse.sshfs host: rw\n"
      "garbage\n");
  ASSERT_EQ(uses.size(), 4u);
  EXPECT_EQ(uses[0].device, makedev(254, 1));
  EXPECT_EQ(uses[0].what, "/");
  EXPECT_EQ(uses[0].filesystem, "ext4");
  EXPECT_EQ(uses[1].device, 0u) << "virtual filesystems have no block device";
  EXPECT_EQ(uses[2].device, makedev(8, 17));
  EXPECT_EQ(uses[2].filesystem, "vfat") << "optional fields before '-' are skipped";
  EXPECT_EQ(uses[3].filesystem, "fuse");
}

TEST(Storage, ParsesSwaps) {
  EXPECT_EQ(parse_swaps("Filename\tType\tSize\tUsed\tPriority\n/dev/sda2 partition 100 0 "
                        "-2\n/swapfile file 10 0 -3\n"),
            (std::vector<std::string>{"/dev/sda2", "/swapfile"}));
  EXPECT_TRUE(parse_swaps("").empty());
}

TEST(Storage, UndoesTheKernelsEscapesInPaths) {
  // seq_file writes space, tab, newline and backslash as \ooo. Read raw, a swap file named
  // "/swap file" could not be stat()ed, and the swap behind a module went unprotected.
  EXPECT_EQ(parse_swaps("Filename\tType\tSize\tUsed\tPriority\n"
                        "/var/swap\\040file file 10 0 -3\n/a\\134b\\011c\\012d file 1 0 -4\n"),
            (std::vector<std::string>{"/var/swap file", "/a\\b\tc\nd"}));
  const auto uses = parse_mountinfo(
      "40 22 8:17 / /media/u/My\\040Disk rw,relatime shared:9 - vfat /dev/sdb1 rw\n"
      "41 22 8:18 / /media/u/x\\9y\\04 rw - vfat /dev/sdb2 rw\n");
  ASSERT_EQ(uses.size(), 2u);
  EXPECT_EQ(uses[0].what, "/media/u/My Disk");
  EXPECT_EQ(uses[0].device, makedev(8, 17));
  EXPECT_EQ(uses[1].what, "/media/u/x\\9y\\04") << "not an escape: kept as it is";
}

}  // namespace
}  // namespace suspendfix

#include "hardware/platform.hpp"

namespace suspendfix {
namespace {

TEST(Platform, ReadsTheCpuVendorAndTheSuspendModeInUse) {
  const char* amd = "processor\t: 0\nvendor_id\t: AuthenticAMD\n";
  const char* intel = "processor\t: 0\nvendor_id\t: GenuineIntel\n";
  const PlatformFacts amd_s2idle = parse_platform_facts(amd, "[s2idle] deep\n");
  EXPECT_TRUE(amd_s2idle.amd_cpu);
  EXPECT_TRUE(amd_s2idle.suspends_to_idle);
  EXPECT_FALSE(parse_platform_facts(amd, "s2idle [deep]\n").suspends_to_idle)
      << "the brackets mark the mode in use";
  EXPECT_FALSE(parse_platform_facts(intel, "[s2idle] deep\n").amd_cpu);
  const PlatformFacts unknown = parse_platform_facts("", "");
  EXPECT_FALSE(unknown.amd_cpu || unknown.suspends_to_idle) << "unknown: no";
}

}  // namespace
}  // namespace suspendfix
