// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "sleep/sleep_type.hpp"

namespace suspendfix {

/// Who called: a sleep system's hook, `suspendfix suspend` itself, or (in the sleep log only)
/// the self-healing watcher that brought things back instead of a post.
enum class HookFrontend { kSystemd, kElogind, kPmUtils, kSelf, kWatcher };
const char* hook_frontend_name(HookFrontend frontend);

enum class SleepPhase { kPre, kPost };

/// One hook invocation, whatever the calling convention.
struct SleepEvent {
  HookFrontend frontend = HookFrontend::kSystemd;
  SleepPhase phase = SleepPhase::kPre;
  SleepType type = SleepType::kSuspend;

  /// "pre suspend", "post hibernate": the prefix of every log line.
  std::string label() const;
};

/// The result of reading a hook's arguments: an event, or "not for us" (pm-utils' $NA, 254).
struct ParsedHookArguments {
  std::optional<SleepEvent> event;
  std::string not_applicable;  // why, when there is no event
};

/// systemd-sleep and elogind: $1 pre|post, $2 suspend|hibernate|hybrid-sleep|
/// suspend-then-hibernate (systemd v242 passed an empty $2: then $SYSTEMD_SLEEP_ACTION).
/// pm-utils: $1 suspend|hibernate|resume|thaw; $2 the method (suspend_hybrid for hybrid).
/// Throws UsageError for arguments no caller would pass.
ParsedHookArguments parse_hook_arguments(HookFrontend frontend,
                                         const std::vector<std::string>& arguments,
                                         const std::string& systemd_sleep_action);

}  // namespace suspendfix
