// SPDX-License-Identifier: GPL-2.0-or-later
#include "json_output.hpp"

#include "text_safety.hpp"

namespace suspendfix {
namespace {

template <typename Json>
void make_valid(Json& value) {
  if (value.is_string()) {
    value = to_valid_utf8(value.template get_ref<const std::string&>());
  } else if (value.is_array()) {
    for (auto& item : value) make_valid(item);
  } else if (value.is_object()) {
    Json object = Json::object();
    for (auto& [key, item] : value.items()) {
      make_valid(item);
      object[to_valid_utf8(key)] = std::move(item);
    }
    value = std::move(object);
  }
}

template <typename Json>
void dump(Json& root, std::ostream& out) {
  make_valid(root);
  out << root.dump(2) << "\n";
}

}  // namespace

void write_json(nlohmann::ordered_json root, std::ostream& out) { dump(root, out); }
void write_json(nlohmann::json root, std::ostream& out) { dump(root, out); }

}  // namespace suspendfix
