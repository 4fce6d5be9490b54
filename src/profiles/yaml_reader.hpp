// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "error.hpp"
#include "profiles/kernel_version.hpp"
#include "profiles/profile.hpp"
#include "profiles/yaml_tree.hpp"
#include "spelling.hpp"

namespace suspendfix {

/// Walks the YAML tree with the origin at hand for every message.
/// Typed access to a YamlNode tree for the profile and configuration parsers: every
/// failure is a ProfileError with the file, line and column of the offending node.
class YamlReader {
 public:
  using Kind = YamlNode::Kind;

  /// What an unknown key is: a warning (profiles at run time; validate turns the warnings
  /// into errors) or an error (the configuration: a typo there must not drop a keep list).
  enum class UnknownKeys { kWarn, kError };

  YamlReader(const std::string& origin, std::vector<ProfileError>* warnings,
             UnknownKeys unknown_keys = UnknownKeys::kWarn)
      : origin_(origin), warnings_(warnings), unknown_keys_(unknown_keys) {}

  [[noreturn]] void fail(const YamlNode& node, const std::string& reason) const {
    throw ProfileError(origin_, node.line, node.column, reason);
  }

  void expect(const YamlNode& node, Kind kind, const std::string& what) const {
    if (node.kind == kind) return;
    YamlNode wanted;
    wanted.kind = kind;
    fail(node, "'" + what + "' must be " + wanted.kind_name() + ", not " + node.kind_name());
  }

  /// Calls handle(key, value) for each known key; unknown keys are warnings or errors, with
  /// the known key they most likely meant.
  void map(const YamlNode& node, const std::string& what,
           const std::map<std::string, std::function<void(const YamlNode&)>>& handlers) const {
    expect(node, Kind::kMap, what);
    for (const auto& [key, value] : node.entries) {
      const auto handler = handlers.find(key.scalar);
      if (handler == handlers.end()) {
        std::vector<std::string> known;
        for (const auto& entry : handlers) known.push_back(entry.first);
        const std::string reason =
            "unknown key '" + key.scalar + "' in '" + what + "'" + did_you_mean(key.scalar, known);
        if (unknown_keys_ == UnknownKeys::kError) fail(key, reason);
        if (warnings_) warnings_->emplace_back(origin_, key.line, key.column, reason);
        continue;
      }
      handler->second(value);
    }
  }

  std::string string(const YamlNode& node, const std::string& what) const {
    expect(node, Kind::kScalar, what);
    if (node.scalar.empty()) fail(node, "'" + what + "' must not be empty");
    return node.scalar;
  }

  bool boolean(const YamlNode& node, const std::string& what) const {
    const std::string text = string(node, what);
    if (text == "true" || text == "yes") return true;
    if (text == "false" || text == "no") return false;
    fail(node, "'" + what + "' must be true or false, not '" + text + "'");
  }

  uint16_t hex_id(const YamlNode& node, const std::string& what) const {
    const std::string text = string(node, what);
    const bool ok = text.size() == 4 && std::all_of(text.begin(), text.end(), [](char c) {
                      return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
                    });
    if (!ok)
      fail(node, "bad " + what + " '" + text + "': expected 4 lowercase hex digits, e.g. \"1033\"");
    return static_cast<uint16_t>(std::stoul(text, nullptr, 16));
  }

  std::pair<uint32_t, int> class_prefix(const YamlNode& node) const {
    const std::string text = string(node, "class");
    const bool ok = (text.size() == 2 || text.size() == 4 || text.size() == 6) &&
                    std::all_of(text.begin(), text.end(), [](char c) {
                      return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
                    });
    if (!ok)
      fail(node, "bad class '" + text +
                     "': expected 2, 4 or 6 lowercase hex digits (class, subclass, prog-if)");
    return {static_cast<uint32_t>(std::stoul(text, nullptr, 16)),
            static_cast<int>(text.size() / 2)};
  }

  KernelVersion version(const YamlNode& node, const std::string& what) const {
    const std::string text = string(node, what);
    auto version = KernelVersion::parse(text);
    if (!version || version->text() != text)
      fail(node, "bad kernel version '" + text + "' in '" + what + "': expected e.g. \"2.6.35\"");
    return *version;
  }

  KernelRange kernel_range(const YamlNode& node, const std::string& what) const {
    KernelRange range;
    map(node, what,
        {{"from", [&](const YamlNode& v) { range.from = version(v, what + ".from"); }},
         {"before", [&](const YamlNode& v) { range.before = version(v, what + ".before"); }}});
    if (range.from && range.before && !(*range.from < *range.before))
      fail(node, "'" + what + "' is empty: 'from' " + range.from->text() +
                     " is not below 'before' " + range.before->text());
    return range;
  }

  template <typename Each>
  void list(const YamlNode& node, const std::string& what, Each each) const {
    expect(node, Kind::kSequence, what);
    if (node.items.empty()) fail(node, "'" + what + "' must not be an empty list");
    for (const YamlNode& item : node.items) each(item);
  }

  std::string module_name(const YamlNode& node) const {
    const std::string text = string(node, "module");
    if (!is_valid_module_name(text))
      fail(node, "bad module name '" + text +
                     "': only A-Z a-z 0-9 _ -, not starting with '-', at most 55 characters");
    return normalize_module_name(text);
  }

  /// A module entry: a plain name, or a map with 'name' and the given optional keys
  /// ("- xhci" or "- {name: xhci, kernel: {...}}"). Returns the normalised name.
  std::string module_entry(
      const YamlNode& item, const std::string& what,
      std::map<std::string, std::function<void(const YamlNode&)>> optional) const {
    if (item.kind == Kind::kScalar) return module_name(item);
    if (item.kind == Kind::kNull)
      fail(item, "an empty '" + what + "' entry: YAML reads '~', 'null' and nothing as no " +
                     "value (quote a module of that name: \"null\")");
    std::string name;
    optional["name"] = [&](const YamlNode& v) { name = module_name(v); };
    map(item, what, optional);
    if (name.empty()) fail(item, "an '" + what + "' entry needs a 'name'");
    return name;
  }

  std::vector<SleepType> sleep_types(const YamlNode& node, const std::string& what) const {
    std::vector<SleepType> types;
    list(node, what, [&](const YamlNode& item) {
      const std::string name = string(item, what);
      const auto type = sleep_type_from_name(name);
      if (!type)
        fail(item, "bad sleep type '" + name +
                       "': expected suspend, hibernate, hybrid-sleep or suspend-then-hibernate");
      types.push_back(*type);
    });
    return types;
  }

 private:
  const std::string& origin_;
  std::vector<ProfileError>* warnings_;
  UnknownKeys unknown_keys_;
};

}  // namespace suspendfix
