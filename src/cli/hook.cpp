// SPDX-License-Identifier: GPL-2.0-or-later
// suspendfix hook FRONTEND ARGS...: the sleep hook behind the shims in hooks/, and
// suspendfix suspend: the same around our own write to /sys/power/state.
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>

#include "cli/commands.hpp"
#include "cli/context.hpp"
#include "cli/suspend.hpp"
#include "cli/watch.hpp"
#include "enum_names.hpp"
#include "executor.hpp"
#include "log.hpp"
#include "sleep/sleep_event.hpp"
#include "sleep/sleep_log.hpp"
#include "sleep/suspend_stats.hpp"
#include "sleep/system_probe.hpp"
#include "text_file.hpp"
#include "timing.hpp"

namespace suspendfix {
namespace {

using Clock = std::chrono::steady_clock;

constexpr int kPmUtilsNotApplicable = 254;  // pm-utils' $NA

/// The hook scripts' first argument. "systemd" is the name the first hooks were installed with.
constexpr EnumName<HookFrontend> kFrontendWords[] = {{HookFrontend::kSystemd, "systemd-sleep"},
                                                     {HookFrontend::kSystemd, "systemd"},
                                                     {HookFrontend::kElogind, "elogind"},
                                                     {HookFrontend::kPmUtils, "pm-utils"}};

struct HookOptions {
  ScanOptions scan;
  bool dry_run = false;
  std::string frontend;  // one of kFrontendWords
  std::vector<std::string> arguments;
};

/// The last line of defence against a hang: the hook must never hold up a suspend past
/// systemd's timeout. What was done is already recorded (write-ahead), so exiting is safe.
void arm_backstop(int seconds) {
  struct sigaction action {};
  action.sa_handler = [](int) {
    static const char message[] =
        "suspendfix: ERROR: hook timed out, exiting; run 'suspendfix restore' after wake\n";
    ssize_t ignored = write(STDERR_FILENO, message, sizeof message - 1);
    (void)ignored;
    _exit(0);  // what was done is recorded; a non-zero status would abort the suspend (pm-utils,
               // elogind)
  };
  sigaction(SIGALRM, &action, nullptr);
  alarm(static_cast<unsigned>(seconds));
}

ExecutorOptions executor_options(const AdminConfig& config, bool dry_run) {
  ExecutorOptions options;
  options.deadline = Clock::now() + std::chrono::seconds(config.timeout_seconds);
  options.busy_retry = std::chrono::milliseconds(config.busy_retry_ms);
  options.dry_run = dry_run;
  return options;
}

/// Notes the kernel's suspend counters in the sleep log when it goes out of scope; never stops
/// a phase. pre keeps it to its end, whichever way it ends (the counters do not move within a
/// phase), so reading the counters and rewriting the log stay off the path between the hook's
/// start and the modules going (bench/vm); post writes it before the loads (note_post adds to
/// that entry).
class SleepNote {
 public:
  SleepNote(StateStore& store, SleepPhase phase, SleepType type, HookFrontend frontend)
      : store_(store), phase_(phase), type_(type), frontend_(frontend) {}
  SleepNote(const SleepNote&) = delete;
  SleepNote& operator=(const SleepNote&) = delete;
  ~SleepNote() {
    PhaseTimer timer("sleep log");
    try {
      append_sleep_log(store_.directory(), sleep_log_entry_now(phase_, type_, frontend_));
    } catch (const std::exception& error) {
      log_warning(std::string(error.what()) + "; the sleep log misses this " +
                  (phase_ == SleepPhase::kPre ? "pre" : "post"));
    }
  }

 private:
  StateStore& store_;
  SleepPhase phase_;
  SleepType type_;
  HookFrontend frontend_;
};

/// pre: plan and unload. Never throws for a single module; returns false when nothing could
/// be done at all (broken configuration, no safe state directory, devices unreadable).
bool run_pre_phase(const SleepEvent& event, const HookOptions& options, Backends backends,
                   const SleepCaller& caller) {
  ModuleBackend& modules = backends.modules;
  const std::string label = event.label();
  Scan scan;
  bool config_ok = true;
  try {
    scan.config = load_config(options.scan);
  } catch (const Error& error) {
    // Without the administrator's keep list we might unload what they protected: do nothing.
    log_error(label + ": " + error.what() +
              "; refusing to unload anything with a broken configuration");
    config_ok = false;
  }
  ExecutorOptions executor = executor_options(scan.config, options.dry_run);
  if (!options.dry_run) arm_backstop(scan.config.timeout_seconds + 5);
  PhaseTimer state_timer("state lock");
  StateStore store(state_directory());
  try {
    // The lock before the plan: a watcher restoring an earlier pre's modules must not change
    // what this plan sees.
    if (!options.dry_run) store.lock(executor.deadline);
  } catch (const std::exception& error) {
    log_error(label + ": " + error.what() + "; unloading nothing");
    return false;
  }
  std::optional<SleepNote> note;
  if (!options.dry_run) note.emplace(store, SleepPhase::kPre, event.type, event.frontend);
  state_timer.stop();
  if (!config_ok) return false;
  if (!scan.config.acts_on(event.type)) {
    log_info(label + ": not acting on " + sleep_type_name(event.type) +
             " (sleep_types in the configuration)");
    return true;
  }
  try {
    auto source = make_udev_device_source(DeviceNames::kNone);
    scan_machine(options.scan, event.type, *source, modules, scan);
    if (scan.plan.empty()) {
      log_info(label + ": no profile applies, nothing to do");
      return true;
    }
    executor.boot_id = read_boot_id();
    if (scan.config.restore_after_seconds > 0 && !options.dry_run) {
      PhaseTimer timer("watch header");
      executor.watch = make_watch_header(event.type, event.frontend, caller, scan.config);
      timer.stop();
      executor.start_watcher = [&](const WatchHeader& header) {
        PhaseTimer timer("watcher start");
        start_watcher(header, options.scan);
      };
    }
    run_pre(scan.plan, label, backends, store, executor);
  } catch (const std::exception& error) {
    // Without the machine's devices or a safe record nothing may be unloaded: it could never
    // be brought back. Logged, not returned: the suspend itself must go on.
    log_error(label + ": " + error.what() + "; unloading nothing");
    return false;
  }
  return true;
}

/// Notes on post's sleep-log entry what it brought back and what stays recorded.
void note_post(StateStore& store, const std::vector<ActionResult>& results) {
  try {
    note_post_actions(store.directory(), sleep_log_actions(results));
  } catch (const Error& error) {
    log_warning(std::string(error.what()) + "; the sleep log misses what this post did");
  }
}

bool run_post_phase(const SleepEvent& event, const HookOptions& options, Backends backends) {
  const std::string label = event.label();
  AdminConfig config;
  try {
    config = load_config(options.scan);
  } catch (const Error& error) {
    log_warning(std::string(error.what()) + "; loading modules back with the default timeout");
  }
  ExecutorOptions executor = executor_options(config, options.dry_run);
  executor.boot_id = read_boot_id();
  if (!options.dry_run) arm_backstop(config.timeout_seconds + 5);
  try {
    StateStore store(state_directory());
    if (options.dry_run) {
      if (!store.open_for_reading()) return true;
    } else {
      store.lock(executor.deadline);
      // Written before the loads: note_post adds what this post did to this entry.
      const SleepNote entry(store, SleepPhase::kPost, event.type, event.frontend);
    }
    const std::vector<ActionResult> results = run_post(label, backends, store, executor);
    if (!options.dry_run) note_post(store, results);
    for (const ActionResult& result : results)
      if (result.outcome == ActionResult::Outcome::kFailed) return false;
  } catch (const std::exception& error) {
    log_error(label + ": " + error.what() + "; run 'suspendfix status' and 'suspendfix restore'");
    return false;
  }
  return true;
}

SleepCaller sleep_caller() {
  PhaseTimer timer("sleep caller");
  return find_sleep_caller(getppid(), read_process_stat);
}

int run_hook(HookOptions& options) {
  const HookFrontend frontend = *value_of(kFrontendWords, options.frontend);
  const char* action = std::getenv("SYSTEMD_SLEEP_ACTION");
  const ParsedHookArguments parsed =
      parse_hook_arguments(frontend, options.arguments, action ? action : "");
  if (!parsed.event) {
    log_info(parsed.not_applicable + ", nothing to do");
    return frontend == HookFrontend::kPmUtils ? kPmUtilsNotApplicable : 0;
  }
  auto modules = make_kmod_backend();
  auto devices = make_sysfs_device_backend();
  // A hook's failures are logged, not returned: systemd ignores the code and pm-utils or
  // elogind would read anything but 0 as "abort the suspend" (STYLE.md, section 3).
  if (parsed.event->phase == SleepPhase::kPre)
    run_pre_phase(*parsed.event, options, {*modules, *devices}, sleep_caller());
  else
    run_post_phase(*parsed.event, options, {*modules, *devices});
  return 0;
}

/// The kernel's own record of the last failed suspend (/sys/power/suspend_stats, 5.4+).
std::string kernel_suspend_record() {
  const auto stats = read_suspend_stats();
  if (!stats) return "no record in /sys/power/suspend_stats";
  std::string out;
  if (!stats->last_failed_devices.empty())
    out += "last_failed_dev " + stats->last_failed_devices.front();
  if (!stats->last_failed_errnos.empty())
    out += std::string(out.empty() ? "" : ", ") + "last_failed_errno " +
           std::to_string(stats->last_failed_errnos.front());
  if (!stats->last_failed_steps.empty())
    out += std::string(out.empty() ? "" : ", ") + "last_failed_step " +
           stats->last_failed_steps.front();
  return out.empty() ? "no failure recorded in /sys/power/suspend_stats" : out;
}

/// Writes text to a sysfs power file; returns 0 or the errno.
int write_power_file(const std::string& path, const std::string& text) {
  // O_TRUNC as the shell's "echo mem > /sys/power/state" does (and a plain file in a test).
  const int fd = open(path.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return errno;
  const ssize_t wrote = write(fd, text.data(), text.size());
  const int saved = wrote < 0 ? errno : 0;
  close(fd);
  return saved;
}

}  // namespace

SuspendOutcome suspend_once(const SuspendRequest& request) {
  SleepEvent event;
  event.frontend = HookFrontend::kSelf;
  if (request.mode == "mem" || request.mode == "freeze")
    event.type = SleepType::kSuspend;
  else if (request.mode == "disk")
    event.type = SleepType::kHibernate;
  else  // the command line checked it (add_sleep_state_options): a caller's mistake
    throw UsageError("bad sleep mode '" + request.mode + "': expected mem, freeze or disk");
  HookOptions options;
  options.scan = request.scan;
  options.dry_run = request.dry_run;
  SuspendOutcome outcome;
  // As systemd's sleep does: the point of no return is known before anything is changed.
  int state_fd = -1;
  if (!options.dry_run) {
    state_fd = open("/sys/power/state", O_WRONLY | O_TRUNC | O_CLOEXEC | O_NOFOLLOW);
    if (state_fd < 0) {
      outcome.open_error = errno;
      log_error("could not open /sys/power/state for writing: " + errno_string(errno) +
                "; not suspending, nothing was unloaded");
      outcome.status = 1;
      return outcome;
    }
  }
  auto modules = make_kmod_backend();
  auto devices = make_sysfs_device_backend();
  const Backends backends{*modules, *devices};
  event.phase = SleepPhase::kPre;
  // The watcher watches this very process: if it dies between pre and post, the watcher
  // brings everything back.
  SleepCaller self;
  if (const auto stat = read_process_stat(getpid()))
    self = {SleepCaller::Kind::kProcess, stat->pid, stat->start_time, "suspendfix"};
  outcome.pre_ok = run_pre_phase(event, options, backends, self);
  if (options.dry_run) {
    log_notice("would write '" + request.mode + "' to /sys/power/state");
  } else if (!outcome.pre_ok) {
    log_error("not suspending: pre failed (see above)");
    outcome.status = 1;
  } else {
    alarm(0);  // the sleep itself may last any time
    if (!request.mem_sleep.empty()) {
      if (const int error = write_power_file("/sys/power/mem_sleep", request.mem_sleep))
        log_warning("could not write '" + request.mem_sleep +
                    "' to /sys/power/mem_sleep: " + errno_string(error) + ", ignoring");
    }
    sync();
    if (request.before_write) request.before_write();
    const auto started = Clock::now();
    outcome.wrote = true;
    const ssize_t wrote = write(state_fd, request.mode.data(), request.mode.size());
    outcome.write_error = wrote < 0 ? errno : 0;
    if (request.after_write) request.after_write();
    if (wrote < 0) {
      const std::string kernel = kernel_suspend_record();
      log_error("could not " + std::string(request.mode == "disk" ? "hibernate" : "suspend") +
                ": writing '" + request.mode + "' to /sys/power/state failed: " +
                errno_string(outcome.write_error) + "; the kernel says: " + kernel);
      outcome.status = 1;
    } else {
      const auto seconds =
          std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started).count() /
          1000.0;
      log_notice("woke up after " +
                 std::to_string(seconds).substr(0, std::to_string(seconds).find('.') + 2) + " s");
    }
  }
  if (state_fd >= 0) close(state_fd);
  event.phase = SleepPhase::kPost;
  outcome.post_ok = run_post_phase(event, options, backends);
  if (!outcome.post_ok) outcome.status = 1;
  alarm(0);  // post's backstop: this process may go on (test runs the next cycle)
  return outcome;
}

void setup_hook(CLI::App& command, int* exit_code) {
  auto options = std::make_shared<HookOptions>();
  add_scan_options(command, options->scan);
  command.add_flag("--dry-run", options->dry_run, "Print what would be done and change nothing");
  command.add_option("frontend", options->frontend, "systemd-sleep, elogind or pm-utils")
      ->required()
      ->check(CLI::IsMember(names_of(kFrontendWords)));
  command.add_option("arguments", options->arguments, "The arguments the sleep system passed");
  command.allow_extras(false);
  command.callback([options, exit_code] { *exit_code = run_hook(*options); });
}

void setup_suspend(CLI::App& command, int* exit_code) {
  auto request = std::make_shared<SuspendRequest>();
  add_scan_options(command, request->scan);
  command.add_flag("--dry-run", request->dry_run, "Print what would be done and change nothing");
  add_sleep_state_options(command, request->mode, request->mem_sleep, "first");
  command.callback([request, exit_code] { *exit_code = suspend_once(*request).status; });
}

}  // namespace suspendfix
