// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// One table per enum gives both directions, enum -> name and name -> enum, so a name used in a
// file format, a log line or a command-line option is written exactly once:
//
//   constexpr EnumName<DeviceAction> kDeviceActionNames[] = {
//       {DeviceAction::kNone, "none"}, {DeviceAction::kUnbind, "unbind"}, ...};
//   const char* device_action_name(DeviceAction a) { return name_of(kDeviceActionNames, a); }
//
// The tables are small (at most a dozen entries), so a linear scan beats any map.

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace suspendfix {

template <typename Enum>
struct EnumName {
  Enum value;
  const char* name;
};

/// The name of value, or "?" for a value the table lacks (a cast from a bad integer).
template <typename Enum, std::size_t N>
constexpr const char* name_of(const EnumName<Enum> (&table)[N], Enum value) {
  for (const auto& entry : table)
    if (entry.value == value) return entry.name;
  return "?";
}

/// The value named name; nullopt for a name the table lacks.
template <typename Enum, std::size_t N>
constexpr std::optional<Enum> value_of(const EnumName<Enum> (&table)[N], std::string_view name) {
  for (const auto& entry : table)
    if (name == entry.name) return entry.value;
  return std::nullopt;
}

/// Every name in table order: for "expected one of ..." messages and spelling hints.
template <typename Enum, std::size_t N>
std::vector<std::string> names_of(const EnumName<Enum> (&table)[N]) {
  std::vector<std::string> names;
  for (const auto& entry : table) names.emplace_back(entry.name);
  return names;
}

/// name -> value, the shape CLI11's CheckedTransformer takes for an enum option.
template <typename Enum, std::size_t N>
std::map<std::string, Enum> name_map(const EnumName<Enum> (&table)[N]) {
  std::map<std::string, Enum> map;
  for (const auto& entry : table) map.emplace(entry.name, entry.value);
  return map;
}

}  // namespace suspendfix
