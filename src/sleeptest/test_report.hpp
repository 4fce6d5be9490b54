// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "sleeptest/preflight.hpp"
#include "sleeptest/runner.hpp"

namespace suspendfix {

/// A whole run, for the summary and the JSON: what was asked, what each cycle did, and what
/// was left recorded at the end.
struct TestRun {
  SleepPath path = SleepPath::kSelf;
  std::string why_path;
  std::string mode = "mem";
  std::string mem_sleep;  // the variant in force for mem ("deep"), "" when not read
  int wake_after_seconds = 5;
  int cycles_requested = 0;
  TestResult result;
  std::vector<StateRecord> left_after;  // recorded after the last cycle
  bool restored = false;                // ... and `restore` brought it all back
  std::vector<std::string> notes;

  int succeeded() const;
  int failed() const;
  /// Every cycle succeeded, all asked for ran, and nothing was left recorded.
  bool ok() const;
};

/// "cycle 2/5: ok, slept 4.1 s, ..." and the problems under it: the line the progress shows.
std::string cycle_line(const CycleReport& report, int total);

/// The summary table and what a person should do next. Text from the kernel and from clients
/// is escaped for the terminal.
void write_test_text(const TestRun& run, std::ostream& out);

/// JSON, schema 1 (suspendfix(8), JSON OUTPUT): one object per cycle and a summary.
void write_test_json(const TestRun& run, std::ostream& out);

/// Progress on a stream: a live line rewritten in place on a terminal, one plain line per
/// cycle otherwise.
std::unique_ptr<TestProgress> make_stream_progress(std::ostream& out, bool terminal);

}  // namespace suspendfix
