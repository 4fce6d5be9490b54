// SPDX-License-Identifier: GPL-2.0-or-later
#include "output/state_json.hpp"

#include "profiles/profile.hpp"

namespace suspendfix {

nlohmann::ordered_json pending_record_json(const StateRecord& record,
                                           const std::string& this_boot_id) {
  using Json = nlohmann::ordered_json;
  return {{"kind", state_kind_name(record.kind)},
          {"object", record.object},
          {"driver", record.driver.empty() ? Json(nullptr) : Json(record.driver)},
          {"sleep", sleep_type_name(record.sleep)},
          {"since", record.time},
          {"profiles", record.profiles},
          {"boot_id", record.boot_id},
          {"this_boot", record.boot_id == this_boot_id}};
}

}  // namespace suspendfix
