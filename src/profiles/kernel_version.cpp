// SPDX-License-Identifier: GPL-2.0-or-later
#include "profiles/kernel_version.hpp"

#include <cctype>

namespace suspendfix {

std::optional<KernelVersion> KernelVersion::parse(std::string_view text) {
  KernelVersion version;
  size_t position = 0;
  while (position < text.size() && std::isdigit(static_cast<unsigned char>(text[position]))) {
    unsigned value = 0;
    size_t digits = 0;
    while (position < text.size() && std::isdigit(static_cast<unsigned char>(text[position]))) {
      if (++digits > 6) return std::nullopt;  // no real release has such a component
      value = value * 10 + static_cast<unsigned>(text[position++] - '0');
    }
    version.parts_.push_back(value);
    if (position + 1 < text.size() && text[position] == '.' &&
        std::isdigit(static_cast<unsigned char>(text[position + 1])))
      ++position;
    else
      break;
  }
  if (version.parts_.size() < 2) return std::nullopt;
  version.text_ = std::string(text.substr(0, position));
  return version;
}

int KernelVersion::compare(const KernelVersion& other) const {
  const size_t count = std::max(parts_.size(), other.parts_.size());
  for (size_t i = 0; i < count; ++i) {
    const unsigned mine = i < parts_.size() ? parts_[i] : 0;
    const unsigned theirs = i < other.parts_.size() ? other.parts_[i] : 0;
    if (mine != theirs) return mine < theirs ? -1 : 1;
  }
  return 0;
}

bool KernelRange::contains(std::string_view release) const {
  if (empty()) return true;
  const auto version = KernelVersion::parse(release);
  if (!version) return false;
  if (from && *version < *from) return false;
  if (before && !(*version < *before)) return false;
  return true;
}

std::string KernelRange::describe() const {
  if (from && before) return ">= " + from->text() + ", < " + before->text();
  if (from) return ">= " + from->text();
  if (before) return "< " + before->text();
  return "any";
}

bool operator==(const KernelRange& a, const KernelRange& b) {
  const auto text = [](const std::optional<KernelVersion>& v) {
    return v ? std::optional<std::string>(v->text()) : std::nullopt;
  };
  return text(a.from) == text(b.from) && text(a.before) == text(b.before);
}

}  // namespace suspendfix
