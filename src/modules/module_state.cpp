// SPDX-License-Identifier: GPL-2.0-or-later
#include "enum_names.hpp"
#include "modules/module_backend.hpp"

namespace suspendfix {

constexpr EnumName<ModuleState> kModuleStateNames[] = {
    {ModuleState::kNotLoaded, "not-loaded"}, {ModuleState::kLive, "live"},
    {ModuleState::kBuiltin, "builtin"},      {ModuleState::kComing, "coming"},
    {ModuleState::kGoing, "going"},
};

const char* module_state_name(ModuleState state) { return name_of(kModuleStateNames, state); }

}  // namespace suspendfix
