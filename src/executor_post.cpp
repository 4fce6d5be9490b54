// SPDX-License-Identifier: GPL-2.0-or-later
// post and restore: undoing what pre recorded.
#include <cerrno>

#include "error.hpp"
#include "executor.hpp"
#include "log.hpp"

namespace suspendfix {

using Clock = std::chrono::steady_clock;

namespace {

/// What undoing one record did: the message and its level.
struct Undone {
  std::string text;
  LogLevel level = LogLevel::kNotice;
};

/// Undoes one record and says what it did; throws Error (or ModuleError) when it could not.
Undone undo(const StateRecord& record, Backends backends) {
  switch (record.kind) {
    case StateRecord::Kind::kModule: {
      const ModuleState state = backends.modules.status(record.object).state;
      if (state != ModuleState::kNotLoaded)
        return {"'" + record.object + "' is loaded already (not by suspendfix): nothing to load"};
      backends.modules.load(record.object);
      return {"loaded '" + record.object + "'"};
    }
    case StateRecord::Kind::kUnbind: {
      const std::string bound = backends.devices.bound_driver(record.object);
      if (record.driver.empty()) {
        // A damaged record that lost the driver: the kernel may still find one.
        if (bound.empty()) backends.devices.probe(record.object);
        const std::string found = backends.devices.bound_driver(record.object);
        if (!found.empty())
          return {record.object + " is bound to " + found +
                  (bound.empty() ? " again (probed)" : "")};
        return {"cannot bind " + record.object +
                    ": the record names no driver and no driver "
                    "took it; forgetting the record, the device stays unbound (bind it by hand)",
                LogLevel::kWarning};
      }
      // Loading the module back may already have bound it: then there is nothing to do.
      if (bound == record.driver)
        return {record.object + " is bound to " + record.driver +
                " again (by its driver's reload)"};
      backends.devices.bind(record.object, record.driver);
      if (backends.devices.bound_driver(record.object) != record.driver)
        throw HardwareError("", "", "it is still not bound to '" + record.driver + "'");
      return {"bound " + record.object + " to " + record.driver};
    }
    case StateRecord::Kind::kRemove:
      if (backends.devices.present(record.object))
        return {record.object + " is back (an earlier rescan found it)"};
      backends.devices.rescan();
      if (!backends.devices.present(record.object))
        throw HardwareError("", "", "it did not come back after a rescan of the PCI bus");
      return {"rescanned the PCI bus: " + record.object + " is back"};
    case StateRecord::Kind::kUnreadable:
      break;
  }
  throw Error("", "", "nothing in it can be read");
}

std::string undo_text(const StateRecord& record) {
  switch (record.kind) {
    case StateRecord::Kind::kModule:
      return "load '" + record.object + "'";
    case StateRecord::Kind::kUnbind:
      return record.driver.empty() ? "bind " + record.object
                                   : "bind " + record.object + " to " + record.driver;
    case StateRecord::Kind::kRemove:
      return "bring back " + record.object;
    case StateRecord::Kind::kUnreadable:
      break;
  }
  return "undo line " + std::to_string(record.line) + " '" + excerpt(record.verbatim, 60) + "'";
}

/// " (from damaged line 3 of FILE)", so that a person can match the message to the line.
std::string origin_text(const StateRecord& record, const StateStore& store) {
  if (!record.damaged()) return "";
  return " (from damaged line " + std::to_string(record.line) + " of " + store.path() + ")";
}

/// post and restore may not undo everything: returns the reason to leave a record, or "".
std::string reason_to_leave(const StateRecord& record, const ExecutorOptions& options,
                            const StateStore& store) {
  if (record.kind == StateRecord::Kind::kUnreadable)
    return "line " + std::to_string(record.line) + " of " + store.path() + " ('" +
           excerpt(record.verbatim, 60) + "') names nothing that can be brought back; it " +
           "stays for a person to read (suspendfix status), or 'suspendfix restore " +
           "--forget-unreadable' drops it";
  if (record.damaged() || record.boot_id == options.boot_id) return "";
  if (!options.restore)
    return state_kind_name(record.kind) + std::string(" ") + record.object +
           " was recorded in another boot (" + record.boot_id + "): left for 'suspendfix restore'";
  return "";
}

}  // namespace

std::vector<ActionResult> run_post(const std::string& label, Backends backends, StateStore& store,
                                   const ExecutorOptions& options) {
  std::vector<ActionResult> results;
  StateFile file = store.read();
  if (file.records.empty()) {
    log_info(label + ": nothing recorded, nothing to undo");
    return results;
  }
  if (file.watch && !options.dry_run) {
    file.watch.reset();  // settled: the watcher stops
    try {
      store.write(file);
    } catch (const Error& error) {
      log_warning(label + ": " + error.what() + "; carrying on");
    }
  }
  // Reverse order: the last thing done is the first undone.
  for (size_t i = file.records.size(); i-- > 0;) {
    const StateRecord record = file.records[i];
    auto forget = [&] {
      file.records.erase(file.records.begin() + static_cast<std::ptrdiff_t>(i));
      store.write(file);
    };
    if (record.kind == StateRecord::Kind::kUnreadable && options.forget_unreadable &&
        !options.dry_run) {
      log_warning(label + ": forgetting line " + std::to_string(record.line) + " of " +
                  store.path() + ", of which nothing could be read: '" +
                  excerpt(record.verbatim, 200) + "'");
      forget();
      results.push_back({record.verbatim, ActionResult::Outcome::kDone, "", record.kind});
      continue;
    }
    if (const std::string reason = reason_to_leave(record, options, store); !reason.empty()) {
      log_message(
          record.kind == StateRecord::Kind::kUnreadable ? LogLevel::kError : LogLevel::kWarning,
          label + ": " + reason);
      results.push_back({record.object.empty() ? record.verbatim : record.object,
                         record.kind == StateRecord::Kind::kUnreadable
                             ? ActionResult::Outcome::kFailed
                             : ActionResult::Outcome::kSkipped,
                         reason, record.kind});
      continue;
    }
    if (options.dry_run) {
      log_notice(label + ": would " + undo_text(record) + origin_text(record, store));
      results.push_back({record.object, ActionResult::Outcome::kSkipped, "dry run", record.kind});
      continue;
    }
    if (Clock::now() >= options.deadline) {
      log_error(label + ": out of time before I could " + undo_text(record) +
                "; it stays recorded: run 'suspendfix restore'");
      results.push_back(
          {record.object, ActionResult::Outcome::kSkipped, "out of time", record.kind});
      continue;
    }
    Undone done;
    try {
      done = undo(record, backends);
    } catch (const Error& error) {
      const ModuleError* module_error = dynamic_cast<const ModuleError*>(&error);
      const std::string reason =
          module_error ? errno_string(module_error->errno_value()) : error.what();
      log_error(label + ": could not " + undo_text(record) + origin_text(record, store) + ": " +
                reason + "; it stays recorded: run 'suspendfix restore'");
      results.push_back({record.object, ActionResult::Outcome::kFailed, reason, record.kind});
      continue;
    }
    const std::string other_boot =
        !record.damaged() && record.boot_id != options.boot_id ? " (recorded in another boot)" : "";
    log_message(done.level, label + ": " + done.text + origin_text(record, store) + other_boot);
    results.push_back({record.object, ActionResult::Outcome::kDone, "", record.kind});
    try {
      forget();
    } catch (const Error& error) {
      log_error(label + ": " + error.what() + "; the record of " + record.object +
                " stays, and the next post or restore will find it done");
    }
  }
  return results;
}

std::vector<SleepLogAction> sleep_log_actions(const std::vector<ActionResult>& results) {
  std::vector<SleepLogAction> actions;
  for (const ActionResult& result : results)
    if (result.kind != StateRecord::Kind::kUnreadable && !result.object.empty())
      actions.push_back(
          {result.kind, result.object, result.outcome == ActionResult::Outcome::kDone});
  return actions;
}

}  // namespace suspendfix
