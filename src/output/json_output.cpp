// SPDX-License-Identifier: GPL-2.0-or-later
#include "output/json_output.hpp"

#include "safe_text.hpp"

namespace suspendfix {
namespace {

void make_valid(nlohmann::ordered_json& value) {
  if (value.is_string()) {
    value = valid_utf8(value.get_ref<const std::string&>());
  } else if (value.is_array()) {
    for (auto& item : value) make_valid(item);
  } else if (value.is_object()) {
    nlohmann::ordered_json object = nlohmann::ordered_json::object();
    for (auto& [key, item] : value.items()) {
      make_valid(item);
      object[valid_utf8(key)] = std::move(item);
    }
    value = std::move(object);
  }
}

}  // namespace

void write_json(nlohmann::ordered_json root, std::ostream& out) {
  make_valid(root);
  out << root.dump(2) << "\n";
}

}  // namespace suspendfix
