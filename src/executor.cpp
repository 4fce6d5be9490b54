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

/// Adds record before the action (write-ahead) unless an earlier sleep left it; returns whether
/// it was added, so that a failed action can take it back.
bool record_ahead(std::vector<StateRecord>& records, const StateRecord& record, StateStore& store) {
  if (std::any_of(records.begin(), records.end(),
                  [&](const StateRecord& r) { return r.same_target(record); }))
    return false;
  records.push_back(record);
  store.write(records);
  return true;
}

void take_back(std::vector<StateRecord>& records, const StateRecord& record, StateStore& store) {
  records.erase(std::remove_if(records.begin(), records.end(),
                               [&](const StateRecord& r) { return r.same_target(record); }),
                records.end());
  store.write(records);
}

void run_device_steps(const Plan& plan, const std::string& label, DeviceBackend& devices,
                      StateStore& store, const ExecutorOptions& options,
                      std::vector<StateRecord>& records, std::vector<ActionResult>& results) {
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
    const bool added = record_ahead(records, record, store);
    try {
      if (device.action == DeviceAction::kUnbind)
        devices.unbind(device.slot, device.driver);
      else
        devices.remove(device.slot);
      log_notice(label + ": " + (device.action == DeviceAction::kUnbind ? "unbound " : "removed ") +
                 device.slot + " (driver " + device.driver + ", " + device.why + profiles + ")");
      results.push_back({device.slot, ActionResult::Outcome::kDone, ""});
    } catch (const Error& error) {
      if (added) take_back(records, record, store);
      log_warning(label + ": could not " + what + ": " + error.what() + ", ignoring");
      results.push_back({device.slot, ActionResult::Outcome::kFailed, error.what()});
    }
  }
}

}  // namespace

std::vector<ActionResult> run_pre(const Plan& plan, const std::string& label, Backends backends,
                                  StateStore& store, const ExecutorOptions& given) {
  ModuleBackend& modules = backends.modules;
  ExecutorOptions options = given;
  if (!options.wait) options.wait = default_wait;
  if (!options.unix_time) options.unix_time = default_unix_time;
  std::vector<ActionResult> results;
  std::vector<StateRecord> records = options.dry_run ? std::vector<StateRecord>{} : store.read();
  if (!records.empty())
    log_warning(label + ": " + std::to_string(records.size()) +
                " action(s) from an earlier sleep were never undone; they stay recorded and are "
                "undone after this wake");
  run_device_steps(plan, label, backends.devices, store, options, records, results);
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
    const bool added = record_ahead(records, record, store);  // recorded before it can be lost
    try {
      unload_with_retry(module.name, modules, options);
      log_notice(label + ": unloaded '" + module.name + "' (" + module.why + profiles_text(module) +
                 ")");
      results.push_back({module.name, ActionResult::Outcome::kDone, ""});
    } catch (const ModuleError& error) {
      if (added) take_back(records, record, store);
      const std::string reason = errno_string(error.errno_value());
      log_warning(label + ": could not unload '" + module.name + "': " + reason + ", ignoring");
      results.push_back({module.name, ActionResult::Outcome::kFailed, reason});
    }
  }
  return results;
}

namespace {

/// Undoes one record and says what it did; throws Error (or ModuleError) when it could not.
std::string undo(const StateRecord& record, Backends backends) {
  switch (record.kind) {
    case StateRecord::Kind::kModule:
      backends.modules.load(record.object);
      return "loaded '" + record.object + "'";
    case StateRecord::Kind::kUnbind:
      // Loading the module back may already have bound it: then there is nothing to do.
      if (backends.devices.bound_driver(record.object) == record.driver)
        return record.object + " is bound to " + record.driver + " again (by its driver's reload)";
      backends.devices.bind(record.object, record.driver);
      if (backends.devices.bound_driver(record.object) != record.driver)
        throw HardwareError("", "", "it is still not bound to '" + record.driver + "'");
      return "bound " + record.object + " to " + record.driver;
    case StateRecord::Kind::kRemove:
      if (backends.devices.present(record.object))
        return record.object + " is back (an earlier rescan found it)";
      backends.devices.rescan();
      if (!backends.devices.present(record.object))
        throw HardwareError("", "", "it did not come back after a rescan of the PCI bus");
      return "rescanned the PCI bus: " + record.object + " is back";
  }
  return "";
}

std::string undo_text(const StateRecord& record) {
  switch (record.kind) {
    case StateRecord::Kind::kModule:
      return "load '" + record.object + "'";
    case StateRecord::Kind::kUnbind:
      return "bind " + record.object + " to " + record.driver;
    case StateRecord::Kind::kRemove:
      return "bring back " + record.object;
  }
  return "";
}

}  // namespace

std::vector<ActionResult> run_post(const std::string& label, Backends backends, StateStore& store,
                                   const ExecutorOptions& options) {
  std::vector<ActionResult> results;
  std::vector<StateRecord> records = store.read();
  if (records.empty()) {
    log_info(label + ": nothing recorded, nothing to undo");
    return results;
  }
  // Reverse order: the last thing done is the first undone.
  for (size_t i = records.size(); i-- > 0;) {
    const StateRecord record = records[i];
    if (options.dry_run) {
      log_notice(label + ": would " + undo_text(record));
      results.push_back({record.object, ActionResult::Outcome::kSkipped, "dry run"});
      continue;
    }
    if (Clock::now() >= options.deadline) {
      log_error(label + ": out of time before I could " + undo_text(record) +
                "; it stays recorded: run 'suspendfix restore'");
      results.push_back({record.object, ActionResult::Outcome::kSkipped, "out of time"});
      continue;
    }
    try {
      const std::string done = undo(record, backends);
      records.erase(records.begin() + static_cast<std::ptrdiff_t>(i));
      store.write(records);
      log_notice(label + ": " + done);
      results.push_back({record.object, ActionResult::Outcome::kDone, ""});
    } catch (const Error& error) {
      const ModuleError* module_error = dynamic_cast<const ModuleError*>(&error);
      const std::string reason =
          module_error ? errno_string(module_error->errno_value()) : error.what();
      log_error(label + ": could not " + undo_text(record) + ": " + reason +
                "; it stays recorded: run 'suspendfix restore'");
      results.push_back({record.object, ActionResult::Outcome::kFailed, reason});
    }
  }
  return results;
}

}  // namespace suspendfix
