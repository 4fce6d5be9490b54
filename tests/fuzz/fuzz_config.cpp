// SPDX-License-Identifier: GPL-2.0-or-later
// The configuration parser on any bytes: a ProfileError or a configuration, never anything
// else; a configuration gives a plan for every sleep type, and never reloads at the wake of a
// suspend-then-hibernate.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "config/admin_config.hpp"
#include "exercise.hpp"

using namespace suspendfix;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    const AdminConfig config = parse_admin_config(text, "config.yaml");
    for (SleepType type : kAllSleepTypes) {
      config.acts_on(type);
      const PlanOptions options = config.plan_options(type);
      for (const std::string& module : options.extra_modules)
        fuzz::require(is_valid_module_name(module));
    }
    fuzz::require(config.timeout_seconds >= 1 && config.timeout_seconds <= 80);
    // Never at the wake for suspend-then-hibernate, whatever the file says.
    for (HookFrontend frontend : {HookFrontend::kSystemd, HookFrontend::kElogind,
                                  HookFrontend::kPmUtils, HookFrontend::kSelf})
      fuzz::require(!config.reloads_at_wake(frontend, SleepType::kSuspendThenHibernate));
    std::vector<Profile> profiles(1);
    profiles[0].id = "nec-upd720200-xhci";
    for (const ProfileError& warning : unknown_disabled_profiles(config, profiles))
      fuzz::exercise(warning);
  } catch (const ProfileError& error) {
    fuzz::exercise(error);
  }
  return 0;
}
