// SPDX-License-Identifier: GPL-2.0-or-later
#include "executor.hpp"

#include <algorithm>
#include <cerrno>
#include <ctime>
#include <functional>
#include <optional>
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

/// One action of `pre` (unbind or remove a device, unload a module), as the one skeleton
/// below runs it: skip what the plan refused, print in a dry run, stop after a failed write or
/// at the deadline, check the world still is as planned, write the record ahead, act, and take
/// the record back when the action failed.
struct PreStep {
  std::string object;  // what results name: the slot or the module
  Decision decision = Decision::kUnload;
  std::string note;          // the plan's reason for a step it will not take
  std::string skipped;       // "skipped 'xhci_pci'" / "did not unbind 0000:00:04.0"
  std::string left;          // what a skip leaves behind (", left loaded"), or ""
  std::string would;         // the dry run's line
  std::string record_what;   // "'xhci_pci' before unloading it"
  std::string nothing_more;  // "unloading nothing more" / "doing nothing more"
  std::string could_not;     // "could not unload 'xhci_pci'"
  /// The live check just before acting: a reason to skip and its level, or nullopt.
  std::function<std::optional<std::pair<std::string, LogLevel>>()> still_as_planned;
  StateRecord record;
  std::function<void()> act;  // throws Error
  std::string done;           // the line after a success
};

void run_step(const PreStep& step, const std::string& label, const ExecutorOptions& options,
              PreRecords& records, std::vector<ActionResult>& results) {
  auto skip = [&](const std::string& reason, LogLevel level) {
    log_message(level, label + ": " + step.skipped + ": " + reason);
    results.push_back({step.object, ActionResult::Outcome::kSkipped, reason});
  };
  if (step.decision != Decision::kUnload) {
    skip(step.note, step.decision == Decision::kRefused ? LogLevel::kWarning : LogLevel::kInfo);
    return;
  }
  if (options.dry_run) {
    log_notice(label + ": " + step.would);
    results.push_back({step.object, ActionResult::Outcome::kSkipped, "dry run"});
    return;
  }
  if (!records.write_failure().empty()) {
    skip("the state file cannot be written" + step.left, LogLevel::kWarning);
    return;
  }
  if (Clock::now() >= options.deadline) {
    skip("out of time (timeout_seconds)" + step.left, LogLevel::kWarning);
    return;
  }
  if (const auto reason = step.still_as_planned()) {
    skip(reason->first, reason->second);
    return;
  }
  bool added = false;
  try {
    added = records.record_ahead(step.record);  // recorded before it can be lost
  } catch (const Error& error) {
    log_error(label + ": could not record " + step.record_what + ": " + error.what() + "; " +
              step.nothing_more + " (" + done_so_far(results) + ")");
    results.push_back({step.object, ActionResult::Outcome::kFailed, error.what()});
    return;
  }
  try {
    step.act();
    log_notice(label + ": " + step.done);
    results.push_back({step.object, ActionResult::Outcome::kDone, ""});
  } catch (const Error& error) {
    if (added) records.take_back(step.record, label);
    const auto* module_error = dynamic_cast<const ModuleError*>(&error);
    const std::string reason =
        module_error ? errno_string(module_error->errno_value()) : error.what();
    log_warning(label + ": " + step.could_not + ": " + reason + ", ignoring");
    results.push_back({step.object, ActionResult::Outcome::kFailed, reason});
  }
}

StateRecord record_for(StateRecord::Kind kind, const std::string& object, const Plan& plan,
                       const std::vector<std::string>& profiles, const ExecutorOptions& options) {
  StateRecord record;
  record.kind = kind;
  record.object = object;
  record.sleep = plan.sleep;
  record.time = options.unix_time();
  record.profiles = join(profiles);
  record.boot_id = options.boot_id;
  return record;
}

PreStep device_step(const PlannedDevice& device, const Plan& plan, DeviceBackend& devices,
                    const ExecutorOptions& options) {
  const bool unbind = device.action == DeviceAction::kUnbind;
  const std::string what = std::string(device_action_verb(device.action)) + " " + device.slot;
  const std::string because =
      " (driver " + device.driver + ", " + device.why +
      (device.profiles.empty() ? "" : "; profile " + join(device.profiles)) + ")";
  PreStep step;
  step.object = device.slot;
  step.decision = device.decision;
  step.note = device.note;
  step.skipped = "did not " + what;
  step.would = "would " + what + because;
  step.record_what = "'" + what + "' before doing it";
  step.nothing_more = "doing nothing more";
  step.could_not = "could not " + what;
  step.still_as_planned = [&device, &devices,
                           unbind]() -> std::optional<std::pair<std::string, LogLevel>> {
    if (unbind && devices.bound_driver(device.slot) != device.driver)
      return std::pair{"no longer bound to '" + device.driver + "'", LogLevel::kInfo};
    return std::nullopt;
  };
  if (options.dry_run) return step;
  step.record = record_for(unbind ? StateRecord::Kind::kUnbind : StateRecord::Kind::kRemove,
                           device.slot, plan, device.profiles, options);
  step.record.driver = device.driver;
  step.act = [&device, &devices, unbind] {
    if (unbind)
      devices.unbind(device.slot, device.driver);
    else
      devices.remove(device.slot);
  };
  step.done = (unbind ? "unbound " : "removed ") + device.slot + because;
  return step;
}

PreStep module_step(const PlannedModule& module, const Plan& plan, ModuleBackend& modules,
                    const ExecutorOptions& options) {
  PreStep step;
  step.object = module.name;
  step.decision = module.decision;
  step.note = module.note;
  step.skipped = "skipped '" + module.name + "'";
  step.left = ", left loaded";
  step.would = "would unload '" + module.name + "' (" + module.why + profiles_text(module) + ")";
  step.record_what = "'" + module.name + "' before unloading it";
  step.nothing_more = "unloading nothing more";
  step.could_not = "could not unload '" + module.name + "'";
  // A holder that could not go keeps this module in use: do not spend the retry budget.
  step.still_as_planned = [&module, &modules]() -> std::optional<std::pair<std::string, LogLevel>> {
    const ModuleStatus status = modules.status(module.name);
    if (status.state == ModuleState::kNotLoaded)
      return std::pair{std::string("no longer loaded"), LogLevel::kInfo};
    if (!status.holders.empty())
      return std::pair{"still held by '" + join(status.holders) + "', left loaded",
                       LogLevel::kWarning};
    return std::nullopt;
  };
  if (options.dry_run) return step;
  step.record = record_for(StateRecord::Kind::kModule, module.name, plan, module.profiles, options);
  step.act = [&module, &modules, &options] { unload_with_retry(module.name, modules, options); };
  step.done = "unloaded '" + module.name + "' (" + module.why + profiles_text(module) + ")";
  return step;
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
  ExecutorOptions options = given;
  if (!options.wait) options.wait = default_wait;
  if (!options.unix_time) options.unix_time = default_unix_time;
  std::vector<ActionResult> results;
  PreRecords records(store, options, options.dry_run ? StateFile{} : store.read());
  if (!options.dry_run) settle_earlier_records(label, backends, options, records);
  for (const PlannedDevice& device : plan.devices)
    run_step(device_step(device, plan, backends.devices, options), label, options, records,
             results);
  for (const PlannedModule& module : plan.modules)
    run_step(module_step(module, plan, backends.modules, options), label, options, records,
             results);
  return results;
}

}  // namespace suspendfix
