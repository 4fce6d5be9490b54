// SPDX-License-Identifier: GPL-2.0-or-later
#include "modules/module_name.hpp"

#include <algorithm>

namespace suspendfix {

std::string normalize_module_name(std::string_view name) {
  std::string out(name);
  std::replace(out.begin(), out.end(), '-', '_');
  return out;
}

bool is_valid_module_name(std::string_view name) {
  if (name.empty() || name.size() > 55 || name[0] == '-') return false;  // never an option
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
  });
}

}  // namespace suspendfix
