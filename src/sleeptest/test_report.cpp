// SPDX-License-Identifier: GPL-2.0-or-later
// The text side of `suspendfix test`: the progress line and the summary.
#include "sleeptest/test_report.hpp"

#include <cstdio>
#include <map>
#include <sstream>

#include "text_safety.hpp"

namespace suspendfix {
namespace {

std::string seconds(int64_t milliseconds) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.2f s", static_cast<double>(milliseconds) / 1000.0);
  return buffer;
}

/// "xhci_pci" for a module, "0000:00:05.0 (unbind)" for a device.
std::string action_name(const SleepLogAction& action) {
  return action.kind == StateRecord::Kind::kModule
             ? action.object
             : action.object + " (" + state_kind_name(action.kind) + ")";
}

std::string hook_cell(const CycleReport& report) {
  if (!report.pre_ran) return "no pre";
  if (!report.post_ran) return "pre, no post";
  if (report.brought_back.empty()) return "nothing to do";
  std::string out;
  for (const SleepLogAction& action : report.brought_back)
    out += (out.empty() ? "" : ", ") + action_name(action) + (action.back ? "" : " NOT BACK");
  return out;
}

class StreamProgress : public TestProgress {
 public:
  StreamProgress(std::ostream& out, bool terminal) : out_(out), terminal_(terminal) {}
  void cycle_started(int number, int total) override {
    prefix_ = "cycle " + std::to_string(number) + "/" + std::to_string(total) + ": ";
    live("starting");
  }
  void cycle_waiting(const std::string& what) override { live(what); }
  void cycle_done(const CycleReport& report, int total) override {
    if (terminal_) out_ << "\r\033[K";
    std::istringstream lines(cycle_line(report, total));
    for (std::string line; std::getline(lines, line);) out_ << escape_for_terminal(line) << "\n";
    out_.flush();
  }

 private:
  void live(const std::string& what) {
    if (!terminal_) return;
    out_ << "\r\033[K" << escape_for_terminal(prefix_ + what) << "..." << std::flush;
  }
  std::ostream& out_;
  bool terminal_;
  std::string prefix_;
};

}  // namespace

int TestRun::succeeded() const {
  int count = 0;
  for (const CycleReport& cycle : result.cycles) count += cycle.ok ? 1 : 0;
  return count;
}

int TestRun::failed() const { return static_cast<int>(result.cycles.size()) - succeeded(); }

bool TestRun::ok() const {
  return failed() == 0 && static_cast<int>(result.cycles.size()) == cycles_requested &&
         left_after.empty();
}

std::string cycle_line(const CycleReport& report, int total) {
  std::string line = "cycle " + std::to_string(report.number) + "/" + std::to_string(total) + ": " +
                     (report.ok ? "ok" : "FAILED");
  if (report.slept) line += ", slept " + seconds(report.asleep_ms);
  if (report.hw_sleep_us)
    line += " (" + seconds(*report.hw_sleep_us / 1000) + " in hardware sleep)";
  if (report.resume_ms)
    line += ", devices bound again " + seconds(*report.resume_ms) + " after the wake";
  if (report.ok && report.pre_ran && report.post_ran)
    line += report.brought_back.empty() ? ", the hook had nothing to do"
                                        : ", the hook brought back " + hook_cell(report);
  for (const std::string& problem : report.problems) line += "\n  " + problem;
  for (const std::string& note : report.notes) line += "\n  note: " + note;
  return line;
}

void write_test_text(const TestRun& run, std::ostream& raw) {
  std::ostringstream out;
  const int run_cycles = static_cast<int>(run.result.cycles.size());
  out << "\nsuspendfix test: " << run_cycles << " of " << run.cycles_requested << " cycles through "
      << sleep_path_description(run.path, run.mode)
      << (run.mode == "mem" && !run.mem_sleep.empty() ? " (mem_sleep " + run.mem_sleep + ")" : "")
      << ", each woken by the RTC alarm after " << run.wake_after_seconds << " s\n";
  out << "cycle  result  asleep    hw sleep  resume    hook\n";
  for (const CycleReport& cycle : run.result.cycles) {
    char row[96];
    std::snprintf(row, sizeof row, "%5d  %-6s  %-8s  %-8s  %-8s  ", cycle.number,
                  cycle.ok ? "ok" : "FAILED", cycle.slept ? seconds(cycle.asleep_ms).c_str() : "-",
                  cycle.hw_sleep_us ? seconds(*cycle.hw_sleep_us / 1000).c_str() : "-",
                  cycle.resume_ms ? seconds(*cycle.resume_ms).c_str() : "-");
    out << row << hook_cell(cycle) << "\n";
  }
  out << "Cycles: " << run_cycles << " run, " << run.succeeded() << " succeeded, " << run.failed()
      << " failed";
  if (run.result.interrupted) out << "; interrupted (the remaining cycles did not run)";
  if (run.result.stopped_at_failure) out << "; stopped at the first failure (--keep-going runs on)";
  out << ".\n";
  const CycleReport* slowest = nullptr;
  for (const CycleReport& cycle : run.result.cycles)
    if (cycle.resume_ms && (!slowest || *cycle.resume_ms > *slowest->resume_ms)) slowest = &cycle;
  if (slowest)
    out << "Slowest resume: cycle " << slowest->number << ", devices bound again "
        << seconds(*slowest->resume_ms) << " after the wake.\n";
  std::map<std::string, std::pair<int, int>> unloaded;  // name -> (times, times back)
  for (const CycleReport& cycle : run.result.cycles)
    for (const SleepLogAction& action : cycle.brought_back) {
      auto& [times, back] = unloaded[action_name(action)];
      ++times;
      back += action.back ? 1 : 0;
    }
  if (unloaded.empty()) {
    out << "The hook unloaded nothing.\n";
  } else {
    out << "The hook unloaded:";
    bool all_back = true;
    for (const auto& [name, count] : unloaded) {
      out << " " << name << " (" << count.first << (count.first == 1 ? " time" : " times") << ")";
      all_back &= count.first == count.second;
    }
    out << (all_back ? "; all came back.\n" : "; NOT all came back.\n");
  }
  if (run.left_after.empty()) {
    out << "Nothing is left unloaded.\n";
  } else {
    out << "Left recorded after the run:";
    for (const StateRecord& record : run.left_after)
      out << " " << state_kind_name(record.kind) << " " << record.object;
    out << (run.restored ? "; 'suspendfix restore' brought it back.\n"
                         : "; run 'suspendfix restore'.\n");
  }
  for (const CycleReport& cycle : run.result.cycles) {
    if (cycle.ok) continue;
    out << "Cycle " << cycle.number << " failed: " << cycle.problems.front() << "\n";
    if (cycle.failure && cycle.failure->kind == FailureKind::kDevice &&
        !cycle.failure->module.empty())
      out << "  'suspendfix diagnose' proposes a profile for " << cycle.failure->device
          << "; with it, run the test again.\n";
    if (!cycle.outcome.output.empty()) {
      out << "  The sleep command said:\n";
      std::istringstream lines(cycle.outcome.output);
      for (std::string line; std::getline(lines, line);) out << "    " << line << "\n";
    }
    break;
  }
  for (const std::string& note : run.notes) out << "Note: " << note << "\n";
  std::istringstream lines(out.str());
  for (std::string line; std::getline(lines, line);) raw << escape_for_terminal(line) << "\n";
}

std::unique_ptr<TestProgress> make_stream_progress(std::ostream& out, bool terminal) {
  return std::make_unique<StreamProgress>(out, terminal);
}

}  // namespace suspendfix
