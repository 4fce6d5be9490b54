// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "error.hpp"
#include "profiles/profile.hpp"

namespace suspendfix {

/// Parses one profile from its text (reading the file is the caller's job). Throws
/// ProfileError for anything that makes the profile unusable. Unknown keys are not fatal: they
/// are appended to *warnings (validate treats them as errors; the hook applies the profile).
Profile parse_profile(std::string_view yaml, const std::string& origin,
                      std::vector<ProfileError>* warnings);

}  // namespace suspendfix
