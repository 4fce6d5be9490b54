// SPDX-License-Identifier: GPL-2.0-or-later
// suspendfix validate: the strict reading of profiles, for contributors and for CTest.
#include <iostream>
#include <memory>

#include "cli/commands.hpp"
#include "profiles/profile_database.hpp"
#include "text_safety.hpp"

namespace suspendfix {
namespace {

int run_validate(const std::vector<std::string>& paths, bool quiet) {
  std::vector<std::filesystem::path> list(paths.begin(), paths.end());
  const ProfileDatabase database = load_profile_paths(list);
  for (const FileError& error : database.errors)
    std::cerr << escape_for_terminal(error.what()) << "\n";
  if (!quiet)
    std::cout << database.files_read << " file(s) checked, " << database.profiles.size()
              << " valid, " << database.errors.size() << " error(s)\n";
  return database.errors.empty() ? 0 : 1;
}

}  // namespace

void setup_validate(CLI::App& command, int* exit_code) {
  auto paths = std::make_shared<std::vector<std::string>>();
  auto quiet = std::make_shared<bool>(false);
  command.add_option("paths", *paths, "Profile files or directories")
      ->required()
      ->type_name("PATH");
  command.add_flag("-q,--quiet", *quiet, "Print only the errors");
  command.callback([paths, quiet, exit_code] { *exit_code = run_validate(*paths, *quiet); });
}

}  // namespace suspendfix
