// SPDX-License-Identifier: GPL-2.0-or-later
#include "diagnose/attribution.hpp"

#include <ctime>

namespace suspendfix {
namespace {

std::string window_label(const SleepLogEntry& pre, bool post_came) {
  const std::time_t time = static_cast<std::time_t>(pre.realtime);
  std::tm parts{};
  localtime_r(&time, &parts);
  char clock[32];
  std::strftime(clock, sizeof clock, "%Y-%m-%d %H:%M:%S", &parts);
  return std::string(sleep_type_name(pre.sleep)) + " at " + clock + " (" +
         hook_frontend_name(pre.frontend) + (post_came ? ")" : ", no post)");
}

/// Only the counters: the last_* ring is given to one window at most, by the caller.
SuspendStats counters_of(const SuspendStats& stats) {
  SuspendStats counters;
  counters.counters = stats.counters;
  return counters;
}

/// The kernel's step names (last_failed_step) as the log's phase words.
std::string phase_of(SuspendStats::Counter counter) {
  switch (counter) {
    case SuspendStats::kFailedSuspend:
      return "suspend";
    case SuspendStats::kFailedSuspendLate:
      return "suspend late";
    case SuspendStats::kFailedSuspendNoirq:
      return "suspend noirq";
    case SuspendStats::kFailedResume:
      return "resume";
    case SuspendStats::kFailedResumeEarly:
      return "resume early";
    case SuspendStats::kFailedResumeNoirq:
      return "resume noirq";
    case SuspendStats::kFailedFreeze:
      return "freeze";
    case SuspendStats::kFailedPrepare:
      return "prepare";
    default:
      return "";
  }
}

/// The kernel keeps 39 bytes of a device name (last_failed_dev is char[40]).
bool same_device(const std::string& logged, const std::string& counted) {
  return !counted.empty() && logged.substr(0, 39) == counted.substr(0, 39);
}

bool log_has(const LogFindings& findings, const Failure& counted) {
  for (const SleepAttempt& attempt : findings.failed_sleeps)
    for (const Failure& failure : attempt.failures) {
      if (counted.kind == FailureKind::kDevice) {
        if (same_device(failure.device, counted.device)) return true;
      } else if (failure.kind == counted.kind) {
        return true;
      }
    }
  return false;
}

}  // namespace

std::vector<CounterWindow> windows_since_boot(const SuspendStats& now) {
  return {CounterWindow{"this boot", std::nullopt, now}};
}

std::vector<CounterWindow> windows_from_sleep_log(const std::vector<SleepLogEntry>& entries,
                                                  const std::string& boot_id,
                                                  const SuspendStats& now) {
  std::vector<const SleepLogEntry*> ours;
  for (const SleepLogEntry& entry : entries)
    if (entry.boot_id == boot_id && !entry.counters.empty()) ours.push_back(&entry);
  std::vector<CounterWindow> windows;  // oldest first while built
  for (size_t i = 0; i < ours.size(); ++i) {
    if (ours[i]->phase != SleepPhase::kPre) continue;
    const SleepLogEntry* post = nullptr;
    const SleepLogEntry* next_pre = nullptr;
    for (size_t j = i + 1; j < ours.size() && !post && !next_pre; ++j)
      (ours[j]->phase == SleepPhase::kPost ? post : next_pre) = ours[j];
    CounterWindow window;
    window.label = window_label(*ours[i], post != nullptr);
    window.before = counters_of(ours[i]->counters);
    window.after = counters_of(post ? post->counters : next_pre ? next_pre->counters : now);
    windows.push_back(std::move(window));
  }
  // The ring describes the newest device failure: the newest window a device step moved in,
  // if none moved between its end and now.
  for (auto window = windows.rbegin(); window != windows.rend(); ++window) {
    if (!diff(*window->before, window->after).device_step()) continue;
    if (!diff(window->after, now).device_step()) {
      window->after.last_failed_devices = now.last_failed_devices;
      window->after.last_failed_errnos = now.last_failed_errnos;
      window->after.last_failed_steps = now.last_failed_steps;
    }
    break;
  }
  return {windows.rbegin(), windows.rend()};
}

Attribution attribute(LogFindings& findings, const std::vector<CounterWindow>& windows) {
  Attribution result;
  result.logged_failed_sleeps = findings.failed_sleeps.size() + findings.dropped_sleeps;
  std::vector<SleepAttempt> unlogged;
  for (const CounterWindow& window : windows) {
    SuspendStats zero;
    for (auto& counter : zero.counters) counter = 0;
    const SuspendStatsDelta delta = diff(window.before ? *window.before : zero, window.after);
    CounterFinding finding;
    finding.label = window.label;
    finding.attempts = static_cast<uint64_t>(delta.moved[SuspendStats::kSuccess] +
                                             delta.moved[SuspendStats::kFail]);
    finding.failed = static_cast<uint64_t>(delta.moved[SuspendStats::kFail]);
    result.counted_failures += finding.failed;
    Failure counted;
    counted.from_counters = true;
    if (const auto step = delta.device_step()) {
      finding.step = suspend_stats_counter_name(*step);
      // last_failed_dev describes this window only because a device step moved in it.
      if (!window.after.last_failed_devices.empty()) {
        counted.kind = FailureKind::kDevice;
        counted.device = window.after.last_failed_devices.front();
        if (!window.after.last_failed_errnos.empty())
          counted.error = window.after.last_failed_errnos.front();
        counted.phase = phase_of(*step);
        finding.failure = counted;
      }
    } else if (const auto early = delta.early_step()) {
      finding.step = suspend_stats_counter_name(*early);
      counted.kind =
          *early == SuspendStats::kFailedFreeze ? FailureKind::kFreeze : FailureKind::kPrepare;
      counted.phase = phase_of(*early);
      if (finding.failed > 0) finding.failure = counted;
    }
    if (finding.failure) {
      finding.in_log = log_has(findings, *finding.failure);
      if (!finding.in_log) {
        SleepAttempt attempt;
        attempt.failed = true;
        attempt.failures.push_back(*finding.failure);
        unlogged.push_back(std::move(attempt));
      }
    }
    result.windows.push_back(std::move(finding));
  }
  // Newest first: what only the counters know goes before the log's sleeps when the log has
  // none after it, which is all that can be said without timestamps.
  findings.failed_sleeps.insert(findings.failed_sleeps.begin(), unlogged.begin(), unlogged.end());
  return result;
}

}  // namespace suspendfix
