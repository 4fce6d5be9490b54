// SPDX-License-Identifier: GPL-2.0-or-later
// post and restore: undoing what pre recorded.
#include <algorithm>
#include <cerrno>
#include <memory>
#include <system_error>
#include <thread>

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

/// One undo's outcome, before it is logged and the record forgotten.
struct Attempt {
  bool ok = false;
  Undone done;
  std::string reason;  // when !ok
};

Attempt attempt(const StateRecord& record, Backends backends) {
  Attempt result;
  try {
    result.done = undo(record, backends);
    result.ok = true;
  } catch (const Error& error) {
    const ModuleError* module_error = dynamic_cast<const ModuleError*>(&error);
    result.reason = module_error ? errno_string(module_error->errno_value()) : error.what();
  } catch (const std::exception& error) {  // a thread must not end in std::terminate
    result.reason = error.what();
  }
  return result;
}

/// The profile ids of a record ("a,b" -> {a, b}); empty when the configuration asked.
std::vector<std::string> profile_ids(const StateRecord& record) {
  std::vector<std::string> ids;
  size_t start = 0;
  while (start <= record.profiles.size()) {
    const size_t end = std::min(record.profiles.find(',', start), record.profiles.size());
    if (end > start) ids.push_back(record.profiles.substr(start, end - start));
    start = end + 1;
  }
  return ids;
}

/// Whether two module records may load side by side: they come from different sources (no
/// profile in common, and not both from the configuration: a source that lists several
/// modules may have put them in an order, as the T2 Touch Bar guides do), and neither module
/// is among what the other's load pulls in. Unknown dependencies read as "no".
bool independent(ModuleBackend& modules, const StateRecord& a, const StateRecord& b) {
  const std::vector<std::string> ids_a = profile_ids(a), ids_b = profile_ids(b);
  if (ids_a.empty() && ids_b.empty()) return false;
  for (const std::string& id : ids_a)
    if (std::find(ids_b.begin(), ids_b.end(), id) != ids_b.end()) return false;
  const auto of_a = modules.dependencies(a.object);
  const auto of_b = modules.dependencies(b.object);
  if (!of_a || !of_b) return false;
  return std::find(of_a->begin(), of_a->end(), b.object) == of_a->end() &&
         std::find(of_b->begin(), of_b->end(), a.object) == of_b->end();
}

/// Loads the module records at the given indexes side by side: the first on this thread with
/// backends.modules, each other one on a thread with a backend of its own. Returns their
/// attempts in the same order, or an empty vector when no second backend could be had (then
/// nothing was done).
std::vector<Attempt> load_side_by_side(const std::string& label,
                                       const std::vector<StateRecord>& records,
                                       const std::vector<size_t>& indexes, Backends backends) {
  std::vector<std::unique_ptr<ModuleBackend>> own;
  std::string names;
  for (size_t k = 0; k < indexes.size(); ++k) {
    names += (k == 0 ? "'" : ", '") + records[indexes[k]].object + "'";
    if (k == 0) continue;
    own.push_back(backends.modules.for_another_thread());
    if (!own.back()) return {};
  }
  log_notice(label + ": loading " + names + " side by side (none depends on another)");
  std::vector<Attempt> attempts(indexes.size());
  std::vector<std::thread> threads;
  for (size_t k = 1; k < indexes.size(); ++k) {
    const Backends mine{*own[k - 1], backends.devices};
    try {
      threads.emplace_back([&attempts, &records, &indexes, mine, k] {
        attempts[k] = attempt(records[indexes[k]], mine);
      });
    } catch (const std::system_error&) {  // no thread to be had: load it here, in turn
      attempts[k] = attempt(records[indexes[k]], mine);
    }
  }
  attempts[0] = attempt(records[indexes[0]], backends);
  for (std::thread& thread : threads) thread.join();
  return attempts;
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
  // A record this post loads now: a module, readable, not left for another boot.
  auto loadable_together = [&](const StateRecord& record) {
    return record.kind == StateRecord::Kind::kModule && !record.damaged() && !options.dry_run &&
           reason_to_leave(record, options, store).empty();
  };
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
    // The module records next in line that come from different profiles and depend on none
    // of each other load side by side, as udev loads the modules of different devices: each
    // probe's waits for its hardware then overlap. Records of devices (bind, rescan) keep
    // their order after the loads.
    std::vector<size_t> group = {i};
    if (loadable_together(record))
      while (group.back() > 0) {
        const StateRecord& next = file.records[group.back() - 1];
        auto apart = [&](size_t member) {
          return independent(backends.modules, file.records[member], next);
        };
        if (!loadable_together(next) || !std::all_of(group.begin(), group.end(), apart)) break;
        group.push_back(group.back() - 1);
      }
    std::vector<Attempt> attempts;
    if (group.size() > 1) attempts = load_side_by_side(label, file.records, group, backends);
    if (attempts.empty()) {
      group.resize(1);
      attempts.push_back(attempt(record, backends));
    }
    // group holds descending indexes: forgetting one leaves the others' places as they are.
    for (size_t k = 0; k < group.size(); ++k) {
      i = group[k];
      const StateRecord done_record = file.records[i];
      const Attempt& outcome = attempts[k];
      if (!outcome.ok) {
        log_error(label + ": could not " + undo_text(done_record) +
                  origin_text(done_record, store) + ": " + outcome.reason +
                  "; it stays recorded: run 'suspendfix restore'");
        results.push_back(
            {done_record.object, ActionResult::Outcome::kFailed, outcome.reason, done_record.kind});
        continue;
      }
      const std::string other_boot =
          !done_record.damaged() && done_record.boot_id != options.boot_id
              ? " (recorded in another boot)"
              : "";
      log_message(outcome.done.level,
                  label + ": " + outcome.done.text + origin_text(done_record, store) + other_boot);
      results.push_back({done_record.object, ActionResult::Outcome::kDone, "", done_record.kind});
      try {
        forget();  // record i
      } catch (const Error& error) {
        log_error(label + ": " + error.what() + "; the record of " + done_record.object +
                  " stays, and the next post or restore will find it done");
      }
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
