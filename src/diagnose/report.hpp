// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "diagnose/attribution.hpp"
#include "diagnose/culprit.hpp"
#include "diagnose/failure.hpp"
#include "sleep/suspend_stats.hpp"

namespace suspendfix {

/// A profile of the database that matches the culprit, and whether it acts.
struct ProfileCoverage {
  std::string id;
  std::string origin;
  bool acts = false;  // it applies and its module or device action is in the plan
  std::string why;    // why it did not act (kernel range, disabled, kept, built in)
};

/// One device to blame, with what a fix looks like.
struct CulpritReport {
  Culprit culprit;
  std::vector<ProfileCoverage> coverage;
  std::string draft;  // a ready profile (YAML), "" when no profile can help
  std::string draft_id;
  std::string no_draft;      // why there is no draft
  std::string install_path;  // where --write puts (or put) it
  bool written = false;
  bool existed = false;  // --write found a file there and left it
};

/// Everything `suspendfix diagnose` found, for the text and the JSON output alike.
struct DiagnoseReport {
  std::string source;  // "journal", "/dev/kmsg", the file name, "stdin"
  LogFindings findings;
  std::optional<SuspendStats> counters;
  std::optional<Attribution> attribution;
  bool windows_from_hook = false;  // attribution's windows are the hook's sleeps (its sleep log)
  std::vector<CulpritReport> culprits;
  /// Parallel to findings.failed_sleeps[i].failures: the index into culprits, or -1.
  std::vector<std::vector<int>> culprit_of;
  std::vector<std::string> notes;  // things the reader should know (a cut log, a lost line)
};

/// Human output: control characters and bad bytes from the log are escaped.
void write_diagnose_text(const DiagnoseReport& report, std::ostream& out);

/// JSON, schema 1 (suspendfix(8)): invalid UTF-8 from the log is replaced, lists keep the
/// report's order (failed sleeps newest first).
void write_diagnose_json(const DiagnoseReport& report, std::ostream& out);

}  // namespace suspendfix
