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
void unload_with_retry(const std::string& name, ModuleBackend& modules, const ExecutorOptions& options) {
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

}  // namespace

std::vector<ActionResult> run_pre(const Plan& plan, const std::string& label, ModuleBackend& modules,
                                  StateStore& store, const ExecutorOptions& given) {
  ExecutorOptions options = given;
  if (!options.wait) options.wait = default_wait;
  if (!options.unix_time) options.unix_time = default_unix_time;
  std::vector<ActionResult> results;
  std::vector<StateRecord> records = options.dry_run ? std::vector<StateRecord>{} : store.read();
  if (!records.empty())
    log_warning(label + ": " + std::to_string(records.size()) +
                " module(s) from an earlier sleep were never loaded back; they stay recorded and come back after this wake");
  for (const PlannedModule& module : plan.modules) {
    auto skip = [&](const std::string& reason, LogLevel level = LogLevel::kNotice) {
      log_message(level, label + ": skipped '" + module.name + "': " + reason);
      results.push_back({module.name, ActionResult::Outcome::kSkipped, reason});
    };
    if (module.decision != Decision::kUnload) {
      skip(module.note, module.decision == Decision::kRefused ? LogLevel::kWarning : LogLevel::kInfo);
      continue;
    }
    if (options.dry_run) {
      log_notice(label + ": would unload '" + module.name + "' (" + module.why + profiles_text(module) + ")");
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
    const bool known = std::any_of(records.begin(), records.end(),
                                   [&](const StateRecord& r) { return r.same_target(record); });
    if (!known) {
      records.push_back(record);
      store.write(records);  // write-ahead: recorded before it can be lost
    }
    try {
      unload_with_retry(module.name, modules, options);
      log_notice(label + ": unloaded '" + module.name + "' (" + module.why + profiles_text(module) + ")");
      results.push_back({module.name, ActionResult::Outcome::kDone, ""});
    } catch (const ModuleError& error) {
      if (!known) {
        records.erase(std::remove_if(records.begin(), records.end(),
                                     [&](const StateRecord& r) { return r.same_target(record); }),
                      records.end());
        store.write(records);
      }
      const std::string reason = errno_string(error.errno_value());
      log_warning(label + ": could not unload '" + module.name + "': " + reason + ", ignoring");
      results.push_back({module.name, ActionResult::Outcome::kFailed, reason});
    }
  }
  return results;
}

std::vector<ActionResult> run_post(const std::string& label, ModuleBackend& modules, StateStore& store,
                                   const ExecutorOptions& options) {
  std::vector<ActionResult> results;
  std::vector<StateRecord> records = store.read();
  if (records.empty()) {
    log_info(label + ": nothing recorded, nothing to load");
    return results;
  }
  // Reverse order: the last module unloaded is the first loaded back.
  for (size_t i = records.size(); i-- > 0;) {
    const StateRecord record = records[i];
    if (record.kind != StateRecord::Kind::kModule) continue;
    if (options.dry_run) {
      log_notice(label + ": would load '" + record.object + "'");
      results.push_back({record.object, ActionResult::Outcome::kSkipped, "dry run"});
      continue;
    }
    if (Clock::now() >= options.deadline) {
      log_error(label + ": out of time before loading '" + record.object +
                "'; it stays recorded: run 'suspendfix restore'");
      results.push_back({record.object, ActionResult::Outcome::kSkipped, "out of time"});
      continue;
    }
    try {
      modules.load(record.object);
      records.erase(records.begin() + static_cast<std::ptrdiff_t>(i));
      store.write(records);
      log_notice(label + ": loaded '" + record.object + "'");
      results.push_back({record.object, ActionResult::Outcome::kDone, ""});
    } catch (const ModuleError& error) {
      const std::string reason = errno_string(error.errno_value());
      log_error(label + ": could not load '" + record.object + "': " + reason +
                "; it stays recorded: run 'suspendfix restore'");
      results.push_back({record.object, ActionResult::Outcome::kFailed, reason});
    }
  }
  return results;
}

}  // namespace suspendfix
