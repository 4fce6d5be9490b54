// SPDX-License-Identifier: GPL-2.0-or-later
// suspendfix test: sleep and wake N times, each woken by the RTC alarm, and say per cycle
// whether the sleep happened, what the hook did, how long it took and what failed.
#include <signal.h>
#include <sys/file.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <fstream>
#include <iostream>
#include <memory>

#include "cli/commands.hpp"
#include "cli/context.hpp"
#include "cli/state_commands.hpp"
#include "cli/suspend.hpp"
#include "log.hpp"
#include "sleep/state_store.hpp"
#include "sleep/system_probe.hpp"
#include "sleeptest/os_side.hpp"
#include "sleeptest/test_report.hpp"

namespace suspendfix {
namespace {

/// A cycle failed, or something stayed unloaded (0: all good, 1: could not test, 2: usage).
constexpr int kExitCycleFailed = 3;
/// Stopped by Ctrl-C (or SIGTERM) between cycles, with nothing failed.
constexpr int kExitInterrupted = 130;

volatile std::sig_atomic_t stop_signal = 0;

struct TestOptions {
  ScanOptions scan;
  int cycles = 5;
  std::string mode = "mem";
  std::string mem_sleep;
  int wake_after = 5;
  std::string through;
  bool keep_going = false;
  bool json = false;
  int min_battery = 20;
  bool dry_run = false;
};

/// suspendfix's own pre, write, post: the code of `suspendfix suspend`.
class SelfSleep : public SleepBackend {
 public:
  SelfSleep(const ScanOptions& scan, std::string mode) : scan_(scan), mode_(std::move(mode)) {}
  SleepOutcome sleep(const SleepCallbacks& callbacks) override {
    SuspendRequest request;
    request.scan = scan_;
    request.mode = mode_;
    request.before_write = callbacks.about_to_sleep;
    request.after_write = callbacks.poll;
    const SuspendOutcome done = suspend_once(request);
    if (done.open_error)
      throw Error("could not open", "/sys/power/state", errno_string(done.open_error));
    SleepOutcome outcome;
    outcome.pre_failed = !done.pre_ok;
    outcome.write_error = done.write_error;
    return outcome;
  }

 private:
  ScanOptions scan_;
  std::string mode_;
};

void on_stop_signal(int number) { stop_signal = number; }

void install_stop_handlers() {
  struct sigaction action {};
  action.sa_handler = on_stop_signal;
  action.sa_flags = SA_RESTART;  // a sleep under way is finished, not cut
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

TestRequest request_of(const TestOptions& options) {
  TestRequest request;  // CLI11 checked every word against its table
  if (!options.through.empty()) request.through = sleep_path_from_name(options.through);
  request.mode = options.mode;
  request.mem_sleep = options.mem_sleep;
  request.min_battery = options.min_battery;
  return request;
}

/// What the hook would do before a sleep: the plan of `detect`.
void print_plan(const TestOptions& options) {
  try {
    auto modules = make_kmod_backend();
    auto source = make_udev_device_source(DeviceNames::kNone);
    Scan scan;
    scan.config = load_config(options.scan);
    scan_machine(options.scan, options.mode == "disk" ? SleepType::kHibernate : SleepType::kSuspend,
                 *source, *modules, scan);
    std::cout << "  The hook would (suspendfix detect shows why):\n";
    size_t shown = 0;
    for (const PlannedDevice& device : scan.plan.devices)
      if (device.decision == Decision::kUnload && ++shown)
        std::cout << "    " << device_action_verb(device.action) << " " << device.slot << "\n";
    for (const PlannedModule& module : scan.plan.modules)
      if (module.decision == Decision::kUnload && ++shown)
        std::cout << "    unload " << module.name << "\n";
    if (shown == 0) std::cout << "    nothing: no profile acts on this machine\n";
  } catch (const std::exception& error) {
    std::cout << "  The hook's plan cannot be shown: " << error.what() << "\n";
  }
}

int dry_run(const TestOptions& options, const Preflight& preflight, const SleepFacts& facts) {
  std::cout << "Would run " << options.cycles << " sleep cycle" << (options.cycles == 1 ? "" : "s")
            << " through " << sleep_path_description(preflight.path, options.mode) << " ("
            << sleep_path_name(preflight.path) << ": " << preflight.why_path << "),\n"
            << "  each woken by the RTC alarm ("
            << (facts.wakealarm.empty() ? "absent" : facts.wakealarm) << ") " << options.wake_after
            << " s after it starts"
            << (options.mem_sleep.empty() ? "" : ", mem_sleep " + options.mem_sleep) << ",\n"
            << "  "
            << (options.keep_going ? "going on after a failed cycle"
                                   : "stopping at the first failed cycle")
            << ".\n";
  for (const std::string& note : preflight.notes) std::cout << "  " << note << "\n";
  print_plan(options);
  if (preflight.refusals.empty()) return 0;
  std::cout << "It would refuse to start:\n";
  for (const std::string& refusal : preflight.refusals) std::cout << "  " << refusal << "\n";
  return 1;
}

/// One test at a time: a lock of its own, beside the hook's state lock (which the hook takes
/// in every cycle, so `test` must not hold it across the run). Returns the descriptor, kept open
/// for the run.
int take_test_lock() {
  PrivateDirectory directory(state_directory());
  directory.open(true);
  const int fd = directory.open_lock("test.lock");
  if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    close(fd);
    throw Error("cannot start", directory.path_of("test.lock"),
                "another 'suspendfix test' is running");
  }
  // ... and never beside a hook that is under way (a sleep someone else started): its lock is
  // free between sleeps, and the cycles take it through the hook.
  try {
    StateStore store(state_directory());
    store.lock(std::chrono::steady_clock::now() + std::chrono::seconds(2));
  } catch (const Error& error) {
    close(fd);
    throw Error("cannot start", state_directory(),
                std::string("a suspendfix hook holds the state lock: ") + error.what());
  }
  return fd;
}

int run_sleep_test(const TestOptions& options) {
  const TestRequest request = request_of(options);
  const SleepFacts facts = read_sleep_facts(state_directory());
  const Preflight preflight = check_preflight(request, facts);
  if (options.dry_run) return dry_run(options, preflight, facts);
  if (!preflight.refusals.empty()) {
    for (const std::string& refusal : preflight.refusals) log_error("cannot test: " + refusal);
    return 1;
  }
  const int lock = take_test_lock();
  install_stop_handlers();
  std::string old_mem_sleep;
  if (!options.mem_sleep.empty() && facts.mem_sleep &&
      chosen_word(*facts.mem_sleep) != options.mem_sleep) {
    old_mem_sleep = chosen_word(*facts.mem_sleep);
    std::ofstream("/sys/power/mem_sleep") << options.mem_sleep;
  }
  TestRun run;
  run.path = preflight.path;
  run.why_path = preflight.why_path;
  run.mode = options.mode;
  run.wake_after_seconds = options.wake_after;
  run.cycles_requested = options.cycles;
  run.notes = preflight.notes;
  std::string mem_sleep_now;
  std::getline(std::ifstream("/sys/power/mem_sleep"), mem_sleep_now);
  run.mem_sleep = chosen_word(mem_sleep_now);

  auto clock = make_system_clock();
  auto alarm = make_rtc_wake_alarm(facts.wakealarm);
  auto modules = make_kmod_backend();
  auto observer = make_system_observer(state_directory(), *modules);
  std::unique_ptr<SleepBackend> backend;
  if (preflight.path == SleepPath::kSelf)
    backend = std::make_unique<SelfSleep>(options.scan, options.mode);
  else
    backend = make_client_sleep(preflight.path, options.mode, *clock);
  std::ostream& progress_stream = options.json ? std::cerr : std::cout;
  const bool terminal = isatty(options.json ? STDERR_FILENO : STDOUT_FILENO);
  auto progress = make_stream_progress(progress_stream, terminal);
  RunnerOptions runner;
  runner.cycles = options.cycles;
  runner.wake_after_seconds = options.wake_after;
  runner.keep_going = options.keep_going;
  // The hook's own lines (pre: unloaded ...) would break the progress line: the cycle reports
  // what it did. -v shows them.
  const bool quiet = !log_enabled(LogLevel::kInfo);
  if (quiet) log_set_threshold(LogLevel::kWarning);
  run.result = run_test(runner, *clock, *backend, *observer, *alarm, *progress,
                        [] { return stop_signal != 0; });
  if (quiet) log_set_threshold(LogLevel::kNotice);
  if (run.result.interrupted)
    log_notice("stopped between cycles (signal " + std::to_string(stop_signal) + ")");

  for (const StateRecord& record : observer->pending()) run.left_after.push_back(record);
  if (!run.left_after.empty()) {
    log_warning("something stayed recorded after the run: restoring it");
    run_restore(options.scan, false, false);
    run.restored = observer->pending().empty();
  }
  if (!old_mem_sleep.empty()) std::ofstream("/sys/power/mem_sleep") << old_mem_sleep;
  close(lock);
  if (options.json)
    write_test_json(run, std::cout);
  else
    write_test_text(run, std::cout);
  if (run.ok()) return 0;
  if (run.failed() == 0 && run.left_after.empty() && run.result.interrupted)
    return kExitInterrupted;
  return kExitCycleFailed;
}

}  // namespace

void setup_test(CLI::App& command, int* exit_code) {
  auto options = std::make_shared<TestOptions>();
  command.add_option("--cycles", options->cycles, "How many sleeps (default 5)")
      ->check(CLI::Range(1, 1000))
      ->type_name("N");
  add_sleep_state_options(command, options->mode, options->mem_sleep, "for the run");
  command
      .add_option("--wake-after", options->wake_after,
                  "Seconds from the start of each sleep to the RTC alarm (default 5)")
      ->check(CLI::Range(3, 3600))
      ->type_name("S");
  command
      .add_option("--through", options->through,
                  "systemd, elogind, pm-utils or self (default: the sleep system whose hook is "
                  "installed and running)")
      ->check(CLI::IsMember(names_of(kSleepPathNames)))
      ->type_name("PATH");
  command.add_flag("--keep-going", options->keep_going, "Go on after a failed cycle");
  command.add_flag("--json", options->json, "Print JSON (schema 1) instead of text");
  command
      .add_option("--min-battery", options->min_battery,
                  "Refuse to start on battery below this charge, in percent (default 20)")
      ->check(CLI::Range(0, 100))
      ->type_name("PERCENT");
  command.add_flag("--dry-run", options->dry_run, "Say what would be done and change nothing");
  add_scan_options(command, options->scan);
  command.callback([options, exit_code] { *exit_code = run_sleep_test(*options); });
}

}  // namespace suspendfix
