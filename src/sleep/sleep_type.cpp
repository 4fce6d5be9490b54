// SPDX-License-Identifier: GPL-2.0-or-later
#include "sleep/sleep_type.hpp"

#include "enum_names.hpp"

namespace suspendfix {
namespace {

constexpr EnumName<SleepType> kSleepTypeNames[] = {
    {SleepType::kSuspend, "suspend"},
    {SleepType::kHibernate, "hibernate"},
    {SleepType::kHybridSleep, "hybrid-sleep"},
    {SleepType::kSuspendThenHibernate, "suspend-then-hibernate"},
};

}  // namespace

const char* sleep_type_name(SleepType type) { return name_of(kSleepTypeNames, type); }

std::optional<SleepType> sleep_type_from_name(std::string_view name) {
  return value_of(kSleepTypeNames, name);
}

std::vector<std::string> sleep_type_names() { return names_of(kSleepTypeNames); }

}  // namespace suspendfix
