// SPDX-License-Identifier: GPL-2.0-or-later
// suspendfix watch: the self-healing watcher a `pre` leaves behind (sleep/self_heal.hpp has
// the decisions, suspendfix(8) "SELF-HEALING" the design).
#include "cli/watch.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <climits>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <memory>
#include <thread>

#include "cli/commands.hpp"
#include "executor.hpp"
#include "log.hpp"
#include "sleep/self_heal.hpp"
#include "sleep/sleep_log.hpp"
#include "sleep/state_store.hpp"
#include "sleep/system_probe.hpp"
#include "sleep/watch_pause.hpp"
#include "text_file.hpp"

extern char** environ;

namespace suspendfix {
namespace {

constexpr auto kPollInterval = std::chrono::milliseconds(200);
// After a thaw, with reload_at_wake: how often, and for how long, the watcher looks for the
// wake (the counters move within milliseconds of the thaw; a stop that was no sleep costs
// two seconds of quick polls).
constexpr auto kClosePollInterval = std::chrono::milliseconds(5);
constexpr int64_t kClosePollSpanNs = 2'000'000'000;
constexpr int64_t kBusyCapNs = 120'000'000'000;  // documented in suspendfix(8)
constexpr int64_t kJumpNs = 250'000'000;         // more than any jitter between two clock reads
constexpr int kSystemdRunSeconds = 3;

/// The header of generation, when the record is still pre's and waiting: nullopt once it is
/// settled (no file, no header, another generation, another format). Reads only.
std::optional<WatchHeader> watched_header(uint64_t generation) {
  try {
    StateStore store(state_directory());
    if (!store.open_for_reading()) return std::nullopt;
    ParsedState state = store.read_parsed();
    if (state.foreign() || !state.file.watch || state.file.watch->generation != generation)
      return std::nullopt;
    return state.file.watch;
  } catch (const Error& error) {
    log_warning("self-heal: " + std::string(error.what()) + "; stopping");
    return std::nullopt;
  }
}

std::string caller_text(const SleepCaller& caller) {
  if (caller.kind == SleepCaller::Kind::kNone) return "";
  return caller.name + " (pid " + std::to_string(caller.pid) + ")";
}

/// Notes what the watcher brought back as a post of its own in the sleep log, so that `test`
/// and `diagnose` see it. The caller holds the lock.
void note_watcher_post(StateStore& store, SleepType sleep,
                       const std::vector<ActionResult>& results) {
  try {
    SleepLogEntry entry = sleep_log_entry_now(SleepPhase::kPost, sleep, HookFrontend::kWatcher);
    entry.actions = sleep_log_actions(results);
    append_sleep_log(store.directory(), entry);
  } catch (const Error& error) {
    log_warning("self-heal: " + std::string(error.what()) +
                "; the sleep log misses what the watcher did");
  }
}

int restore_now(uint64_t generation, const std::string& reason, const ScanOptions& scan,
                bool at_wake) {
  AdminConfig config;
  try {
    config = load_config(scan);
  } catch (const Error& error) {
    log_warning("self-heal: " + std::string(error.what()) + "; using the default timeout");
  }
  ExecutorOptions options;
  options.deadline =
      std::chrono::steady_clock::now() + std::chrono::seconds(config.timeout_seconds);
  options.boot_id = read_boot_id();
  try {
    StateStore store(state_directory());
    store.lock(options.deadline);  // the same lock as pre and post: never a double load
    const StateFile file = store.read();
    if (!file.watch || file.watch->generation != generation) {
      log_info("self-heal: settled while waiting for the lock; nothing to do");
      return 0;
    }
    // At the wake this is the plan, not a rescue: a notice, not a warning.
    log_message(at_wake ? LogLevel::kNotice : LogLevel::kWarning,
                "self-heal: " + reason + "; bringing back what pre " +
                    sleep_type_name(file.watch->sleep) + " did");
    const auto modules = make_kmod_backend();
    const auto devices = make_sysfs_device_backend();
    const std::vector<ActionResult> results =
        run_post("self-heal", {*modules, *devices}, store, options);
    note_watcher_post(store, file.watch->sleep, results);
    int status = 0;
    for (const ActionResult& result : results)
      if (result.outcome != ActionResult::Outcome::kDone) status = 1;
    return status;
  } catch (const std::exception& error) {
    log_error("self-heal: " + std::string(error.what()) +
              "; run 'suspendfix status' and 'suspendfix restore'");
    return 1;
  }
}

int run_watch(uint64_t generation, const ScanOptions& scan) {
  const auto header = watched_header(generation);
  if (!header) {
    log_info("self-heal: generation " + std::to_string(generation) + " is settled already");
    return 0;
  }
  WatchPolicy policy;
  policy.restore_after_ns = int64_t{header->restore_after_seconds} * 1'000'000'000;
  policy.busy_cap_ns = kBusyCapNs;
  policy.restore_at_wake = header->reload_at_wake;
  WatchMemory memory = start_watch_memory(header->pre_monotonic_ns);
  const std::string caller = caller_text(header->caller);
  log_info("self-heal: watching generation " + std::to_string(generation) +
           (caller.empty() ? ", called from no sleep system I know" : ", called from " + caller));
  WatchPause pause;
  int64_t closely_until_ns = 0;
  for (;;) {
    WatchObservation observation;
    observation.now_ns = monotonic_ns();
    observation.settled = !watched_header(generation);
    if (const auto stats = read_suspend_stats())
      observation.counters_moved = diff(header->counters, *stats).attempted();
    observation.time_jumped = asleep_ns() - header->asleep_ns > kJumpNs;
    observation.caller_busy = sleep_caller_busy(header->caller);
    observation.thawed = observation.now_ns < closely_until_ns;
    const WatchDecision decision = decide_watch(policy, observation, memory, caller);
    if (decision.verdict == WatchVerdict::kExit) {
      log_info("self-heal: " + decision.reason + "; exiting");
      return 0;
    }
    if (decision.verdict == WatchVerdict::kRestore)
      return restore_now(generation, decision.reason, scan, policy.restore_at_wake);
    // Woken at a thaw, the suspend counters move a moment later ("PM: suspend exit" comes
    // after the tasks restart): with reload_at_wake, look again at once rather than a poll
    // interval later. Without it nothing waits on the watcher, and post has the CPU.
    if (pause.pause(observation.thawed ? kClosePollInterval : kPollInterval) &&
        policy.restore_at_wake && !observation.thawed)
      closely_until_ns = monotonic_ns() + kClosePollSpanNs;
  }
}

std::string self_path() {
  char path[PATH_MAX];
  const ssize_t length = readlink("/proc/self/exe", path, sizeof path - 1);
  if (length <= 0) return "";
  path[length] = '\0';
  return path;
}

/// Whether this process runs in one of systemd's sleep services, whose cgroup systemd kills
/// when the service ends (with every process in it).
bool in_systemd_sleep_service() {
  if (!std::getenv("INVOCATION_ID")) return false;
  std::string cgroup;
  try {
    cgroup = read_text_file("/proc/self/cgroup", 64 * 1024);
  } catch (const Error&) {
    return false;
  }
  for (const char* unit :
       {"/systemd-suspend.service", "/systemd-hibernate.service", "/systemd-hybrid-sleep.service",
        "/systemd-suspend-then-hibernate.service"})
    if (cgroup.find(unit) != std::string::npos) return true;
  return false;
}

/// systemd-run --no-block: queues the unit and returns; bounded by kSystemdRunSeconds.
bool start_with_systemd_run(const std::vector<std::string>& command, uint64_t generation) {
  std::string runner;
  for (const char* path : {"/usr/bin/systemd-run", "/bin/systemd-run"})
    if (access(path, X_OK) == 0) runner = path;
  if (runner.empty()) return false;
  std::vector<std::string> argv = {runner,
                                   "--quiet",
                                   "--no-block",
                                   "--collect",
                                   "--unit=suspendfix-watch-" + std::to_string(generation),
                                   "--property=DefaultDependencies=no"};
  for (const char* name : {"SUSPENDFIX_STATE_DIR", "SUSPENDFIX_CONFIG", "SUSPENDFIX_DEBUG"})
    if (const char* value = std::getenv(name))
      argv.push_back(std::string("--setenv=") + name + "=" + value);
  argv.push_back("--");
  argv.insert(argv.end(), command.begin(), command.end());
  std::vector<char*> args;
  for (std::string& arg : argv) args.push_back(arg.data());
  args.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  pid_t pid = 0;
  const int spawned = posix_spawn(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (spawned != 0) return false;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(kSystemdRunSeconds);
  int status = 0;
  while (waitpid(pid, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() >= deadline) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/// Closes what exec would have closed: every descriptor marked close-on-exec (the state lock,
/// the state directory, /sys/power/state in `suspend`, libkmod's and libudev's files). Others
/// stay as they would across exec.
void close_exec_descriptors() {
  std::vector<int> doomed;
  if (DIR* dir = opendir("/proc/self/fd")) {
    const int own = dirfd(dir);
    while (const dirent* entry = readdir(dir)) {
      char* end = nullptr;
      const long fd = std::strtol(entry->d_name, &end, 10);
      if (*end != '\0' || end == entry->d_name || fd <= STDERR_FILENO || fd == own) continue;
      doomed.push_back(static_cast<int>(fd));
    }
    closedir(dir);
  } else {  // no /proc: every number up to the limit
    const long limit = std::min(sysconf(_SC_OPEN_MAX), 65536L);
    for (long fd = STDERR_FILENO + 1; fd < limit; ++fd) doomed.push_back(static_cast<int>(fd));
  }
  for (const int fd : doomed) {
    const int flags = fcntl(fd, F_GETFD);
    if (flags >= 0 && (flags & FD_CLOEXEC)) close(fd);
  }
}

/// Double fork and setsid: the watcher belongs to no hook, no session and no terminal, and
/// nobody waits for it (elogind reads a pre hook's output until it ends). The watcher is a
/// copy of this process, not a new one: an exec would load the binary and its libraries again
/// while pre unloads, on the same CPU (bench/vm measured the unload at 1.3-2x a bare rmmod
/// that way). The copy drops what pre holds before it watches (close_exec_descriptors), has
/// the default signal actions, logs to syslog (or $SUSPENDFIX_WATCH_LOG), and never returns
/// into pre's code: it ends with _exit.
bool start_forked(uint64_t generation, const ScanOptions& scan) {
  const char* log_path = std::getenv("SUSPENDFIX_WATCH_LOG");  // tests and debugging
  LogOptions log;
  log.threshold = log_enabled(LogLevel::kDebug)  ? LogLevel::kDebug
                  : log_enabled(LogLevel::kInfo) ? LogLevel::kInfo
                                                 : LogLevel::kNotice;
  std::fflush(nullptr);  // nothing buffered is written twice
  const pid_t child = fork();
  if (child < 0) return false;
  if (child == 0) {
    setsid();
    if (fork() != 0) _exit(0);
    for (const int signal : {SIGALRM, SIGINT, SIGTERM, SIGHUP, SIGPIPE, SIGCHLD})
      std::signal(signal, SIG_DFL);
    alarm(0);
    close_exec_descriptors();
    const int null = open("/dev/null", O_RDWR | O_CLOEXEC);
    const int err =
        log_path && *log_path
            ? open(log_path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600)
            : -1;
    dup2(null, STDIN_FILENO);
    dup2(null, STDOUT_FILENO);
    dup2(err >= 0 ? err : null, STDERR_FILENO);
    if (err >= 0) close(err);
    if (null >= 0) close(null);
    log_setup(log);
    int status = 1;
    try {
      status = run_watch(generation, scan);
    } catch (...) {
      log_error("self-heal: the watcher failed; run 'suspendfix status' and 'suspendfix restore'");
    }
    _exit(status);
  }
  int status = 0;
  waitpid(child, &status, 0);
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

}  // namespace

WatchHeader make_watch_header(SleepType sleep, HookFrontend frontend, const SleepCaller& caller,
                              const AdminConfig& config) {
  WatchHeader header;
  struct timespec boot {};
  clock_gettime(CLOCK_BOOTTIME, &boot);
  header.generation =
      static_cast<uint64_t>(boot.tv_sec) * 1'000'000'000 + static_cast<uint64_t>(boot.tv_nsec);
  header.boot_id = read_boot_id();
  header.pre_monotonic_ns = monotonic_ns();
  header.asleep_ns = std::max<int64_t>(0, asleep_ns());
  header.restore_after_seconds = config.restore_after_seconds;
  header.reload_at_wake = config.reloads_at_wake(frontend, sleep);
  header.sleep = sleep;
  header.caller = caller;
  if (const auto stats = read_suspend_stats()) header.counters.counters = stats->counters;
  return header;
}

void start_watcher(const WatchHeader& header, const ScanOptions& scan) {
  if (in_systemd_sleep_service()) {
    // systemd kills the sleep service's cgroup when it ends, a forked watcher with it: the
    // watcher must be a unit of its own, which only an exec can give.
    const std::string self = self_path();
    std::vector<std::string> command = {self};
    if (log_enabled(LogLevel::kDebug))
      command.push_back("--debug");
    else if (log_enabled(LogLevel::kInfo))
      command.push_back("--verbose");
    command.insert(command.end(), {"watch", "--generation", std::to_string(header.generation)});
    if (scan.config_given) command.insert(command.end(), {"--config", scan.config_path});
    if (!self.empty() && start_with_systemd_run(command, header.generation)) {
      log_info("self-heal: started unit suspendfix-watch-" + std::to_string(header.generation));
      return;
    }
  }
  if (!start_forked(header.generation, scan))
    log_warning("self-heal: could not start the watcher: " + errno_string(errno) +
                "; if no post comes, run 'suspendfix restore'");
}

void setup_watch(CLI::App& command, int* exit_code) {
  auto generation = std::make_shared<uint64_t>(0);
  auto scan = std::make_shared<ScanOptions>();
  command.group("");  // hidden: started by pre, not by people
  command.add_option("--generation", *generation, "The pre to watch")->required();
  add_config_option(command, *scan);
  command.callback([generation, scan, exit_code] { *exit_code = run_watch(*generation, *scan); });
}

}  // namespace suspendfix
