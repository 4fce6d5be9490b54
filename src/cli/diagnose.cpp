// SPDX-License-Identifier: GPL-2.0-or-later
// suspendfix diagnose: from a failed suspend to the device, driver and module to blame, and
// a profile that fixes it.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <iostream>
#include <map>
#include <memory>
#include <sstream>

#include "cli/commands.hpp"
#include "cli/context.hpp"
#include "diagnose/log_reader.hpp"
#include "diagnose/log_sources.hpp"
#include "diagnose/log_stream.hpp"
#include "diagnose/profile_install.hpp"
#include "diagnose/report.hpp"
#include "log.hpp"
#include "profiles/profile_parser.hpp"
#include "profiles/profile_writer.hpp"
#include "sleep/sleep_log.hpp"
#include "sleep/system_probe.hpp"

namespace suspendfix {
namespace {

/// Exit status when failed sleeps were found (0: none, 1: error, 2: usage).
constexpr int kExitFailuresFound = 3;

struct DiagnoseOptions {
  ScanOptions scan;
  std::string log;  // --log FILE, "-" for stdin; empty: this boot's journal or /dev/kmsg
  bool json = false;
  bool write = false;
};

/// Reads --log FILE (or stdin) into the reader. Returns the name to show.
std::string read_log_file(const std::string& path, KernelLogReader& reader,
                          std::vector<std::string>& notes) {
  const bool stdin_log = path == "-";
  const std::string name = stdin_log ? "stdin" : path;
  // O_NONBLOCK: opening a named pipe that nobody writes to would wait for a writer forever.
  // Opened this way, it reads as empty instead (no writer is end of file), and a writer that
  // holds it open is read to its end as usual once the flag is off again.
  const int fd =
      stdin_log ? STDIN_FILENO : open(path.c_str(), O_RDONLY | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) throw Error("could not open the log", path, errno_string(errno));
  struct stat info {};
  const auto refuse = [&](const std::string& why) {
    if (!stdin_log) close(fd);
    throw Error("could not read the log", name, why);
  };
  if (fstat(fd, &info) != 0) refuse(errno_string(errno));
  if (S_ISDIR(info.st_mode)) refuse("a directory, not a file");
  // A device (/dev/kmsg, a terminal) has no end to read to; without --log, diagnose reads
  // /dev/kmsg up to its end itself. Standard input may be anything the caller chose.
  if (!stdin_log && !S_ISREG(info.st_mode) && !S_ISFIFO(info.st_mode))
    refuse("not a regular file or a pipe (for /dev/kmsg, leave out --log)");
  if (!stdin_log && fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) != 0)
    refuse(errno_string(errno));
  StreamSummary summary;
  try {
    summary = read_log_stream(fd, name, KernelLogReader::kMaxLineLength,
                              [&](std::string_view line, bool cut) {
                                reader.feed(line);
                                if (cut) reader.note_cut_line();
                              });
  } catch (...) {
    if (!stdin_log) close(fd);
    throw;
  }
  if (!stdin_log) close(fd);
  if (summary.binary)
    throw Error("could not read the log", name,
                "not text (a NUL byte at offset " + std::to_string(summary.binary_offset) +
                    "); for a journal file: journalctl --file FILE -k | suspendfix diagnose "
                    "--log -");
  if (summary.bytes == 0)
    notes.push_back(!stdin_log && S_ISFIFO(info.st_mode)
                        ? name +
                              " is a pipe that nobody wrote to: start its writer first, or "
                              "pipe the log to --log -"
                        : name + " is empty: there is nothing to read");
  return name;
}

std::string read_this_boot(KernelLogReader& reader) {
  const auto feed = [&](std::string_view message, std::string_view device,
                        std::string_view identifier, std::string_view timestamp) {
    reader.feed(message, device, identifier, timestamp);
  };
  std::string journal_why, kmsg_why;
  if (read_journal(feed, &journal_why)) return "the journal of this boot";
  reader = KernelLogReader();
  if (read_kmsg(feed, &kmsg_why)) return "/dev/kmsg (no journal: " + journal_why + ")";
  throw Error("could not read the kernel log", "",
              journal_why + "; " + kmsg_why + " (run as root, or give --log FILE)");
}

/// Which profiles match the culprit's device and whether they act on it before sleep.
std::vector<ProfileCoverage> coverage_of(const Scan& scan, const Culprit& culprit) {
  std::vector<ProfileCoverage> coverage;
  for (const ProfileMatch& match : scan.matches) {
    bool covers = false;
    for (const MatchedDevice& device : match.devices) {
      if (device.bus == MatchedDevice::Bus::kPci && culprit.pci)
        covers |= scan.machine.pci[device.index].slot == culprit.pci->slot;
      if (device.bus == MatchedDevice::Bus::kUsb && culprit.usb)
        covers |= scan.machine.usb[device.index].name == culprit.usb->name;
    }
    if (!covers) continue;
    ProfileCoverage item;
    item.id = match.profile->id;
    item.origin = match.profile->relative_name;
    const auto asked_by = [&](const std::vector<std::string>& ids) {
      return std::find(ids.begin(), ids.end(), item.id) != ids.end();
    };
    if (!match.applies) {
      item.why = match.why_not;
    } else if (scan.config.disable_profiles.count(item.id)) {
      item.why = "disabled by the configuration (disable_profiles)";
    } else {
      item.why = "it unloads other modules than '" + culprit.module + "'";
      for (const PlannedModule& module : scan.plan.modules) {
        if (module.name != culprit.module || !asked_by(module.profiles)) continue;
        if (module.decision == Decision::kUnload) item.acts = true;
        item.why = module.decision == Decision::kBuiltin     ? "'" + module.name + "' is built in"
                   : module.decision == Decision::kNotLoaded ? "'" + module.name + "' is not loaded"
                                                             : module.note;
      }
      for (const PlannedDevice& device : scan.plan.devices) {
        if (!culprit.pci || device.slot != culprit.pci->slot || !asked_by(device.profiles))
          continue;
        if (device.decision == Decision::kUnload) item.acts = true;
        item.why = device.note;
      }
      if (item.acts) item.why.clear();
    }
    coverage.push_back(std::move(item));
  }
  return coverage;
}

ProfileDraft draft_for(const Scan& scan, const Culprit& culprit, const Failure& failure,
                       const std::string& source) {
  ProfileDraft draft;
  draft.match = culprit.pci   ? ProfileDraft::Match::kPci
                : culprit.usb ? ProfileDraft::Match::kUsb
                              : ProfileDraft::Match::kMachine;
  if (culprit.pci) draft.pci = *culprit.pci;
  if (culprit.usb) draft.usb = *culprit.usb;
  draft.device_label = culprit.subsystem + " " + culprit.sysname;
  draft.driver = culprit.driver;
  draft.module = culprit.module;
  draft.module_builtin = culprit.builtin;
  draft.dmi = scan.machine.dmi;
  draft.kernel_release = scan.machine.kernel_release;
  std::string what = failure.phase.empty() ? "sleep" : failure.phase;
  draft.description = culprit.driver + (culprit.module.empty() ? "" : " (" + culprit.module + ")") +
                      " fails to " + what +
                      (failure.error ? ": error " + std::to_string(*failure.error) : "");
  draft.sources.push_back("suspendfix diagnose, " + source +
                          (failure.message.empty() ? "" : ": " + failure.message.substr(0, 200)));
  if (!failure.message.empty()) draft.evidence.push_back(failure.message.substr(0, 200));
  return draft;
}

void plan_fix(const Scan& scan, const Failure& failure, const std::string& source,
              const std::string& local_directory, CulpritReport& report) {
  const Culprit& culprit = report.culprit;
  for (const ProfileCoverage& coverage : report.coverage)
    if (coverage.acts) {
      report.no_draft = "profile '" + coverage.id + "' already acts on it before sleep: check " +
                        "that the sleep hook runs (suspendfix status, journalctl -t suspendfix)";
      return;
    }
  const ProfileDraft draft = draft_for(scan, culprit, failure, source);
  if (const std::string limit = profile_draft_limit(draft); !limit.empty()) {
    report.no_draft = limit;
    return;
  }
  std::ostringstream text;
  write_profile_draft(draft, text);
  report.draft_id = profile_draft_id(draft);
  report.install_path = local_directory + "/" + report.draft_id + ".yaml";
  std::vector<ProfileError> warnings;
  try {
    parse_profile(text.str(), report.install_path, &warnings);
  } catch (const FileError& error) {
    report.no_draft = std::string("the draft does not validate: ") + error.what();
    return;
  }
  if (!warnings.empty()) {
    report.no_draft = std::string("the draft does not validate: ") + warnings.front().what();
    return;
  }
  report.draft = text.str();
}

/// One window per sleep the hook recorded this boot (its sleep log), else boot to now.
std::vector<CounterWindow> counter_windows(const SuspendStats& now, DiagnoseReport& report) {
  try {
    const SleepLog log = read_sleep_log(state_directory());
    auto windows = windows_from_sleep_log(log.entries, read_boot_id(), now);
    if (!windows.empty()) {
      report.windows_from_hook = true;
      return windows;
    }
  } catch (const Error& error) {
    report.notes.push_back(std::string("the hook's sleep log is not used: ") + error.what());
  }
  return windows_since_boot(now);
}

int run_diagnose(const DiagnoseOptions& options) {
  DiagnoseReport report;
  KernelLogReader reader;
  const bool this_boot = options.log.empty();
  report.source =
      this_boot ? read_this_boot(reader) : read_log_file(options.log, reader, report.notes);
  report.findings = reader.finish();
  if (report.findings.cut_lines > 0)
    report.notes.push_back(std::to_string(report.findings.cut_lines) +
                           " lines longer than 4096 bytes were cut");
  if (report.findings.dropped_sleeps > 0)
    report.notes.push_back(std::to_string(report.findings.dropped_sleeps) +
                           " older failed sleeps are left out");
  if (this_boot) {
    report.counters = read_suspend_stats();
    if (report.counters)
      report.attribution = attribute(report.findings, counter_windows(*report.counters, report));
    if (report.attribution &&
        report.attribution->counted_failures > report.attribution->logged_failed_sleeps)
      report.notes.push_back("the kernel counted " +
                             std::to_string(report.attribution->counted_failures) +
                             " failed sleeps this boot, the log shows " +
                             std::to_string(report.attribution->logged_failed_sleeps));
  }

  auto modules = make_kmod_backend();
  auto resolver = make_udev_culprit_resolver(*modules);
  Scan scan;
  const auto directories = profile_directories(options.scan.profile_dirs);
  const std::string local_directory =
      (directories.empty() ? std::string(".") : directories.back().path.string()) + "/local";
  bool scanned = false;
  std::map<std::string, int> by_name;
  std::vector<const Failure*> first_failure;
  for (const SleepAttempt& attempt : report.findings.failed_sleeps) {
    std::vector<int>& indexes = report.culprit_of.emplace_back();
    for (const Failure& failure : attempt.failures) {
      const std::string& name =
          failure.kind == FailureKind::kWakeup ? failure.wakeup_source : failure.device;
      if (name.empty() || failure.kind == FailureKind::kFreeze) {
        indexes.push_back(-1);
        continue;
      }
      const std::string key = failure.kernel_device.empty() ? name : failure.kernel_device;
      auto known = by_name.find(key);
      if (known == by_name.end()) {
        Culprit culprit = resolver->resolve(name, failure.kernel_device, failure.driver);
        int index = -1;
        for (size_t c = 0; c < report.culprits.size(); ++c)
          if (culprit.found && report.culprits[c].culprit.syspath == culprit.syspath)
            index = static_cast<int>(c);
        if (index < 0) {
          index = static_cast<int>(report.culprits.size());
          CulpritReport item;
          item.culprit = std::move(culprit);
          report.culprits.push_back(std::move(item));
          first_failure.push_back(&failure);
        }
        known = by_name.emplace(key, index).first;
      }
      indexes.push_back(known->second);
    }
  }
  for (size_t c = 0; c < report.culprits.size(); ++c) {
    CulpritReport& culprit = report.culprits[c];
    if (!culprit.culprit.found) continue;
    if (!scanned) {
      try {
        scan.config = load_config(options.scan);
      } catch (const FileError& error) {
        log_warning(std::string(error.what()) + ", ignoring the configuration");
      }
      auto devices = make_udev_device_source(DeviceNames::kProperties);
      scan_machine(options.scan, SleepType::kSuspend, *devices, *modules, scan);
      scanned = true;
    }
    culprit.coverage = coverage_of(scan, culprit.culprit);
    plan_fix(scan, *first_failure[c], report.source, local_directory, culprit);
    if (options.write && !culprit.draft.empty()) {
      const InstallResult installed =
          install_profile(local_directory, culprit.draft_id + ".yaml", culprit.draft);
      culprit.written = !installed.existed;
      culprit.existed = installed.existed;
      if (installed.existed) log_warning("not writing '" + installed.path + "': it exists already");
    }
  }
  if (options.json)
    write_diagnose_json(report, std::cout);
  else
    write_diagnose_text(report, std::cout);
  return report.findings.failed_sleeps.empty() ? 0 : kExitFailuresFound;
}

}  // namespace

void setup_diagnose(CLI::App& command, int* exit_code) {
  auto options = std::make_shared<DiagnoseOptions>();
  command
      .add_option("--log", options->log,
                  "Read this log (dmesg, journalctl -k, kern.log; - for stdin) instead of this "
                  "boot's journal or /dev/kmsg")
      ->type_name("FILE");
  command.add_flag("--json", options->json, "Print JSON (schema 1) instead of text");
  command.add_flag("--write", options->write,
                   "Install each proposed profile under the local profile directory (never "
                   "replacing a file)");
  add_scan_options(command, options->scan);
  command
      .add_option("--kernel-release", options->scan.kernel_release,
                  "Match profiles as if running this kernel release")
      ->type_name("RELEASE");
  command.callback([options, exit_code] { *exit_code = run_diagnose(*options); });
}

}  // namespace suspendfix
