// SPDX-License-Identifier: GPL-2.0-or-later
// suspendfix import-pm-utils: turn SUSPEND_MODULES lines into a configuration fragment.
#include <algorithm>
#include <filesystem>
#include <iostream>
#include <memory>

#include "cli/commands.hpp"
#include "config/pm_utils_import.hpp"
#include "log.hpp"
#include "planner/protection.hpp"
#include "text_file.hpp"

namespace suspendfix {
namespace {

int run_import(const std::string& directory) {
  namespace fs = std::filesystem;
  std::vector<std::string> names;
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(directory, error)) {
    const std::string name = entry.path().filename().string();
    if (!name.empty() && name.back() != '~')
      names.push_back(entry.path().string());  // pm-utils: *[!~]
  }
  if (error && error != std::errc::no_such_file_or_directory)
    throw Error("could not read", directory, error.message());
  std::sort(names.begin(), names.end());  // pm-utils sorts with LC_COLLATE=C
  std::vector<std::pair<std::string, std::string>> files;
  for (const std::string& name : names) {
    try {
      files.emplace_back(name, read_text_file(name, 1 << 20));
    } catch (const Error& problem) {
      log_warning(std::string(problem.what()) + ", skipping it");
    }
  }
  const PmUtilsImport imported = import_pm_utils(files);
  for (const ProfileError& warning : imported.warnings) log_warning(warning.what());
  for (const ImportedModule& module : imported.modules)
    if (const auto it = builtin_protected_modules().find(module.name);
        it != builtin_protected_modules().end())
      log_warning("'" + module.name + "' (" + module.origin +
                  ") will never be unloaded: " + it->second);
  std::cout << format_import(imported);
  return 0;
}

}  // namespace

void setup_import(CLI::App& command, int* exit_code) {
  auto directory = std::make_shared<std::string>("/etc/pm/config.d");
  command.add_option("--dir", *directory, "pm-utils configuration directory")->type_name("DIR");
  command.callback([directory, exit_code] { *exit_code = run_import(*directory); });
}

}  // namespace suspendfix
