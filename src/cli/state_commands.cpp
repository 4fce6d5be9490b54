// SPDX-License-Identifier: GPL-2.0-or-later
// suspendfix status and suspendfix restore: what the hook left recorded, and bringing it back.
#include <ctime>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "cli/context.hpp"
#include "executor.hpp"
#include "log.hpp"

namespace suspendfix {
namespace {

std::string format_time(int64_t seconds) {
  const std::time_t time = static_cast<std::time_t>(seconds);
  std::tm parts{};
  gmtime_r(&time, &parts);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%d %H:%M:%S UTC", &parts);
  return buffer;
}

int run_status(bool json) {
  StateStore store(state_directory());
  const std::vector<StateRecord> records =
      store.open_for_reading() ? store.read() : std::vector<StateRecord>{};
  if (json) {
    nlohmann::ordered_json out;
    out["schema"] = 1;
    out["state_file"] = store.path();
    out["pending"] = nlohmann::ordered_json::array();
    for (const StateRecord& record : records)
      out["pending"].push_back({{"kind", state_kind_name(record.kind)},
                                {"object", record.object},
                                {"sleep", sleep_type_name(record.sleep)},
                                {"since", record.time},
                                {"profiles", record.profiles}});
    std::cout << out.dump(2) << "\n";
    return 0;
  }
  if (records.empty()) {
    std::cout << "Nothing pending: every module suspendfix unloaded has been loaded back.\n";
    return 0;
  }
  std::cout << "Pending in " << store.path() << " (run 'suspendfix restore' to bring them back):\n";
  for (const StateRecord& record : records)
    std::cout << "  " << state_kind_name(record.kind) << " " << record.object
              << "  unloaded before " << sleep_type_name(record.sleep) << " at "
              << format_time(record.time)
              << (record.profiles.empty() ? "" : "  [" + record.profiles + "]") << "\n";
  return 0;
}

int run_restore(const ScanOptions& scan, bool dry_run) {
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

}  // namespace

void setup_status(CLI::App& command, int* exit_code) {
  auto json = std::make_shared<bool>(false);
  command.add_flag("--json", *json, "Print JSON (schema 1)");
  command.callback([json, exit_code] { *exit_code = run_status(*json); });
}

void setup_restore(CLI::App& command, int* exit_code) {
  auto scan = std::make_shared<ScanOptions>();
  auto dry_run = std::make_shared<bool>(false);
  command.add_option("--config", scan->config_path, "Read the configuration from FILE")
      ->type_name("FILE");
  command.add_flag("--dry-run", *dry_run, "Print what would be loaded and change nothing");
  command.callback([scan, dry_run, exit_code] { *exit_code = run_restore(*scan, *dry_run); });
}

}  // namespace suspendfix
