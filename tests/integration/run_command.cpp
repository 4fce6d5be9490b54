// SPDX-License-Identifier: GPL-2.0-or-later
#include "integration/run_command.hpp"

#include <gtest/gtest.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>

#include "integration/testbed.hpp"

extern char** environ;

namespace suspendfix::testing {

CommandResult run_command(const std::vector<std::string>& argv,
                          const std::vector<std::string>& env) {
  char out_name[] = "/tmp/suspendfix-out-XXXXXX";
  char err_name[] = "/tmp/suspendfix-err-XXXXXX";
  const int out_fd = mkstemp(out_name);
  const int err_fd = mkstemp(err_name);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out_fd, STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, err_fd, STDERR_FILENO);
  std::vector<char*> args;
  for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  std::vector<std::string> environment;
  for (char** entry = environ; *entry; ++entry) environment.emplace_back(*entry);
  environment.insert(environment.end(), env.begin(), env.end());
  std::vector<char*> envp;
  for (std::string& entry : environment) envp.push_back(entry.data());
  envp.push_back(nullptr);
  CommandResult result;
  pid_t pid = 0;
  if (posix_spawn(&pid, args[0], &actions, nullptr, args.data(), envp.data()) == 0) {
    int status = 0;
    waitpid(pid, &status, 0);
    result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }
  posix_spawn_file_actions_destroy(&actions);
  close(out_fd);
  close(err_fd);
  result.out = read_file(out_name);
  result.err = read_file(err_name);
  unlink(out_name);
  unlink(err_name);
  return result;
}

::testing::AssertionResult matches_golden(const std::string& name, const std::string& text) {
  const std::string path = std::string(SUSPENDFIX_TEST_DATA) + "/golden/" + name;
  if (const char* update = std::getenv("SUSPENDFIX_UPDATE_GOLDEN");
      update && std::string(update) == "1") {
    std::ofstream(path, std::ios::binary) << text;
    return ::testing::AssertionSuccess();
  }
  std::string expected;
  try {
    expected = read_file(path);
  } catch (const std::exception& error) {
    return ::testing::AssertionFailure()
           << error.what() << " (run with SUSPENDFIX_UPDATE_GOLDEN=1)";
  }
  if (expected == text) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "output differs from " << path << "\n--- expected\n"
                                       << expected << "\n--- actual\n"
                                       << text;
}

}  // namespace suspendfix::testing
