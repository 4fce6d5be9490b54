// SPDX-License-Identifier: GPL-2.0-or-later
// `suspendfix test --json`: schema 1, documented in suspendfix(8).
#include <map>
#include <nlohmann/json.hpp>

#include "json_output.hpp"
#include "sleeptest/test_report.hpp"

namespace suspendfix {
namespace {

using Json = nlohmann::ordered_json;

Json seconds(std::optional<int64_t> milliseconds) {
  if (!milliseconds) return nullptr;
  return static_cast<double>(*milliseconds) / 1000.0;
}

Json text_or_null(const std::string& text) { return text.empty() ? Json(nullptr) : Json(text); }

Json failure_json(const std::optional<CycleFailure>& failure) {
  if (!failure) return nullptr;
  Json tasks = Json::array();
  for (const std::string& task : failure->tasks) tasks.push_back(task);
  return {
      {"kind", failure_kind_name(failure->kind)},
      {"device", text_or_null(failure->device)},
      {"driver", text_or_null(failure->driver)},
      {"module", text_or_null(failure->module)},
      {"phase", text_or_null(failure->phase)},
      {"step", text_or_null(failure->step)},
      {"errno", failure->error ? Json(*failure->error) : Json(nullptr)},
      {"errno_name", failure->error ? text_or_null(errno_name(*failure->error)) : Json(nullptr)},
      {"wakeup_source", text_or_null(failure->wakeup_source)},
      {"tasks", tasks},
      {"message", text_or_null(failure->message)}};
}

Json cycle_json(const CycleReport& cycle) {
  Json moved = nullptr;
  if (cycle.counters) {
    moved = Json::object();
    for (int counter = 0; counter < SuspendStats::kCounterCount; ++counter)
      if (cycle.counters->moved[counter] != 0)
        moved[suspend_stats_counter_name(static_cast<SuspendStats::Counter>(counter))] =
            cycle.counters->moved[counter];
  }
  Json back = Json::array();
  for (const SleepLogAction& action : cycle.brought_back)
    back.push_back(
        {{"kind", state_kind_name(action.kind)}, {"object", action.object}, {"back", action.back}});
  Json devices = Json::array();
  for (const DeviceReturn& device : cycle.devices)
    devices.push_back({{"slot", device.slot},
                       {"driver", device.driver},
                       {"module", text_or_null(device.module)},
                       {"bound_again", device.bound},
                       {"after_wake_seconds",
                        device.after_ns ? seconds(*device.after_ns / 1'000'000) : Json(nullptr)}});
  Json pending = Json::array();
  for (const StateRecord& record : cycle.pending_after)
    pending.push_back({{"kind", state_kind_name(record.kind)}, {"object", record.object}});
  const SleepOutcome& outcome = cycle.outcome;
  return {
      {"cycle", cycle.number},
      {"ok", cycle.ok},
      {"problems", cycle.problems},
      {"notes", cycle.notes},
      {"slept", cycle.slept},
      {"attempts", cycle.attempts},
      {"counters_moved", moved},
      {"asleep_seconds", seconds(cycle.asleep_ms)},
      {"hw_sleep_seconds", cycle.hw_sleep_us ? seconds(*cycle.hw_sleep_us / 1000) : Json(nullptr)},
      {"duration_seconds", seconds(cycle.duration_ms)},
      {"resume_seconds", seconds(cycle.resume_ms)},
      {"hook", {{"pre", cycle.pre_ran}, {"post", cycle.post_ran}, {"brought_back", back}}},
      {"devices", devices},
      {"failure", failure_json(cycle.failure)},
      {"command",
       {{"exit_status", outcome.exit_status ? Json(*outcome.exit_status) : Json(nullptr)},
        {"write_error", outcome.write_error ? Json(-outcome.write_error) : Json(nullptr)},
        {"error", text_or_null(outcome.error)},
        {"output", text_or_null(outcome.output)},
        {"timed_out", outcome.timed_out}}},
      {"pending_after", pending}};
}

}  // namespace

void write_test_json(const TestRun& run, std::ostream& out) {
  Json root;
  root["schema"] = 1;
  root["through"] = sleep_path_name(run.path);
  root["command"] = sleep_path_description(run.path, run.mode);
  root["mode"] = run.mode;
  root["mem_sleep"] = text_or_null(run.mem_sleep);
  root["wake_after_seconds"] = run.wake_after_seconds;
  root["cycles"] = Json::array();
  for (const CycleReport& cycle : run.result.cycles) root["cycles"].push_back(cycle_json(cycle));
  const CycleReport* slowest = nullptr;
  for (const CycleReport& cycle : run.result.cycles)
    if (cycle.resume_ms && (!slowest || *cycle.resume_ms > *slowest->resume_ms)) slowest = &cycle;
  std::map<std::pair<std::string, std::string>, std::pair<int, int>> unloaded;
  for (const CycleReport& cycle : run.result.cycles)
    for (const SleepLogAction& action : cycle.brought_back) {
      auto& [times, back] = unloaded[{state_kind_name(action.kind), action.object}];
      ++times;
      back += action.back ? 1 : 0;
    }
  Json unloaded_json = Json::array();
  for (const auto& [key, count] : unloaded)
    unloaded_json.push_back({{"kind", key.first},
                             {"object", key.second},
                             {"times", count.first},
                             {"all_back", count.first == count.second}});
  Json left = Json::array();
  for (const StateRecord& record : run.left_after)
    left.push_back({{"kind", state_kind_name(record.kind)}, {"object", record.object}});
  root["summary"] = {{"ok", run.ok()},
                     {"requested", run.cycles_requested},
                     {"run", run.result.cycles.size()},
                     {"succeeded", run.succeeded()},
                     {"failed", run.failed()},
                     {"interrupted", run.result.interrupted},
                     {"stopped_at_failure", run.result.stopped_at_failure},
                     {"slowest_resume", slowest ? Json{{"cycle", slowest->number},
                                                       {"seconds", seconds(slowest->resume_ms)}}
                                                : Json(nullptr)},
                     {"unloaded", unloaded_json},
                     {"left_unloaded", left},
                     {"restored", run.restored},
                     {"notes", run.notes}};
  write_json(std::move(root), out);
}

}  // namespace suspendfix
