// SPDX-License-Identifier: GPL-2.0-or-later
// suspendfix status and suspendfix restore: what the hook left recorded, and bringing it back.
#include "cli/state_commands.hpp"

#include <ctime>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/commands.hpp"
#include "cli/context.hpp"
#include "executor.hpp"
#include "json_output.hpp"
#include "log.hpp"
#include "output/state_json.hpp"
#include "sleep/system_probe.hpp"
#include "text_safety.hpp"

namespace suspendfix {
namespace {

using Json = nlohmann::ordered_json;

std::string format_time(int64_t seconds) {
  const std::time_t time = static_cast<std::time_t>(seconds);
  std::tm parts{};
  gmtime_r(&time, &parts);
  char buffer[40];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%d %H:%M:%S UTC", &parts);
  return buffer;
}

/// What status found: the parsed file sorted into what a person must know.
struct StatusView {
  std::string problem;  // the file or directory refused, or another format: nothing was read
  std::string raw;      // the file as it is, for another format
  ParsedState state;
  std::vector<const StateRecord*> pending, other_boot, damaged;

  bool needs_a_person() const {
    return !problem.empty() || !other_boot.empty() || !damaged.empty();
  }
};

StatusView look(StateStore& store, const std::string& boot_id) {
  StatusView view;
  try {
    if (store.open_for_reading()) view.state = store.read_parsed(&view.raw);
  } catch (const Error& error) {
    view.problem = error.what();
    return view;
  }
  if (view.state.foreign()) {
    view.problem = store.path() + " is state format " + std::to_string(view.state.version) +
                   "; this suspendfix reads format " + std::to_string(kStateVersion) +
                   " and leaves it as it is";
    return view;
  }
  for (const StateRecord& record : view.state.file.records) {
    if (record.damaged())
      view.damaged.push_back(&record);
    else if (record.boot_id != boot_id)
      view.other_boot.push_back(&record);
    else
      view.pending.push_back(&record);
  }
  return view;
}

/// "unloaded before suspend", "unbound from xhci_hcd before hibernate", ...
std::string what_happened(const StateRecord& record) {
  const std::string before = " before " + std::string(sleep_type_name(record.sleep));
  switch (record.kind) {
    case StateRecord::Kind::kModule:
      return "unloaded" + before;
    case StateRecord::Kind::kUnbind:
      return "unbound from " + record.driver + before;
    case StateRecord::Kind::kRemove:
      return "removed from the PCI bus" + before;
    case StateRecord::Kind::kUnreadable:
      break;
  }
  return "?";
}

Json damaged_json(const StateRecord& record) {
  Json understood = nullptr;
  if (record.kind != StateRecord::Kind::kUnreadable)
    understood = {{"kind", state_kind_name(record.kind)},
                  {"object", record.object},
                  {"driver", record.driver.empty() ? Json(nullptr) : Json(record.driver)}};
  return {{"line", record.line},
          {"text", record.verbatim},  // write_json repairs what is not UTF-8
          {"problem", record.problem},
          {"understood", understood}};
}

Json watch_json(const std::optional<WatchHeader>& watch) {
  if (!watch) return nullptr;
  return {{"generation", watch->generation},
          {"sleep", sleep_type_name(watch->sleep)},
          {"caller", watch->caller.kind == SleepCaller::Kind::kNone ? Json(nullptr)
                                                                    : Json(watch->caller.name)},
          {"caller_pid", watch->caller.kind == SleepCaller::Kind::kNone ? Json(nullptr)
                                                                        : Json(watch->caller.pid)},
          {"restore_after_seconds", watch->restore_after_seconds},
          {"reload_at_wake", watch->reload_at_wake}};
}

void print_json(const StatusView& view, const StateStore& store, const std::string& boot_id) {
  Json out;
  out["schema"] = 1;
  out["state_file"] = store.path();
  out["readable"] = view.problem.empty();
  out["problem"] = view.problem.empty() ? Json(nullptr) : Json(view.problem);
  out["pending"] = Json::array();
  for (const StateRecord* record : view.pending)
    out["pending"].push_back(pending_record_json(*record, boot_id));
  for (const StateRecord* record : view.other_boot)
    out["pending"].push_back(pending_record_json(*record, boot_id));
  out["damaged"] = Json::array();
  for (const StateRecord* record : view.damaged) out["damaged"].push_back(damaged_json(*record));
  out["self_heal"] = watch_json(view.state.file.watch);
  write_json(std::move(out), std::cout);
}

void print_text(const StatusView& view, const StateStore& store, std::ostream& out) {
  if (!view.problem.empty()) {
    out << "Cannot read what is pending: " << view.problem << "\n";
    if (view.state.foreign()) {
      out << "Its contents, as they are:\n";
      size_t start = 0;
      while (start < view.raw.size()) {
        const size_t end = std::min(view.raw.find('\n', start), view.raw.size());
        out << "  " << excerpt(view.raw.substr(start, end - start), 200) << "\n";
        start = end + 1;
      }
      out << "Bring back what it names by hand (modprobe MODULE), then remove the file.\n";
    }
    return;
  }
  if (view.pending.empty() && view.other_boot.empty() && view.damaged.empty()) {
    out << "Nothing pending: every module suspendfix unloaded has been loaded back.\n";
    return;
  }
  auto line = [&out](const StateRecord& record) {
    out << "  " << state_kind_name(record.kind) << " " << record.object << "  "
        << what_happened(record) << " at " << format_time(record.time)
        << (record.profiles.empty() ? "" : "  [" + record.profiles + "]") << "\n";
  };
  if (!view.pending.empty()) {
    out << "Pending in " << store.path() << " (run 'suspendfix restore' to bring them back):\n";
    for (const StateRecord* record : view.pending) line(*record);
    if (const auto& watch = view.state.file.watch; watch && watch->reload_at_wake)
      out << "A watcher brings them back as soon as the machine wakes (reload_at_wake).\n";
    else if (watch)
      out << "A watcher brings them back if no post comes within " << watch->restore_after_seconds
          << " s"
          << (watch->caller.kind == SleepCaller::Kind::kNone
                  ? ""
                  : " of " + watch->caller.name + " (pid " + std::to_string(watch->caller.pid) +
                        ") being done")
          << ".\n";
  }
  if (!view.other_boot.empty()) {
    out << "Recorded in another boot (not acted on by post; 'suspendfix restore' brings back "
           "what this boot lacks and forgets the rest):\n";
    for (const StateRecord* record : view.other_boot) line(*record);
  }
  if (!view.damaged.empty()) {
    out << "Damaged lines in " << store.path()
        << " (kept as they are; 'suspendfix restore' brings back what they still name):\n";
    for (const StateRecord* record : view.damaged)
      out << "  line " << record->line << ": '" << excerpt(record->verbatim, 120)
          << "': " << record->problem << "; "
          << (record->kind == StateRecord::Kind::kUnreadable
                  ? std::string("names nothing that can be brought back")
                  : "names " + std::string(state_kind_name(record->kind)) + " " + record->object)
          << "\n";
  }
}

int run_status(bool json) {
  StateStore store(state_directory());
  const std::string boot_id = read_boot_id();
  const StatusView view = look(store, boot_id);
  if (json) {
    print_json(view, store, boot_id);
  } else {
    // Damaged lines and paths are bytes from outside: every line is escaped for the terminal.
    std::ostringstream text;
    print_text(view, store, text);
    std::istringstream lines(text.str());
    for (std::string line; std::getline(lines, line);)
      std::cout << escape_for_terminal(line) << "\n";
  }
  return view.needs_a_person() ? 1 : 0;
}

}  // namespace

int run_restore(const ScanOptions& scan, bool dry_run, bool forget_unreadable) {
  AdminConfig config;
  try {
    config = load_config(scan);
  } catch (const Error& error) {
    log_warning(std::string(error.what()) + "; using the default timeout");
  }
  StateStore store(state_directory());
  ExecutorOptions options;
  options.dry_run = dry_run;
  options.deadline =
      std::chrono::steady_clock::now() + std::chrono::seconds(config.timeout_seconds);
  options.boot_id = read_boot_id();
  options.restore = true;
  options.forget_unreadable = forget_unreadable;
  if (dry_run) {
    if (!store.open_for_reading()) return 0;
  } else {
    store.lock(options.deadline);
  }
  const auto modules = make_kmod_backend();
  const auto devices = make_sysfs_device_backend();
  int status = 0;
  for (const ActionResult& result : run_post("restore", {*modules, *devices}, store, options))
    if (result.outcome != ActionResult::Outcome::kDone && !dry_run) status = 1;
  return status;
}

void setup_status(CLI::App& command, int* exit_code) {
  auto json = std::make_shared<bool>(false);
  command.add_flag("--json", *json, "Print JSON (schema 1)");
  command.callback([json, exit_code] { *exit_code = run_status(*json); });
}

void setup_restore(CLI::App& command, int* exit_code) {
  auto scan = std::make_shared<ScanOptions>();
  auto dry_run = std::make_shared<bool>(false);
  auto forget = std::make_shared<bool>(false);
  add_config_option(command, *scan);
  command.add_flag("--dry-run", *dry_run, "Print what would be loaded and change nothing");
  command.add_flag("--forget-unreadable", *forget,
                   "Also drop state lines of which nothing can be read (logged as they are)");
  command.callback(
      [scan, dry_run, forget, exit_code] { *exit_code = run_restore(*scan, *dry_run, *forget); });
}

}  // namespace suspendfix
