// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "error.hpp"

namespace suspendfix {

/// A module pm-utils was told to unload, and the file that said so.
struct ImportedModule {
  std::string name;  // normalised
  std::string origin;
};

struct PmUtilsImport {
  std::vector<ImportedModule> modules;  // in pm-utils' order, without repeats
  std::vector<ProfileError> warnings;   // lines we could not read, names we refuse
};

/// Reads SUSPEND_MODULES from /etc/pm/config.d files given as (name, text), in the order
/// pm-utils sources them. As pm-utils does, the value is concatenated across files, while
/// within a file the last assignment wins ($SUSPEND_MODULES in it expands to what came
/// before). Pure: the caller reads the files.
PmUtilsImport import_pm_utils(const std::vector<std::pair<std::string, std::string>>& files);

/// The configuration fragment for /etc/suspendfix/config.yaml.
std::string format_import(const PmUtilsImport& imported);

}  // namespace suspendfix
