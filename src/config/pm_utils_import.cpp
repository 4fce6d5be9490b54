// SPDX-License-Identifier: GPL-2.0-or-later
#include "config/pm_utils_import.hpp"

#include <algorithm>
#include <sstream>

#include "profiles/profile.hpp"
#include "text_safety.hpp"

namespace suspendfix {
namespace {

/// The value of `SUSPEND_MODULES=...` with shell quoting removed and $SUSPEND_MODULES
/// expanded; false when the line does something we cannot follow (command substitution).
bool assignment_value(std::string text, const std::string& before, std::string* value) {
  if (text.find('`') != std::string::npos || text.find("$(") != std::string::npos) return false;
  for (const char* reference : {"${SUSPEND_MODULES}", "$SUSPEND_MODULES"}) {
    for (size_t at; (at = text.find(reference)) != std::string::npos;)
      text.replace(at, std::string(reference).size(), before);
  }
  std::string out;
  char quote = 0;
  for (char c : text) {
    if (quote) {
      if (c == quote)
        quote = 0;
      else
        out += c;
    } else if (c == '"' || c == '\'') {
      quote = c;
    } else if (c == '#') {
      break;
    } else if (c == '$' || c == ';' || c == '&' || c == '|') {
      return false;
    } else {
      out += c;
    }
  }
  if (quote) return false;
  *value = out;
  return true;
}

}  // namespace

PmUtilsImport import_pm_utils(const std::vector<std::pair<std::string, std::string>>& files) {
  PmUtilsImport imported;
  for (const auto& [origin, text] : files) {
    std::string value;
    std::istringstream lines(text);
    std::string line;
    int number = 0;
    while (std::getline(lines, line)) {
      ++number;
      const auto first = line.find_first_not_of(" \t");
      if (first == std::string::npos || line[first] == '#') continue;
      std::string statement = line.substr(first);
      if (statement.rfind("export ", 0) == 0) statement = statement.substr(7);
      if (statement.rfind("SUSPEND_MODULES=", 0) != 0) continue;
      std::string next;
      if (!assignment_value(statement.substr(16), value, &next)) {
        imported.warnings.emplace_back(origin, number, 0,
                                       "cannot follow this shell line, skipping it: " + line);
        continue;
      }
      value = next;
    }
    std::istringstream words(value);
    for (std::string word; words >> word;) {
      if (!is_valid_module_name(word)) {
        imported.warnings.emplace_back(origin, 0, 0,
                                       "'" + word + "' is not a module name, skipping it");
        continue;
      }
      const std::string name = normalize_module_name(word);
      const bool seen = std::any_of(imported.modules.begin(), imported.modules.end(),
                                    [&](const ImportedModule& m) { return m.name == name; });
      if (!seen) imported.modules.push_back({name, origin});
    }
  }
  return imported;
}

std::string format_import(const PmUtilsImport& imported) {
  if (imported.modules.empty())
    return "# No SUSPEND_MODULES found in the pm-utils configuration.\n";
  std::string out =
      "# Imported from pm-utils' SUSPEND_MODULES. Prefer a profile that matches the\n"
      "# hardware (suspendfix detect): these are unloaded on every machine.\n"
      "unload_modules:\n";
  for (const ImportedModule& module : imported.modules)
    out += "  - " + yaml_scalar(module.name) + "  # " + escape_for_terminal(module.origin) + "\n";
  return out;
}

}  // namespace suspendfix
