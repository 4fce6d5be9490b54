// SPDX-License-Identifier: GPL-2.0-or-later
#include "modules/module_backend.hpp"

namespace suspendfix {

const char* module_state_name(ModuleState state) {
  switch (state) {
    case ModuleState::kNotLoaded:
      return "not-loaded";
    case ModuleState::kLive:
      return "live";
    case ModuleState::kBuiltin:
      return "builtin";
    case ModuleState::kComing:
      return "coming";
    case ModuleState::kGoing:
      return "going";
  }
  return "?";
}

}  // namespace suspendfix
