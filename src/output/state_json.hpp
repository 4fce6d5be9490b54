// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "sleep/state_format.hpp"

namespace suspendfix {

/// One pending record as `detect --json` and `status --json` both print it: kind, object,
/// driver (or null), sleep, since, profiles, boot_id, this_boot (its boot id is this_boot_id).
nlohmann::ordered_json pending_record_json(const StateRecord& record,
                                           const std::string& this_boot_id);

}  // namespace suspendfix
