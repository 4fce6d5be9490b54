// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace suspendfix {

/// The sleep operations systemd-sleep names; pm-utils' suspend/hibernate map onto the first two.
enum class SleepType { kSuspend, kHibernate, kHybridSleep, kSuspendThenHibernate };
inline constexpr SleepType kAllSleepTypes[] = {SleepType::kSuspend, SleepType::kHibernate,
                                               SleepType::kHybridSleep,
                                               SleepType::kSuspendThenHibernate};
/// "suspend", "hybrid-sleep": systemd-sleep's words, also the profiles' and the state file's.
const char* sleep_type_name(SleepType type);
std::optional<SleepType> sleep_type_from_name(std::string_view name);
/// Every name, in enum order: for the command line's check and messages.
std::vector<std::string> sleep_type_names();

}  // namespace suspendfix
