// SPDX-License-Identifier: GPL-2.0-or-later
#include "sleep/sleep_type.hpp"

namespace suspendfix {

const char* sleep_type_name(SleepType type) {
  switch (type) {
    case SleepType::kSuspend:
      return "suspend";
    case SleepType::kHibernate:
      return "hibernate";
    case SleepType::kHybridSleep:
      return "hybrid-sleep";
    case SleepType::kSuspendThenHibernate:
      return "suspend-then-hibernate";
  }
  return "?";
}

std::optional<SleepType> sleep_type_from_name(std::string_view name) {
  for (SleepType type : kAllSleepTypes)
    if (name == sleep_type_name(type)) return type;
  return std::nullopt;
}

}  // namespace suspendfix
