// SPDX-License-Identifier: GPL-2.0-or-later
#include "sleep/sleep_event.hpp"

#include "enum_names.hpp"
#include "error.hpp"

namespace suspendfix {

constexpr EnumName<HookFrontend> kHookFrontendNames[] = {
    {HookFrontend::kSystemd, "systemd-sleep"}, {HookFrontend::kElogind, "elogind"},
    {HookFrontend::kPmUtils, "pm-utils"},      {HookFrontend::kSelf, "suspendfix"},
    {HookFrontend::kWatcher, "watcher"},
};

const char* hook_frontend_name(HookFrontend frontend) {
  return name_of(kHookFrontendNames, frontend);
}

std::string SleepEvent::label() const {
  return std::string(phase == SleepPhase::kPre ? "pre " : "post ") + sleep_type_name(type);
}

namespace {

ParsedHookArguments systemd_style(HookFrontend frontend, const std::vector<std::string>& arguments,
                                  const std::string& action) {
  if (arguments.empty() || arguments.size() > 2)
    throw UsageError(std::string(hook_frontend_name(frontend)) +
                     " hooks take 'pre|post' and a sleep type");
  SleepEvent event;
  event.frontend = frontend;
  if (arguments[0] == "pre")
    event.phase = SleepPhase::kPre;
  else if (arguments[0] == "post")
    event.phase = SleepPhase::kPost;
  else
    throw UsageError("bad phase '" + arguments[0] + "': expected pre or post");
  std::string type = arguments.size() > 1 ? arguments[1] : "";
  if (type.empty()) type = action;  // systemd v242 regression (systemd#12782)
  const auto parsed = sleep_type_from_name(type);
  if (!parsed) {
    // A sleep type newer than this program: acting blindly could unload on a path nobody
    // tested, so do nothing, but say so.
    ParsedHookArguments result;
    result.not_applicable = "unknown sleep type '" + type + "'";
    return result;
  }
  event.type = *parsed;
  return {event, ""};
}

ParsedHookArguments pm_utils_style(const std::vector<std::string>& arguments) {
  ParsedHookArguments result;
  if (arguments.empty()) {
    result.not_applicable = "no action given";
    return result;
  }
  const std::string& action = arguments[0];
  const std::string method = arguments.size() > 1 ? arguments[1] : "";
  SleepEvent event;
  event.frontend = HookFrontend::kPmUtils;
  if (action == "suspend" || action == "resume") {
    event.type = method == "suspend_hybrid" ? SleepType::kHybridSleep : SleepType::kSuspend;
  } else if (action == "hibernate" || action == "thaw") {
    event.type = SleepType::kHibernate;
  } else {
    result.not_applicable = "pm-utils action '" + action + "' is not ours";  // help, etc.
    return result;
  }
  event.phase = action == "suspend" || action == "hibernate" ? SleepPhase::kPre : SleepPhase::kPost;
  result.event = event;
  return result;
}

}  // namespace

ParsedHookArguments parse_hook_arguments(HookFrontend frontend,
                                         const std::vector<std::string>& arguments,
                                         const std::string& systemd_sleep_action) {
  if (frontend == HookFrontend::kPmUtils) return pm_utils_style(arguments);
  return systemd_style(frontend, arguments, systemd_sleep_action);
}

}  // namespace suspendfix
