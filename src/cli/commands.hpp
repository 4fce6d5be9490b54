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
void setup_hook(CLI::App& command, int* exit_code);
void setup_suspend(CLI::App& command, int* exit_code);
void setup_status(CLI::App& command, int* exit_code);
void setup_restore(CLI::App& command, int* exit_code);
void setup_import(CLI::App& command, int* exit_code);
void setup_profile(CLI::App& command, int* exit_code);
void setup_watch(CLI::App& command, int* exit_code);
void setup_diagnose(CLI::App& command, int* exit_code);
void setup_test(CLI::App& command, int* exit_code);

/// The table main() registers, in the order `--help` lists them.
inline constexpr Command kCommands[] = {
    {"detect", "Show this machine's hardware, the matching profiles and what the hook will do",
     setup_detect},
    {"diagnose",
     "Find why a suspend failed: the device, driver and module, and a profile that fixes it",
     setup_diagnose},
    {"hook", "Run as a sleep hook: hook systemd-sleep|elogind pre|post TYPE, hook pm-utils ACTION",
     setup_hook},
    {"suspend",
     "Unload, write to /sys/power/state, load back (for systems without a sleep manager)",
     setup_suspend},
    {"test", "Sleep and wake N times, woken by the RTC alarm, and report per cycle what happened",
     setup_test},
    {"status", "Show what the hook unloaded and has not loaded back yet", setup_status},
    {"restore", "Load back everything the hook left recorded", setup_restore},
    {"import-pm-utils", "Print a configuration fragment from pm-utils' SUSPEND_MODULES settings",
     setup_import},
    {"profile", "profile new DEVICE: print a draft profile for a device of this machine",
     setup_profile},
    {"validate", "Check profile files and directories; non-zero exit on any problem",
     setup_validate},
    {"watch", "(hidden) The self-healing watcher a pre leaves behind", setup_watch},
};

}  // namespace suspendfix
