// SPDX-License-Identifier: GPL-2.0-or-later
#include "executor.hpp"

#include <algorithm>
#include <cerrno>
#include <ctime>
#include <thread>

#include "error.hpp"
#include "log.hpp"

namespace suspendfix {
namespace {

using Clock = std::chrono::steady_clock;

void default_wait(std::chrono::milliseconds duration) { std::this_thread::sleep_for(duration); }
int64_t default_unix_time() { return static_cast<int64_t>(std::time(nullptr)); }

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items) out += (out.empty() ? "" : ",") + item;
  return out;
}

std::string profiles_text(const PlannedModule& module) {
  if (module.profiles.empty()) return "";
  return (module.profiles.size() == 1 ? "; profile " : "; profiles ") + join(module.profiles);
}

bool is_busy(int errno_value) { return errno_value == EAGAIN || errno_value == EBUSY; }

/// Unloads one module, retrying a busy one with a doubling delay until the retry budget or
/// the deadline runs out (kmod's --wait). Throws the last ModuleError.
void unload_with_retry(const std::string& name, ModuleBackend& modules,
                       const ExecutorOptions& options) {
  auto delay = std::chrono::milliseconds(25);
  std::chrono::milliseconds spent{0};
  for (;;) {
    try {
      modules.unload(name);
      return;
    } catch (const ModuleError& error) {
      if (!is_busy(error.errno_value()) || spent + delay > options.busy_retry ||
          Clock::now() + delay > options.deadline)
        throw;
    }
    options.wait(delay);
    spent += delay;
    delay = std::min(delay * 2, std::chrono::milliseconds(400));
  }
}

/// The records `pre` works on, and the writes it makes: the watch header goes out with the
/// first write that leaves something pending, and the watcher starts once it is on disk.
class PreRecords {
 public:
  PreRecords(StateStore& store, const ExecutorOptions& options, StateFile file)
      : store_(store), options_(options), file_(std::move(file)) {}

  StateFile& file() { return file_; }
  /// Set once a record could not be written: nothing more may be done.
  const std::string& write_failure() const { return write_failure_; }

  /// Writes the file; with something pending, the watch header goes along. Throws Error.
  void write() {
    const bool start = !watching_ && options_.watch && !file_.records.empty();
    if (start) file_.watch = *options_.watch;
    store_.write(file_);
    if (!start) return;
    watching_ = true;
    if (options_.start_watcher) options_.start_watcher(*file_.watch);
  }

  /// Adds record before the action (write-ahead) unless this boot already has it recorded
  /// (an earlier sleep left it); returns whether it was added. Throws Error when it could not
  /// be written: then nothing was added.
  bool record_ahead(const StateRecord& record) {
    for (const StateRecord& other : file_.records)
      if (!other.damaged() && other.boot_id == record.boot_id && other.same_target(record))
        return false;
    file_.records.push_back(record);
    try {
      write();
    } catch (const Error& error) {
      file_.records.pop_back();
      write_failure_ = error.what();
      throw;
    }
    return true;
  }

  /// Takes back the record of an action that failed; a failure to write is only logged (the
  /// record then names something that is still there, which post finds and forgets).
  void take_back(const StateRecord& record, const std::string& label) {
    file_.records.erase(std::remove_if(file_.records.begin(), file_.records.end(),
                                       [&](const StateRecord& r) {
                                         return !r.damaged() && r.boot_id == record.boot_id &&
                                                r.same_target(record);
                                       }),
                        file_.records.end());
    try {
      write();
    } catch (const Error& error) {
      log_warning(label + ": " + error.what() + "; the record of " + record.object +
                  " stays, and post will find it never went");
    }
  }

 private:
  StateStore& store_;
  const ExecutorOptions& options_;
  StateFile file_;
  bool watching_ = false;
  std::string write_failure_;
};

/// What was done and recorded so far, for a message after a write failure.
std::string done_so_far(const std::vector<ActionResult>& results) {
  std::string out;
  for (const ActionResult& result : results)
    if (result.outcome == ActionResult::Outcome::kDone)
      out += (out.empty() ? "" : ", ") + result.object;
  return out.empty() ? "nothing was done" : "already done and recorded: " + out;
}

void run_device_steps(const Plan& plan, const std::string& label, DeviceBackend& devices,
                      const ExecutorOptions& options, PreRecords& records,
                      std::vector<ActionResult>& results) {
  for (const PlannedDevice& device : plan.devices) {
    const std::string verb = device_action_verb(device.action);
    const std::string what = verb + " " + device.slot;
    auto skip = [&](const std::string& reason, LogLevel level) {
      log_message(level, label + ": did not " + what + ": " + reason);
      results.push_back({device.slot, ActionResult::Outcome::kSkipped, reason});
    };
    if (device.decision != Decision::kUnload) {
      skip(device.note,
           device.decision == Decision::kRefused ? LogLevel::kWarning : LogLevel::kInfo);
      continue;
    }
    const std::string profiles =
        device.profiles.empty() ? "" : "; profile " + join(device.profiles);
    if (options.dry_run) {
      log_notice(label + ": would " + what + " (driver " + device.driver + ", " + device.why +
                 profiles + ")");
      results.push_back({device.slot, ActionResult::Outcome::kSkipped, "dry run"});
      continue;
    }
    if (!records.write_failure().empty()) {
      skip("the state file cannot be written", LogLevel::kWarning);
      continue;
    }
    if (Clock::now() >= options.deadline) {
      skip("out of time (timeout_seconds)", LogLevel::kWarning);
      continue;
    }
    if (device.action == DeviceAction::kUnbind &&
        devices.bound_driver(device.slot) != device.driver) {
      skip("no longer bound to '" + device.driver + "'", LogLevel::kInfo);
      continue;
    }
    StateRecord record;
    record.kind = device.action == DeviceAction::kUnbind ? StateRecord::Kind::kUnbind
                                                         : StateRecord::Kind::kRemove;
    record.object = device.slot;
    record.driver = device.driver;
    record.sleep = plan.sleep;
    record.time = options.unix_time();
    record.profiles = join(device.profiles);
    record.boot_id = options.boot_id;
    bool added = false;
    try {
      added = records.record_ahead(record);
    } catch (const Error& error) {
      log_error(label + ": could not record '" + what + "' before doing it: " + error.what() +
                "; doing nothing more (" + done_so_far(results) + ")");
      results.push_back({device.slot, ActionResult::Outcome::kFailed, error.what()});
      continue;
    }
    try {
      if (device.action == DeviceAction::kUnbind)
        devices.unbind(device.slot, device.driver);
      else
        devices.remove(device.slot);
      log_notice(label + ": " + (device.action == DeviceAction::kUnbind ? "unbound " : "removed ") +
                 device.slot + " (driver " + device.driver + ", " + device.why + profiles + ")");
      results.push_back({device.slot, ActionResult::Outcome::kDone, ""});
    } catch (const Error& error) {
      if (added) records.take_back(record, label);
      log_warning(label + ": could not " + what + ": " + error.what() + ", ignoring");
      results.push_back({device.slot, ActionResult::Outcome::kFailed, error.what()});
    }
  }
}

/// Whether what a record of this boot names is back already (someone loaded the module, the
/// device is bound or present again): then the record is done with.
bool already_back(const StateRecord& record, Backends backends) {
  switch (record.kind) {
    case StateRecord::Kind::kModule:
      return backends.modules.status(record.object).state != ModuleState::kNotLoaded;
    case StateRecord::Kind::kUnbind:
      return !record.driver.empty() &&
             backends.devices.bound_driver(record.object) == record.driver;
    case StateRecord::Kind::kRemove:
      return backends.devices.present(record.object);
    case StateRecord::Kind::kUnreadable:
      return false;
  }
  return false;
}

/// An earlier pre with no post left records: what this boot has back is forgotten, the rest
/// stays and carries into this sleep (the plan sees those modules as not loaded: without the
/// records they would be lost). Never reloaded here: that would undo what this pre redoes.
void settle_earlier_records(const std::string& label, Backends backends,
                            const ExecutorOptions& options, PreRecords& records) {
  StateFile& file = records.file();
  size_t carried = 0, forgotten = 0;
  for (auto it = file.records.begin(); it != file.records.end();) {
    if (it->damaged() || it->boot_id != options.boot_id) {
      if (!it->damaged())
        log_warning(label + ": " + state_kind_name(it->kind) + " " + it->object +
                    " was recorded in another boot (" + it->boot_id +
                    "); left for 'suspendfix restore'");
      ++it;
      continue;
    }
    if (already_back(*it, backends)) {
      log_notice(label + ": " + it->object + " is back since an earlier pre (not by " +
                 "suspendfix); forgetting its record");
      it = file.records.erase(it);
      ++forgotten;
      continue;
    }
    ++carried;
    ++it;
  }
  if (carried > 0)
    log_warning(label + ": " + std::to_string(carried) +
                " action(s) of an earlier pre were never undone (no post came); they stay "
                "recorded and are undone after this sleep");
  if (forgotten > 0 || (carried > 0 && options.watch)) records.write();
}

}  // namespace

std::vector<ActionResult> run_pre(const Plan& plan, const std::string& label, Backends backends,
                                  StateStore& store, const ExecutorOptions& given) {
  ModuleBackend& modules = backends.modules;
  ExecutorOptions options = given;
  if (!options.wait) options.wait = default_wait;
  if (!options.unix_time) options.unix_time = default_unix_time;
  std::vector<ActionResult> results;
  PreRecords records(store, options, options.dry_run ? StateFile{} : store.read());
  if (!options.dry_run) settle_earlier_records(label, backends, options, records);
  run_device_steps(plan, label, backends.devices, options, records, results);
  for (const PlannedModule& module : plan.modules) {
    auto skip = [&](const std::string& reason, LogLevel level = LogLevel::kNotice) {
      log_message(level, label + ": skipped '" + module.name + "': " + reason);
      results.push_back({module.name, ActionResult::Outcome::kSkipped, reason});
    };
    if (module.decision != Decision::kUnload) {
      skip(module.note,
           module.decision == Decision::kRefused ? LogLevel::kWarning : LogLevel::kInfo);
      continue;
    }
    if (options.dry_run) {
      log_notice(label + ": would unload '" + module.name + "' (" + module.why +
                 profiles_text(module) + ")");
      results.push_back({module.name, ActionResult::Outcome::kSkipped, "dry run"});
      continue;
    }
    if (!records.write_failure().empty()) {
      skip("the state file cannot be written, left loaded", LogLevel::kWarning);
      continue;
    }
    if (Clock::now() >= options.deadline) {
      skip("out of time (timeout_seconds), left loaded", LogLevel::kWarning);
      continue;
    }
    // A holder that could not go keeps this module in use: do not spend the retry budget.
    const ModuleStatus status = modules.status(module.name);
    if (status.state == ModuleState::kNotLoaded) {
      skip("no longer loaded", LogLevel::kInfo);
      continue;
    }
    if (!status.holders.empty()) {
      skip("still held by '" + join(status.holders) + "', left loaded", LogLevel::kWarning);
      continue;
    }
    StateRecord record;
    record.object = module.name;
    record.sleep = plan.sleep;
    record.time = options.unix_time();
    record.profiles = join(module.profiles);
    record.boot_id = options.boot_id;
    bool added = false;
    try {
      added = records.record_ahead(record);  // recorded before it can be lost
    } catch (const Error& error) {
      log_error(label + ": could not record '" + module.name + "' before unloading it: " +
                error.what() + "; unloading nothing more (" + done_so_far(results) + ")");
      results.push_back({module.name, ActionResult::Outcome::kFailed, error.what()});
      continue;
    }
    try {
      unload_with_retry(module.name, modules, options);
      log_notice(label + ": unloaded '" + module.name + "' (" + module.why + profiles_text(module) +
                 ")");
      results.push_back({module.name, ActionResult::Outcome::kDone, ""});
    } catch (const ModuleError& error) {
      if (added) records.take_back(record, label);
      const std::string reason = errno_string(error.errno_value());
      log_warning(label + ": could not unload '" + module.name + "': " + reason + ", ignoring");
      results.push_back({module.name, ActionResult::Outcome::kFailed, reason});
    }
  }
  return results;
}

}  // namespace suspendfix
