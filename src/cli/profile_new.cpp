// SPDX-License-Identifier: GPL-2.0-or-later
// suspendfix profile new: a ready-to-edit profile for a device of this machine, with its ids,
// the module behind its driver, and the machine's identity, as s2ram once printed a machine's
// identity for its whitelist.
#include <cstdio>
#include <iostream>
#include <memory>

#include "cli/commands.hpp"
#include "cli/context.hpp"
#include "safe_text.hpp"

namespace suspendfix {
namespace {

struct NewOptions {
  std::string device;  // a PCI slot "0000:0f:00.0" or an id "1033:0194"
  std::string kernel_release;
};

std::string hex4(uint16_t value) {
  char buffer[8];
  std::snprintf(buffer, sizeof buffer, "%04x", value);
  return buffer;
}

std::string slug(const std::string& text) {
  std::string out;
  for (char c : text) {
    const char lower = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (std::isalnum(static_cast<unsigned char>(lower)))
      out += lower;
    else if (!out.empty() && out.back() != '-')
      out += '-';
    if (out.size() >= 24) break;
  }
  while (!out.empty() && out.back() == '-') out.pop_back();
  return out;
}

std::string quoted(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

const PciDevice* find_device(const Machine& machine, const std::string& wanted) {
  for (const PciDevice& device : machine.pci)
    if (device.slot == wanted || device.slot == "0000:" + wanted ||
        format_id(device.vendor, device.device) == wanted)
      return &device;
  return nullptr;
}

void write_draft(const Machine& machine, const PciDevice& device, const ModuleStatus& module,
                 std::ostream& out) {
  // Firmware and hwdb strings land in comments and quoted values: escaped, so that the draft
  // stays one line per field, valid UTF-8, and harmless on a terminal.
  auto dmi = [&](DmiField field) {
    const auto it = machine.dmi.find(field);
    return it == machine.dmi.end() ? std::string() : printable(it->second);
  };
  const std::string name = printable(device.vendor_name + " " + device.device_name);
  out << "# " << (name.size() > 1 ? name + ", " : "") << "PCI "
      << format_id(device.vendor, device.device) << " (subsystem "
      << format_id(device.subsystem_vendor, device.subsystem_device) << "), class "
      << format_class(device.class_code) << "\n";
  out << "# Seen on: " << dmi(DmiField::kSysVendor) << " " << dmi(DmiField::kProductName) << " ("
      << dmi(DmiField::kProductVersion) << "), BIOS " << dmi(DmiField::kBiosVersion) << ", kernel "
      << printable(machine.kernel_release) << "\n";
  out << "# Driver: " << (device.driver.empty() ? "none bound" : printable(device.driver))
      << (device.module.empty() ? "" : ", module " + printable(device.module)) << "\n";
  out << "# Say what fails (the kernel's \"PM: ... failed to suspend\" line helps) and link the "
         "report.\n";
  const std::string vendor_slug =
      slug(device.vendor_name.empty() ? "pci-" + hex4(device.vendor) : device.vendor_name);
  out << "id: " << vendor_slug << "-" << hex4(device.vendor) << "-" << hex4(device.device) << "\n";
  out << "description: " << quoted("TODO: what goes wrong across suspend with this device") << "\n";
  out << "sources:\n  - " << quoted("TODO: link to the bug report or mailing-list thread") << "\n";
  out << "match:\n  pci:\n";
  out << "    - vendor: \"" << hex4(device.vendor) << "\"\n";
  out << "      device: \"" << hex4(device.device) << "\"\n";
  out << "      # Narrow to this card's maker; delete both lines to match every card with this "
         "chip.\n";
  out << "      subsystem_vendor: \"" << hex4(device.subsystem_vendor) << "\"\n";
  out << "      subsystem_device: \"" << hex4(device.subsystem_device) << "\"\n";
  out << "  # Only when the fix belongs to this laptop model rather than the chip:\n";
  out << "  # dmi:\n";
  for (DmiField field : {DmiField::kSysVendor, DmiField::kProductName, DmiField::kProductVersion})
    out << "  #   " << dmi_field_name(field) << ": " << quoted(dmi(field)) << "\n";
  out << "  # The first kernel with the fix, when one exists, so that the profile stops "
         "applying:\n";
  out << "  # kernel: {before: \"X.Y\"}\n";
  out << "actions:\n";
  if (device.module.empty() || module.state == ModuleState::kBuiltin) {
    out << "  # "
        << (device.module.empty() ? "The driver has no module"
                                  : "'" + printable(device.module) + "' is built in")
        << ": it cannot be unloaded, so the device is unbound instead.\n";
    out << "  device: unbind\n";
  } else {
    out << "  # The module bound to the device (" << printable(device.module)
        << " today); follows renames across kernels.\n";
    out << "  unload_bound_module: true\n";
    out << "  # When it cannot go (in use, built in on another kernel):\n";
    out << "  fallback: unbind\n";
  }
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
  write_draft(machine, *device,
              device->module.empty() ? ModuleStatus{} : modules->status(device->module), std::cout);
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
