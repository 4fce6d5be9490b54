// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace suspendfix {

/// The numeric part of a kernel release: "6.1.0-27-amd64" -> 6.1.0, "2.6.35.4" -> 2.6.35.4.
/// Missing trailing components compare as zero, so 2.6.35 == 2.6.35.0.
class KernelVersion {
 public:
  /// Returns nullopt unless text starts with "N.N" (digits, dot, digits).
  static std::optional<KernelVersion> parse(std::string_view text);

  int compare(const KernelVersion& other) const;
  bool operator<(const KernelVersion& other) const { return compare(other) < 0; }
  bool operator==(const KernelVersion& other) const { return compare(other) == 0; }
  const std::string& text() const { return text_; }

 private:
  std::vector<unsigned> parts_;
  std::string text_;
};

/// A half-open range [from, before). "before" is where a kernel fixed the problem, or where a
/// module got a new name. Either end may be absent.
struct KernelRange {
  std::optional<KernelVersion> from;
  std::optional<KernelVersion> before;

  bool empty() const { return !from && !before; }
  /// A release that cannot be parsed is outside every bounded range: acting on hardware
  /// for a kernel we cannot place is the riskier mistake.
  bool contains(std::string_view release) const;
  /// "any", ">= 2.6.35", "< 3.2", "2.6.31 .. < 2.6.35"
  std::string describe() const;
};

/// The same bounds, written the same way ("2.6.35" is not "2.6.35.0" here).
bool operator==(const KernelRange& a, const KernelRange& b);

}  // namespace suspendfix
