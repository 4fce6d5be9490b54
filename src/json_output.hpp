// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <nlohmann/json.hpp>
#include <ostream>

namespace suspendfix {

/// Every JSON document the program prints goes through here: each string and key is made valid
/// UTF-8 (to_valid_utf8(), text_safety.hpp: firmware strings and kernel logs are bytes),
/// so that nlohmann's dump never throws half-way through; control characters are escaped by
/// the JSON encoding itself. Indented by 2, one newline after.
void write_json(nlohmann::ordered_json root, std::ostream& out);
void write_json(nlohmann::json root, std::ostream& out);

}  // namespace suspendfix
