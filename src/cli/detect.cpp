// SPDX-License-Identifier: GPL-2.0-or-later
// suspendfix detect: what the machine has, what matches, and what the hook will do.
#include <iostream>
#include <memory>

#include "cli/commands.hpp"
#include "cli/context.hpp"
#include "log.hpp"
#include "output/detect_report.hpp"
#include "sleep/system_probe.hpp"

namespace suspendfix {
namespace {

struct DetectOptions {
  ScanOptions scan;
  bool json = false;
  std::string sleep = "suspend";
};

int run_detect(const DetectOptions& options) {
  const auto sleep = sleep_type_from_name(options.sleep);  // the command line checked it
  auto devices = make_udev_device_source(options.scan.use_hwdb ? DeviceNames::kHwdb
                                                               : DeviceNames::kProperties);
  auto modules = make_kmod_backend();
  Scan scan;
  scan.config = load_config(options.scan);
  scan_machine(options.scan, *sleep, *devices, *modules, scan);
  if (!scan.config.acts_on(*sleep)) {
    log_notice(std::string("the configuration's sleep_types leaves out ") +
               sleep_type_name(*sleep) + ": the hook will do nothing for it");
    scan.plan.devices.clear();
    scan.plan.modules.clear();
  }

  DetectReport report;
  report.machine = scan.machine;
  report.profile_directories = scan.profile_directories;
  report.database = &scan.database;
  report.matches = scan.matches;
  report.plan = scan.plan;
  report.after_wake = scan.config.describe_after_wake(*sleep);
  for (const PciDevice& device : scan.machine.pci)
    if (!device.module.empty())
      report.device_modules[device.module] = modules->status(device.module);
  for (const UsbDevice& device : scan.machine.usb)
    if (!device.module.empty())
      report.device_modules[device.module] = modules->status(device.module);

  try {
    report.boot_id = read_boot_id();
    StateStore store(state_directory());
    if (store.open_for_reading()) {
      const ParsedState state = store.read_parsed();  // reads only; status explains damage
      if (state.foreign() || !state.errors.empty())
        log_warning(store.path() + " cannot be read whole; see 'suspendfix status'");
      for (const StateRecord& record : state.file.records)
        if (record.kind != StateRecord::Kind::kUnreadable) report.pending.push_back(record);
    }
  } catch (const Error& error) {
    log_warning(std::string(error.what()) + ", ignoring");
  }

  if (options.json)
    write_detect_json(report, std::cout);
  else
    write_detect_text(report, std::cout);
  return 0;
}

}  // namespace

void setup_detect(CLI::App& command, int* exit_code) {
  auto options = std::make_shared<DetectOptions>();
  command.add_flag("--json", options->json, "Print JSON (schema 1) instead of text");
  add_scan_options(command, options->scan);
  command
      .add_option("--sleep", options->sleep,
                  "Plan for this sleep type: suspend, hibernate, hybrid-sleep, "
                  "suspend-then-hibernate")
      ->check(CLI::IsMember(sleep_type_names()))
      ->type_name("TYPE");
  command
      .add_option("--kernel-release", options->scan.kernel_release,
                  "Match as if running this kernel release (to try kernel ranges)")
      ->type_name("RELEASE");
  auto no_hwdb = std::make_shared<bool>(false);
  command.add_flag("--no-hwdb", *no_hwdb,
                   "Do not look up vendor and device names in udev's hardware database");
  command.callback([options, no_hwdb, exit_code] {
    options->scan.use_hwdb = !*no_hwdb;
    *exit_code = run_detect(*options);
  });
}

}  // namespace suspendfix
