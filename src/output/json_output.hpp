// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <nlohmann/json.hpp>
#include <ostream>

namespace suspendfix {

/// Every JSON document the program prints goes through here: each string and key is made valid
/// UTF-8 (valid_utf8(), safe_text.hpp: firmware strings are bytes), so that nlohmann's dump never
/// throws half-way through; control characters are escaped by the JSON encoding itself.
void write_json(nlohmann::ordered_json root, std::ostream& out);

}  // namespace suspendfix
