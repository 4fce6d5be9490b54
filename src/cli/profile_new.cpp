// SPDX-License-Identifier: GPL-2.0-or-later
// suspendfix profile new: a ready-to-edit profile for a device of this machine, with its ids,
// the module behind its driver, and the machine's identity, as s2ram once printed a machine's
// identity for its whitelist.
#include <iostream>
#include <memory>

#include "cli/commands.hpp"
#include "cli/context.hpp"
#include "profiles/profile_writer.hpp"

namespace suspendfix {
namespace {

struct NewOptions {
  std::string device;  // a PCI slot "0000:0f:00.0" or an id "1033:0194"
  std::string kernel_release;
};

const PciDevice* find_device(const Machine& machine, const std::string& wanted) {
  for (const PciDevice& device : machine.pci)
    if (device.slot == wanted || device.slot == "0000:" + wanted ||
        format_id(device.vendor, device.device) == wanted)
      return &device;
  return nullptr;
}

int run_new(const NewOptions& options) {
  auto devices = make_udev_device_source(DeviceNames::kHwdb);
  Machine machine = devices->scan();
  if (!options.kernel_release.empty()) machine.kernel_release = options.kernel_release;
  const PciDevice* device = find_device(machine, options.device);
  if (!device)
    throw UsageError("no PCI device '" + options.device +
                     "' on this machine: give a slot (0000:0f:00.0) or an id (1033:0194) from "
                     "'suspendfix detect'");
  auto modules = make_kmod_backend();
  ProfileDraft draft;
  draft.pci = *device;
  draft.driver = device->driver;
  draft.module = device->module;
  draft.module_builtin =
      !device->module.empty() && modules->status(device->module).state == ModuleState::kBuiltin;
  draft.dmi = machine.dmi;
  draft.kernel_release = machine.kernel_release;
  write_profile_draft(draft, std::cout);
  return 0;
}

}  // namespace

void setup_profile(CLI::App& command, int* exit_code) {
  command.require_subcommand(1);
  CLI::App* create =
      command.add_subcommand("new", "Print a draft profile for a PCI device of this machine");
  auto options = std::make_shared<NewOptions>();
  create
      ->add_option("device", options->device,
                   "PCI slot (0000:0f:00.0) or vendor:device id (1033:0194)")
      ->required();
  create
      ->add_option("--kernel-release", options->kernel_release,
                   "Write this kernel release into the comment")
      ->type_name("RELEASE");
  create->callback([options, exit_code] { *exit_code = run_new(*options); });
}

}  // namespace suspendfix
