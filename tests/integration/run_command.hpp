// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace suspendfix::testing {

struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

/// Runs argv (no shell) with extra environment entries ("NAME=value"), capturing both streams.
/// The child inherits the testbed (LD_PRELOAD and UMOCKDEV_DIR).
CommandResult run_command(const std::vector<std::string>& argv,
                          const std::vector<std::string>& env = {});

/// Compares text with tests/data/golden/NAME; with SUSPENDFIX_UPDATE_GOLDEN=1 rewrites it.
::testing::AssertionResult matches_golden(const std::string& name, const std::string& text);

}  // namespace suspendfix::testing
