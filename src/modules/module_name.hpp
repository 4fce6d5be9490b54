// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <string>
#include <string_view>

namespace suspendfix {

/// Module names as the kernel spells them in /sys/module ('-' becomes '_').
std::string normalize_module_name(std::string_view name);
/// [A-Za-z0-9_-], 1..55 characters (MODULE_NAME_LEN - 1), not starting with '-'.
bool is_valid_module_name(std::string_view name);

}  // namespace suspendfix
