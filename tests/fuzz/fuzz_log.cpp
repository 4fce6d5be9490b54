// SPDX-License-Identifier: GPL-2.0-or-later
// `suspendfix diagnose --log FILE` on any bytes: a log pasted from a bug report is outside
// input, and root may run diagnose on it (with --write, installing what it proposes).
//
// The input is a log, optionally followed by "\n#stats\n" and the text of the debugfs
// suspend_stats file. It goes through what diagnose does with it: the line splitter, the
// kernel-log reader, the counters and their attribution, both outputs, and a profile drafted
// from each failure. Checked besides "no crash, no UB, no leak":
// - the reader keeps its bounds, whatever the log (memory does not grow with it);
// - the text output is valid UTF-8 with no control character but newlines;
// - the JSON output parses back;
// - a draft made from what the log says either is refused with a reason or parses as a
//   profile that unloads exactly the module it names: log text never adds an action.
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <string_view>

#include "diagnose/attribution.hpp"
#include "diagnose/log_reader.hpp"
#include "diagnose/log_stream.hpp"
#include "diagnose/report.hpp"
#include "exercise.hpp"
#include "modules/module_name.hpp"
#include "profiles/profile_parser.hpp"
#include "profiles/profile_writer.hpp"
#include "sleep/suspend_stats.hpp"
#include "text_safety.hpp"

using namespace suspendfix;

namespace {

constexpr std::string_view kStatsMark = "\n#stats\n";

void check_bounds(const LogFindings& findings, uint64_t lines) {
  fuzz::require(findings.lines == lines);
  fuzz::require(findings.failed_sleeps.size() <= KernelLogReader::kMaxFailedSleeps);
  uint64_t previous = UINT64_MAX;
  for (const SleepAttempt& sleep : findings.failed_sleeps) {
    fuzz::require(sleep.index < previous);  // newest first
    previous = sleep.index;
    fuzz::require(sleep.failures.size() <= KernelLogReader::kMaxFailures);
    for (const Failure& failure : sleep.failures) {
      fuzz::require(failure.tasks.size() <= KernelLogReader::kMaxTasks);
      fuzz::require(failure.line <= lines);
      fuzz::require(failure.message.size() <= KernelLogReader::kMaxLineLength);
    }
  }
}

void check_text(const std::string& text) {
  fuzz::require(invalid_utf8_offset(text) == std::string::npos);
  for (const char c : text)
    fuzz::require(c == '\n' || static_cast<unsigned char>(c) >= 0x20 || c == '\t');
  fuzz::require(text.find('\x7f') == std::string::npos);
}

/// What diagnose proposes for a failure, with every field the log could reach taken from the
/// log (in diagnose the driver and the module come from sysfs; here they are hostile too).
void check_draft(const Failure& failure, ProfileDraft::Match match) {
  ProfileDraft draft;
  draft.match = match;
  draft.pci.vendor = 0x1033;
  draft.pci.device = 0x0194;
  draft.usb.vendor = 0x0bda;
  draft.usb.product = 0x8153;
  draft.device_label = failure.device;
  draft.driver = failure.driver;
  draft.module = failure.module;
  draft.dmi = {{DmiField::kSysVendor, failure.device}, {DmiField::kProductName, failure.phase}};
  draft.kernel_release = failure.timestamp;
  draft.description = failure.driver + " fails to " + failure.phase;
  draft.sources.push_back("suspendfix diagnose, fuzz: " + failure.message.substr(0, 200));
  draft.evidence.push_back(failure.message.substr(0, 200));
  if (!profile_draft_limit(draft).empty()) return;
  std::ostringstream text;
  write_profile_draft(draft, text);
  const std::string id = profile_draft_id(draft);
  Profile profile;
  std::vector<ProfileError> warnings;
  try {
    profile = parse_profile(text.str(), id + ".yaml", &warnings);
  } catch (const ProfileError& error) {
    fuzz::exercise(error);
    // Refused by the parser (diagnose then says "the draft does not validate"): allowed
    // only for text that no sysfs name can be, never for a module name that is valid.
    fuzz::require(!is_valid_module_name(draft.module) || match != ProfileDraft::Match::kMachine);
    return;
  }
  fuzz::require(profile.id == id);
  const auto& actions = profile.actions;
  if (match == ProfileDraft::Match::kMachine) {
    fuzz::require(actions.unload_modules.size() == 1);
    fuzz::require(actions.unload_modules[0].name == normalize_module_name(draft.module));
    fuzz::require(!actions.unload_bound_module);
  } else {
    fuzz::require(actions.unload_modules.empty());
  }
  fuzz::exercise(profile, true);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  std::string_view stats_text;
  if (const size_t mark = input.find(kStatsMark); mark != std::string_view::npos) {
    stats_text = input.substr(mark + kStatsMark.size());
    input = input.substr(0, mark);
  }

  KernelLogReader reader;
  uint64_t lines = 0;
  LineSplitter splitter(KernelLogReader::kMaxLineLength, [&](std::string_view line, bool cut) {
    ++lines;
    reader.feed(line);
    if (cut) reader.note_cut_line();
  });
  // In two pieces, as blocks of a stream arrive: a line may span them.
  splitter.push(input.substr(0, input.size() / 2));
  splitter.push(input.substr(input.size() / 2));
  splitter.finish();

  DiagnoseReport report;
  report.source = "fuzz.log";
  report.findings = reader.finish();
  check_bounds(report.findings, lines);

  if (!stats_text.empty()) {
    const SuspendStats now = parse_debugfs_suspend_stats(stats_text);
    report.counters = now;
    report.attribution = attribute(report.findings, windows_since_boot(now));
  }

  std::ostringstream text;
  write_diagnose_text(report, text);
  check_text(text.str());
  std::ostringstream json;
  write_diagnose_json(report, json);
  try {
    (void)nlohmann::json::parse(json.str());
  } catch (const nlohmann::json::exception&) {
    fuzz::require(false);
  }

  for (const SleepAttempt& sleep : report.findings.failed_sleeps)
    for (const Failure& failure : sleep.failures)
      for (const auto match : {ProfileDraft::Match::kPci, ProfileDraft::Match::kMachine})
        check_draft(failure, match);
  return 0;
}
