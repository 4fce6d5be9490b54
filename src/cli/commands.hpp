// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <CLI/CLI.hpp>

namespace suspendfix {

/// One subcommand: it adds its own options to `command` and sets a callback that stores the
/// exit code in `*exit_code` (fwupd's fu_cli_cmd_array_add, ninja's tool table).
struct Command {
  const char* name;
  const char* summary;
  void (*setup)(CLI::App& command, int* exit_code);
};

void setup_detect(CLI::App& command, int* exit_code);
void setup_validate(CLI::App& command, int* exit_code);

/// The table main() registers, in the order `--help` lists them.
inline constexpr Command kCommands[] = {
    {"detect", "Show this machine's hardware, the matching profiles and what the hook will do",
     setup_detect},
    {"validate", "Check profile files and directories; non-zero exit on any problem",
     setup_validate},
};

}  // namespace suspendfix
