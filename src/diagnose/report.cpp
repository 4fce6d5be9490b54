// SPDX-License-Identifier: GPL-2.0-or-later
#include "diagnose/report.hpp"

#include <nlohmann/json.hpp>

#include "json_output.hpp"
#include "text_safety.hpp"

namespace suspendfix {
namespace {

using nlohmann::json;

std::string safe(const std::string& text) { return escape_for_terminal(text); }
std::string utf8(const std::string& text) { return to_valid_utf8(text); }

json nullable(const std::string& text) { return text.empty() ? json(nullptr) : json(utf8(text)); }

std::string error_text(const std::optional<int>& error) {
  if (!error) return {};
  const std::string name = errno_name(*error);
  return std::to_string(*error) + (name.empty() ? "" : " (" + name + ")");
}

std::string headline(const Failure& failure) {
  switch (failure.kind) {
    case FailureKind::kDevice:
      if (failure.device.empty()) return "a device callback failed";
      return "device " + safe(failure.device) +
             (failure.phase.empty() ? " failed" : " failed to " + safe(failure.phase));
    case FailureKind::kPrepare:
      return "device " + safe(failure.device) + " refused to prepare for sleep";
    case FailureKind::kFreeze:
      return failure.tasks.empty() ? "tasks refused to freeze" : "tasks refused to freeze: " + [&] {
        std::string names;
        for (const std::string& task : failure.tasks)
          names += (names.empty() ? "" : ", ") + safe(task);
        return names;
      }();
    case FailureKind::kWakeup:
      return failure.wakeup_source.empty()
                 ? "a wakeup event aborted the sleep"
                 : "wakeup source " + safe(failure.wakeup_source) + " aborted the sleep";
    case FailureKind::kHook:
      if (!failure.hook.empty()) return "hook " + safe(failure.hook) + " stopped the sleep";
      return "the sleep manager failed" +
             (failure.manager_error.empty() ? "" : ": " + safe(failure.manager_error));
    case FailureKind::kUnknown:
      break;
  }
  return "the sleep failed, and the kernel did not say why";
}

void write_culprit_text(const CulpritReport& report, std::ostream& out) {
  const Culprit& culprit = report.culprit;
  if (!culprit.found) {
    out << "    device: '" << safe(culprit.name) << "' " << safe(culprit.note) << "\n";
    return;
  }
  std::string path;
  for (const std::string& step : culprit.path) path += (path.empty() ? "" : " -> ") + safe(step);
  out << "    device: " << path << "\n";
  out << "    driver: " << safe(culprit.driver) << ", module "
      << (culprit.module.empty() ? "none (built in)"
                                 : safe(culprit.module) + (culprit.builtin ? " (built in)" : ""))
      << "\n";
  if (culprit.pci)
    out << "    ids: PCI " << format_id(culprit.pci->vendor, culprit.pci->device) << " subsystem "
        << format_id(culprit.pci->subsystem_vendor, culprit.pci->subsystem_device) << "\n";
  else if (culprit.usb)
    out << "    ids: USB " << format_id(culprit.usb->vendor, culprit.usb->product) << "\n";
  for (const ProfileCoverage& coverage : report.coverage)
    out << "    profile " << safe(coverage.id) << " (" << safe(coverage.origin) << ") "
        << (coverage.acts ? "already acts on it before sleep"
                          : "matches it but does not act: " + safe(coverage.why))
        << "\n";
  if (report.coverage.empty()) out << "    no profile covers it\n";
}

}  // namespace

void write_diagnose_text(const DiagnoseReport& report, std::ostream& out) {
  const LogFindings& findings = report.findings;
  out << "Read " << findings.lines << " lines from " << safe(report.source) << ": "
      << findings.sleeps << (findings.sleeps == 1 ? " sleep" : " sleeps") << ", "
      << findings.failed_sleeps.size() + findings.dropped_sleeps << " failed.\n";
  for (const std::string& note : report.notes) out << "Note: " << safe(note) << "\n";
  if (report.counters) {
    const SuspendStats& stats = *report.counters;
    out << "Kernel counters: " << stats.count(SuspendStats::kSuccess) << " sleeps succeeded, "
        << stats.count(SuspendStats::kFail) << " failed this boot";
    if (!stats.last_failed_devices.empty())
      out << "; last failed device " << safe(stats.last_failed_devices.front());
    out << "\n";
  }
  if (report.attribution && report.windows_from_hook) {
    out << "Sleeps through the suspendfix hook this boot, newest first:\n";
    for (const CounterFinding& window : report.attribution->windows) {
      out << "  " << safe(window.label) << ": ";
      if (window.attempts == 0)
        out << "no sleep attempted";
      else if (window.failed == 0)
        out << "slept";
      else
        out << "FAILED" << (window.step.empty() ? "" : " (" + window.step + ")");
      if (window.failure && window.failure->kind == FailureKind::kDevice)
        out << ", device " << safe(window.failure->device);
      out << "\n";
    }
  }
  if (findings.failed_sleeps.empty()) {
    out << "No failed sleep found.\n";
    return;
  }
  for (size_t s = 0; s < findings.failed_sleeps.size(); ++s) {
    const SleepAttempt& attempt = findings.failed_sleeps[s];
    out << "\n";
    if (attempt.index == 0)
      out << "A sleep the kernel counted but the log does not show:\n";
    else
      out << "Sleep " << attempt.index
          << (attempt.mode.empty() ? "" : " (" + safe(attempt.mode) + ")")
          << (attempt.timestamp.empty() ? "" : " at " + safe(attempt.timestamp)) << ", line "
          << attempt.line << ":\n";
    for (size_t f = 0; f < attempt.failures.size(); ++f) {
      const Failure& failure = attempt.failures[f];
      out << "  " << failure_kind_name(failure.kind) << ": " << headline(failure);
      if (failure.error) out << ", error " << error_text(failure.error);
      out << "\n";
      if (!failure.message.empty())
        out << "    log line " << failure.line << ": " << safe(failure.message) << "\n";
      if (failure.from_counters) out << "    from /sys/power/suspend_stats\n";
      if (!failure.callback.empty() || !failure.driver_callback.empty())
        out << "    callback: " << safe(failure.callback)
            << (failure.driver_callback.empty() ? "" : " -> " + safe(failure.driver_callback))
            << (failure.module.empty() ? "" : " [" + safe(failure.module) + "]") << "\n";
      if (!failure.manager_error.empty() && failure.kind != FailureKind::kHook)
        out << "    sleep manager: " << safe(failure.manager_error) << "\n";
      const int index = s < report.culprit_of.size() && f < report.culprit_of[s].size()
                            ? report.culprit_of[s][f]
                            : -1;
      if (index >= 0) write_culprit_text(report.culprits[static_cast<size_t>(index)], out);
      if (failure.kind == FailureKind::kWakeup && failure.wakeup_source.empty())
        out << "    (echo 1 > /sys/power/pm_debug_messages names the wakeup source next time)\n";
    }
  }
  for (const CulpritReport& culprit : report.culprits) {
    if (!culprit.culprit.found) continue;
    out << "\nFix for " << safe(culprit.culprit.sysname) << " (" << safe(culprit.culprit.driver)
        << "):\n";
    if (culprit.draft.empty()) {
      out << "  " << safe(culprit.no_draft) << "\n";
      continue;
    }
    if (culprit.written)
      out << "  installed " << safe(culprit.install_path)
          << "; `suspendfix detect` shows it matching\n";
    else if (culprit.existed)
      out << "  not written: " << safe(culprit.install_path)
          << " exists already (remove or edit it)\n";
    else
      out << "  `suspendfix diagnose --write` installs this as " << safe(culprit.install_path)
          << ":\n";
    if (!culprit.written)
      for (size_t at = 0; at < culprit.draft.size();) {
        const size_t end = culprit.draft.find('\n', at);
        out << "    " << safe(culprit.draft.substr(at, end - at)) << "\n";
        at = end == std::string::npos ? culprit.draft.size() : end + 1;
      }
  }
}

void write_diagnose_json(const DiagnoseReport& report, std::ostream& out) {
  json root;
  root["schema"] = 1;
  root["source"] = utf8(report.source);
  const LogFindings& findings = report.findings;
  root["log"] = {{"lines", findings.lines},
                 {"bytes", findings.bytes},
                 {"cut_lines", findings.cut_lines},
                 {"sleeps", findings.sleeps},
                 {"failed_sleeps", findings.failed_sleeps.size() + findings.dropped_sleeps}};
  json notes = json::array();
  for (const std::string& note : report.notes) notes.push_back(utf8(note));
  root["notes"] = notes;
  if (report.counters) {
    json counters = json::object();
    for (int c = 0; c < SuspendStats::kCounterCount; ++c)
      if (report.counters->counters[c])
        counters[suspend_stats_counter_name(static_cast<SuspendStats::Counter>(c))] =
            *report.counters->counters[c];
    counters["last_failed_dev"] = report.counters->last_failed_devices.empty()
                                      ? json(nullptr)
                                      : json(utf8(report.counters->last_failed_devices.front()));
    root["counters"] = counters;
  } else {
    root["counters"] = nullptr;
  }
  // The hook's sleeps (from its sleep log), or one window for the whole boot.
  json windows = json::array();
  if (report.attribution)
    for (const CounterFinding& window : report.attribution->windows)
      windows.push_back({{"label", utf8(window.label)},
                         {"from_hook", report.windows_from_hook},
                         {"attempts", window.attempts},
                         {"failed", window.failed},
                         {"step", nullable(window.step)},
                         {"device", window.failure && window.failure->kind == FailureKind::kDevice
                                        ? nullable(window.failure->device)
                                        : json(nullptr)},
                         {"in_log", window.in_log}});
  root["sleeps"] = windows;
  json failures = json::array();
  for (size_t s = 0; s < findings.failed_sleeps.size(); ++s) {
    const SleepAttempt& attempt = findings.failed_sleeps[s];
    for (size_t f = 0; f < attempt.failures.size(); ++f) {
      const Failure& failure = attempt.failures[f];
      json item;
      item["kind"] = failure_kind_name(failure.kind);
      item["sleep"] = attempt.index == 0 ? json(nullptr) : json(attempt.index);
      item["mode"] = nullable(attempt.mode);
      item["device"] = nullable(failure.device);
      item["kernel_device"] = nullable(failure.kernel_device);
      item["phase"] = nullable(failure.phase);
      item["errno"] = failure.error ? json(*failure.error) : json(nullptr);
      item["error"] = failure.error ? nullable(errno_name(*failure.error)) : json(nullptr);
      item["callback"] = nullable(failure.callback);
      item["driver_callback"] = nullable(failure.driver_callback);
      item["wakeup_source"] = nullable(failure.wakeup_source);
      item["tasks"] = json::array();
      for (const std::string& task : failure.tasks) item["tasks"].push_back(utf8(task));
      item["hook"] = nullable(failure.hook);
      item["manager_error"] = nullable(failure.manager_error);
      item["line"] = failure.line == 0 ? json(nullptr) : json(failure.line);
      item["timestamp"] = nullable(failure.timestamp);
      item["message"] = nullable(failure.message);
      item["from_counters"] = failure.from_counters;
      // driver and module: from sysfs when the device is here, else from the log.
      std::string driver = failure.driver, module = failure.module;
      const int index = s < report.culprit_of.size() && f < report.culprit_of[s].size()
                            ? report.culprit_of[s][f]
                            : -1;
      json culprit = nullptr;
      if (index >= 0) {
        const CulpritReport& found = report.culprits[static_cast<size_t>(index)];
        if (found.culprit.found) {
          driver = found.culprit.driver;
          module = found.culprit.module;
        }
        culprit = index;
      }
      item["driver"] = nullable(driver);
      item["module"] = nullable(module);
      item["culprit"] = culprit;
      failures.push_back(item);
    }
  }
  root["failures"] = failures;
  json culprits = json::array();
  for (const CulpritReport& report_item : report.culprits) {
    const Culprit& culprit = report_item.culprit;
    json item;
    item["name"] = utf8(culprit.name);
    item["found"] = culprit.found;
    item["note"] = nullable(culprit.note);
    item["path"] = json::array();
    for (const std::string& step : culprit.path) item["path"].push_back(utf8(step));
    item["syspath"] = nullable(culprit.syspath);
    item["device"] = nullable(culprit.sysname);
    item["subsystem"] = nullable(culprit.subsystem);
    item["driver"] = nullable(culprit.driver);
    item["module"] = nullable(culprit.module);
    item["module_builtin"] = culprit.found ? json(culprit.builtin) : json(nullptr);
    item["ids"] = nullptr;
    if (culprit.pci)
      item["ids"] = {{"bus", "pci"},
                     {"vendor", format_id(culprit.pci->vendor, 0).substr(0, 4)},
                     {"device", format_id(culprit.pci->device, 0).substr(0, 4)},
                     {"subsystem_vendor", format_id(culprit.pci->subsystem_vendor, 0).substr(0, 4)},
                     {"subsystem_device", format_id(culprit.pci->subsystem_device, 0).substr(0, 4)},
                     {"class", format_class(culprit.pci->class_code)}};
    else if (culprit.usb)
      item["ids"] = {{"bus", "usb"},
                     {"vendor", format_id(culprit.usb->vendor, 0).substr(0, 4)},
                     {"product", format_id(culprit.usb->product, 0).substr(0, 4)}};
    item["profiles"] = json::array();
    for (const ProfileCoverage& coverage : report_item.coverage)
      item["profiles"].push_back({{"id", utf8(coverage.id)},
                                  {"origin", utf8(coverage.origin)},
                                  {"acts", coverage.acts},
                                  {"why_not", nullable(coverage.why)}});
    item["fix"] = {{"profile", nullable(report_item.draft)},
                   {"id", nullable(report_item.draft_id)},
                   {"none_because", nullable(report_item.no_draft)},
                   {"path", nullable(report_item.install_path)},
                   {"written", report_item.written},
                   {"existed", report_item.existed}};
    culprits.push_back(item);
  }
  root["culprits"] = culprits;
  write_json(std::move(root), out);
}

}  // namespace suspendfix
