// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace suspendfix {

/// A YAML document as plain data with the place of every node, built from yaml-cpp's event
/// stream rather than YAML::Load so that the things a profile must never contain are refused
/// while parsing: aliases (alias bombs), duplicate keys, deep nesting, several documents.
struct YamlNode {
  enum class Kind { kNull, kScalar, kSequence, kMap };
  Kind kind = Kind::kNull;
  int line = 0;  // 1-based
  int column = 0;
  std::string scalar;
  std::vector<YamlNode> items;                         // kSequence
  std::vector<std::pair<YamlNode, YamlNode>> entries;  // kMap, in file order

  const char* kind_name() const;
};

struct YamlLimits {
  size_t max_bytes = 256 * 1024;
  int max_depth = 16;
};

/// Parses one YAML document. Throws ProfileError naming origin, line and column.
/// An empty text gives a kNull root.
YamlNode parse_yaml(std::string_view text, const std::string& origin, YamlLimits limits = {});

}  // namespace suspendfix
