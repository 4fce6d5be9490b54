// SPDX-License-Identifier: GPL-2.0-or-later
// `suspendfix import-pm-utils` on any bytes: /etc/pm/config.d files are shell, written by
// people and by other packages, and what the import prints goes into /etc/suspendfix.
//
// The input is up to four files, separated by NUL bytes (a NUL cannot be in a shell file
// pm-utils sources). Checked besides "no crash, no UB, no leak": every imported module is a
// valid, normalised name and comes once; every warning prints as one line; and the fragment
// the import prints parses as a configuration that unloads exactly the imported modules, in
// their order, whatever the file names and lines held.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "config/admin_config.hpp"
#include "config/pm_utils_import.hpp"
#include "exercise.hpp"
#include "modules/module_name.hpp"

using namespace suspendfix;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  std::vector<std::pair<std::string, std::string>> files;
  while (files.size() < 4) {
    const size_t end = input.find('\0');
    // The first line of each piece also names the file, so that names are hostile too.
    const std::string_view piece = input.substr(0, end);
    const std::string_view name = piece.substr(0, std::min<size_t>(piece.find('\n'), 64));
    files.emplace_back("/etc/pm/config.d/" + std::string(name), std::string(piece));
    if (end == std::string_view::npos) break;
    input.remove_prefix(end + 1);
  }

  const PmUtilsImport imported = import_pm_utils(files);
  for (const ProfileError& warning : imported.warnings) fuzz::exercise(warning);
  for (size_t i = 0; i < imported.modules.size(); ++i) {
    const std::string& name = imported.modules[i].name;
    fuzz::require(is_valid_module_name(name));
    fuzz::require(name == normalize_module_name(name));
    for (size_t j = 0; j < i; ++j) fuzz::require(imported.modules[j].name != name);
  }

  const std::string fragment = format_import(imported);
  AdminConfig config;
  try {
    config = parse_admin_config(fragment, "config.yaml");
  } catch (const ProfileError& error) {
    fuzz::exercise(error);
    fuzz::require(false);  // what the import prints must always be a valid configuration
  }
  fuzz::require(config.unload_modules.size() == imported.modules.size());
  for (size_t i = 0; i < imported.modules.size(); ++i) {
    fuzz::require(config.unload_modules[i].name == imported.modules[i].name);
    fuzz::require(config.unload_modules[i].sleep.empty());
  }
  return 0;
}
