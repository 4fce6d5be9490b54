// SPDX-License-Identifier: GPL-2.0-or-later
#include "profiles/kernel_version.hpp"

#include <gtest/gtest.h>

namespace suspendfix {
namespace {

KernelVersion v(const char* text) { return *KernelVersion::parse(text); }

TEST(KernelVersion, ParsesDistributionReleases) {
  EXPECT_EQ(v("6.1.0-27-amd64").text(), "6.1.0");
  EXPECT_EQ(v("2.6.35.4").text(), "2.6.35.4");
  EXPECT_EQ(v("6.12.9+bpo-amd64").text(), "6.12.9");
  EXPECT_EQ(v("5.10").text(), "5.10");
}

TEST(KernelVersion, RejectsWhatIsNotAVersion) {
  EXPECT_FALSE(KernelVersion::parse(""));
  EXPECT_FALSE(KernelVersion::parse("6"));
  EXPECT_FALSE(KernelVersion::parse("linux-6.1"));
  EXPECT_FALSE(KernelVersion::parse("6."));
  EXPECT_FALSE(KernelVersion::parse("99999999.1"));
}

TEST(KernelVersion, ComparesNumericallyWithMissingPartsAsZero) {
  EXPECT_LT(v("2.6.9"), v("2.6.35"));
  EXPECT_LT(v("2.6.35"), v("3.0"));
  EXPECT_EQ(v("2.6.35"), v("2.6.35.0"));
  EXPECT_LT(v("6.1.0"), v("6.1.1"));
  EXPECT_FALSE(v("6.10") < v("6.9"));
}

TEST(KernelRange, IsHalfOpen) {
  KernelRange range{v("2.6.35"), v("3.18")};
  EXPECT_FALSE(range.contains("2.6.34"));
  EXPECT_TRUE(range.contains("2.6.35"));
  EXPECT_TRUE(range.contains("3.17.9-generic"));
  EXPECT_FALSE(range.contains("3.18"));
  EXPECT_FALSE(range.contains("6.1.0-27-amd64"));
  EXPECT_EQ(range.describe(), ">= 2.6.35, < 3.18");
}

TEST(KernelRange, EmptyContainsEverythingButBoundedRefusesGarbage) {
  EXPECT_TRUE(KernelRange{}.contains("garbage"));
  EXPECT_EQ(KernelRange{}.describe(), "any");
  EXPECT_FALSE((KernelRange{v("2.6"), std::nullopt}).contains("garbage"));
}

}  // namespace
}  // namespace suspendfix
