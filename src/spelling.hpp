// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace suspendfix {

/// The candidate a mistyped word most likely meant ("keep_module" -> "keep_modules"), or ""
/// when none is within a quarter of the word's length in edits (Levenshtein distance).
std::string closest_spelling(std::string_view word, const std::vector<std::string>& candidates);

/// ", did you mean 'X'?" for closest_spelling, or "".
std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace suspendfix
