// SPDX-License-Identifier: GPL-2.0-or-later
// Benchmark: `suspendfix hook` pre + post against a hand-written shell hook doing
// `modprobe -r` / `modprobe` of the same module, both on the same fake kernel (the real libkmod
// through tests/fakekernel) and the same umockdev testbed, in one run. Prints medians, the
// ratio and peak RSS. Asserts nothing: figures, not a test (run under umockdev-wrapper).
#include <fcntl.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "integration/fake_kernel.hpp"
#include "integration/testbed.hpp"

extern char** environ;

namespace {

using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

struct Run {
  double milliseconds = 0;
  long max_rss_kb = 0;
  int status = 0;
};

/// Runs argv with extra environment; wall time and the child's peak RSS (wait4).
Run run(const std::vector<std::string>& argv, const std::vector<std::string>& extra) {
  std::vector<std::string> environment;
  for (char** entry = environ; *entry; ++entry) environment.emplace_back(*entry);
  environment.insert(environment.end(), extra.begin(), extra.end());
  std::vector<char*> envp, args;
  for (auto& entry : environment) envp.push_back(entry.data());
  envp.push_back(nullptr);
  for (const auto& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  Run result;
  const auto started = Clock::now();
  pid_t pid = 0;
  if (posix_spawn(&pid, args[0], &actions, nullptr, args.data(), envp.data()) != 0) {
    result.status = -1;
    return result;
  }
  int status = 0;
  rusage usage{};
  wait4(pid, &status, 0, &usage);
  result.milliseconds = std::chrono::duration<double, std::milli>(Clock::now() - started).count();
  result.max_rss_kb = usage.ru_maxrss;
  result.status = status;
  posix_spawn_file_actions_destroy(&actions);
  return result;
}

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values.empty() ? 0 : values[values.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  using suspendfix::testing::FakeKernel;
  using suspendfix::testing::Testbed;
  const int rounds = argc > 1 ? std::atoi(argv[1]) : 30;
  Testbed testbed;  // the mock is only active once a testbed exists
  if (!Testbed::mocked()) {
    std::fprintf(stderr, "hook_bench: run me under umockdev-wrapper\n");
    return 77;
  }
  testbed.load_machine("lenovo-t510-nec");
  FakeKernel kernel("xhci_pci");
  const fs::path scratch = fs::path(kernel.root()) / "bench";
  fs::create_directories(scratch);
  // The hand-written hook people copy from forums, with the module name spelled right.
  const std::string shell_hook = (scratch / "modprobe-hook").string();
  std::ofstream(shell_hook) << "#!/bin/sh\ncase $1 in\n  pre) modprobe -r xhci_pci ;;\n"
                               "  post) modprobe xhci_pci ;;\nesac\n";
  fs::permissions(shell_hook, fs::perms::owner_all);
  std::vector<std::string> env = kernel.environment();
  // /run is a tmpfs on every system the hook runs on; /tmp here is not, and an fsync on disk
  // would measure the disk, not the hook.
  char run_template[] = "/dev/shm/suspendfix-bench-XXXXXX";
  const std::string run_dir =
      mkdtemp(run_template) ? std::string(run_template) + "/run" : (scratch / "run").string();
  env.push_back("SUSPENDFIX_STATE_DIR=" + run_dir);
  env.push_back("SUSPENDFIX_CONFIG=" + (scratch / "none.yaml").string());
  // The profile cache, as an installed system has it in /var/cache/suspendfix.
  env.push_back("SUSPENDFIX_CACHE_DIR=" + (scratch / "cache").string());
  const std::string profiles = SUSPENDFIX_PROFILES_DIR;  // the shipped database

  std::vector<double> ours_pre, ours_post, theirs_pre, theirs_post;
  long ours_rss = 0, theirs_rss = 0;
  int failures = 0;
  for (int i = 0; i < rounds; ++i) {
    // Alternate so that drift in machine load hits both alike.
    for (const bool mine : {i % 2 == 0, i % 2 != 0}) {
      for (const char* phase : {"pre", "post"}) {
        const Run result = mine ? run({SUSPENDFIX_BINARY, "hook", "--profiles", profiles,
                                       "systemd-sleep", phase, "suspend"},
                                      env)
                                : run({"/bin/sh", shell_hook, phase}, env);
        if (result.status != 0) ++failures;
        auto& times = mine ? (phase[1] == 'r' ? ours_pre : ours_post)
                           : (phase[1] == 'r' ? theirs_pre : theirs_post);
        times.push_back(result.milliseconds);
        (mine ? ours_rss : theirs_rss) = std::max(mine ? ours_rss : theirs_rss, result.max_rss_kb);
      }
      const bool back = fs::exists(kernel.root() + "/sys/module/xhci_pci/initstate");
      if (!back) ++failures;
    }
  }
  const auto calls = kernel.calls();
  const long deletes = std::count_if(calls.begin(), calls.end(),
                                     [](const std::string& c) { return c == "delete xhci_pci 0"; });
  const double ours = median(ours_pre) + median(ours_post);
  const double theirs = median(theirs_pre) + median(theirs_post);
  std::printf("hook benchmark: %d rounds, shipped profiles, NEC laptop testbed, fake kernel\n",
              rounds);
  std::printf("%-34s %9s %9s %9s %12s\n", "", "pre ms", "post ms", "total ms", "peak RSS KiB");
  std::printf("%-34s %9.2f %9.2f %9.2f %12ld\n", "suspendfix hook (libkmod)", median(ours_pre),
              median(ours_post), ours, ours_rss);
  std::printf("%-34s %9.2f %9.2f %9.2f %12ld\n", "shell hook (modprobe -r/modprobe)",
              median(theirs_pre), median(theirs_post), theirs, theirs_rss);
  std::printf(
      "ratio suspendfix / shell hook: %.2f (target <= 1.5); peak RSS %.1f MiB (target < 10)\n",
      ours / theirs, ours_rss / 1024.0);
  std::printf("unloads seen by the fake kernel: %ld (expected %d); failures: %d\n", deletes,
              2 * rounds, failures);
  fs::remove_all(fs::path(run_dir).parent_path());
  return failures == 0 && deletes == 2 * rounds ? 0 : 1;
}
