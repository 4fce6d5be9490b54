// SPDX-License-Identifier: GPL-2.0-or-later
// Ready-to-edit profiles for a device of this machine, with its ids, the module behind its
// driver, and the machine's identity, as s2ram once printed a machine's identity for its
// whitelist. Shared by `profile new` and `diagnose`.
#include "profiles/profile_writer.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <iterator>

#include "modules/module_name.hpp"
#include "text_safety.hpp"

namespace suspendfix {
namespace {

std::string slug(const std::string& text) {
  std::string out;
  for (char c : text) {
    const char lower = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (std::isalnum(static_cast<unsigned char>(lower)) && static_cast<unsigned char>(c) < 0x80)
      out += lower;
    else if (!out.empty() && out.back() != '-')
      out += '-';
    if (out.size() >= 24) break;
  }
  while (!out.empty() && out.back() == '-') out.pop_back();
  return out;
}

/// One line of a YAML comment: no newline, no control character, valid UTF-8.
std::string comment(const std::string& text) { return escape_for_terminal(text); }

std::string dmi_value(const ProfileDraft& draft, DmiField field) {
  const auto it = draft.dmi.find(field);
  return it == draft.dmi.end() ? std::string() : it->second;
}

void write_header(const ProfileDraft& draft, std::ostream& out) {
  if (draft.match == ProfileDraft::Match::kPci) {
    const PciDevice& device = draft.pci;
    const std::string name = device.vendor_name + " " + device.device_name;
    out << "# " << comment(name.size() > 1 ? name + ", " : "") << "PCI "
        << format_id(device.vendor, device.device) << " (subsystem "
        << format_id(device.subsystem_vendor, device.subsystem_device) << "), class "
        << format_class(device.class_code) << "\n";
  } else if (draft.match == ProfileDraft::Match::kUsb) {
    const UsbDevice& device = draft.usb;
    const std::string name = device.vendor_name + " " + device.product_name;
    out << "# " << comment(name.size() > 1 ? name + ", " : "") << "USB "
        << format_id(device.vendor, device.product) << " (" << comment(device.name) << ")\n";
  } else {
    out << "# " << comment(draft.device_label) << " on this machine model\n";
  }
  out << "# Seen on: " << comment(dmi_value(draft, DmiField::kSysVendor)) << " "
      << comment(dmi_value(draft, DmiField::kProductName)) << " ("
      << comment(dmi_value(draft, DmiField::kProductVersion)) << "), BIOS "
      << comment(dmi_value(draft, DmiField::kBiosVersion)) << ", kernel "
      << comment(draft.kernel_release) << "\n";
  out << "# Driver: " << (draft.driver.empty() ? "none bound" : comment(draft.driver))
      << (draft.module.empty() ? "" : ", module " + comment(draft.module)) << "\n";
  if (draft.evidence.empty()) {
    out << "# Say what fails (the kernel's \"PM: ... failed to suspend\" line helps) and link the "
           "report.\n";
  } else {
    out << "# What the kernel said (suspendfix diagnose):\n";
    for (const std::string& line : draft.evidence) out << "#   " << comment(line) << "\n";
  }
}

/// What a machine match matches on: the model, as vendors name it.
constexpr DmiField kDraftDmiFields[] = {DmiField::kSysVendor, DmiField::kProductName,
                                        DmiField::kProductVersion};

void write_match(const ProfileDraft& draft, std::ostream& out) {
  out << "match:\n";
  if (draft.match == ProfileDraft::Match::kPci) {
    const PciDevice& device = draft.pci;
    out << "  pci:\n";
    out << "    - vendor: \"" << format_hex4(device.vendor) << "\"\n";
    out << "      device: \"" << format_hex4(device.device) << "\"\n";
    out << "      # Narrow to this card's maker; delete both lines to match every card with this "
           "chip.\n";
    out << "      subsystem_vendor: \"" << format_hex4(device.subsystem_vendor) << "\"\n";
    out << "      subsystem_device: \"" << format_hex4(device.subsystem_device) << "\"\n";
  } else if (draft.match == ProfileDraft::Match::kUsb) {
    out << "  usb:\n";
    out << "    - vendor: \"" << format_hex4(draft.usb.vendor) << "\"\n";
    out << "      product: \"" << format_hex4(draft.usb.product) << "\"\n";
  }
  const bool machine = draft.match == ProfileDraft::Match::kMachine;
  if (machine) {
    out << "  # The device has no PCI or USB ids to match: this machine model is matched.\n";
    out << "  dmi:\n";
  } else {
    out << "  # Only when the fix belongs to this laptop model rather than the chip:\n";
    out << "  # dmi:\n";
  }
  // A field the firmware left empty is left out: a profile may not match on "" (and a
  // machine with none of them gets no machine draft, profile_draft_limit).
  for (DmiField field : kDraftDmiFields)
    if (!dmi_value(draft, field).empty())
      out << (machine ? "    " : "  #   ") << dmi_field_name(field) << ": "
          << yaml_quoted(dmi_value(draft, field)) << "\n";
  out << "  # The first kernel with the fix, when one exists, so that the profile stops "
         "applying:\n";
  out << "  # kernel: {before: \"X.Y\"}\n";
}

void write_actions(const ProfileDraft& draft, std::ostream& out) {
  out << "actions:\n";
  if (draft.match == ProfileDraft::Match::kMachine) {
    out << "  unload_modules: [" << yaml_scalar(draft.module) << "]\n";
    return;
  }
  const bool pci = draft.match == ProfileDraft::Match::kPci;
  if (pci && (draft.module.empty() || draft.module_builtin)) {
    out << "  # "
        << (draft.module.empty() ? "The driver has no module"
                                 : "'" + comment(draft.module) + "' is built in")
        << ": it cannot be unloaded, so the device is unbound instead.\n";
    out << "  device: unbind\n";
    return;
  }
  out << "  # The module bound to the device (" << comment(draft.module)
      << " today); follows renames across kernels.\n";
  out << "  unload_bound_module: true\n";
  if (pci) {
    out << "  # When it cannot go (in use, built in on another kernel):\n";
    out << "  fallback: unbind\n";
  }
}

}  // namespace

std::string profile_draft_id(const ProfileDraft& draft) {
  switch (draft.match) {
    case ProfileDraft::Match::kPci: {
      const PciDevice& device = draft.pci;
      const std::string vendor = slug(
          device.vendor_name.empty() ? "pci-" + format_hex4(device.vendor) : device.vendor_name);
      return vendor + "-" + format_hex4(device.vendor) + "-" + format_hex4(device.device);
    }
    case ProfileDraft::Match::kUsb:
      return "usb-" + format_hex4(draft.usb.vendor) + "-" + format_hex4(draft.usb.product);
    case ProfileDraft::Match::kMachine:
      break;
  }
  std::string id = slug(draft.module);
  const std::string model = slug(dmi_value(draft, DmiField::kProductName));
  if (!model.empty()) id += "-" + model;
  return id.empty() ? "local-device" : id;
}

std::string profile_draft_limit(const ProfileDraft& draft) {
  // The module is written into the YAML as it is (a flow list for a machine match): only a
  // name the kernel could have given it may get there.
  if (!draft.module.empty() && !is_valid_module_name(draft.module))
    return "'" + draft.module + "' is not a kernel module name";
  if (draft.match == ProfileDraft::Match::kPci) return {};
  if (draft.module.empty())
    return "its driver '" + draft.driver + "' is built into the kernel and the device is not " +
           "on PCI: a profile can neither unload nor detach it";
  if (draft.module_builtin)
    return "'" + draft.module + "' is built into the kernel and the device is not on PCI: a " +
           "profile can neither unload nor detach it";
  if (draft.match == ProfileDraft::Match::kMachine &&
      std::all_of(std::begin(kDraftDmiFields), std::end(kDraftDmiFields),
                  [&](DmiField field) { return dmi_value(draft, field).empty(); }))
    return "the device has no PCI or USB ids and this machine no DMI identity (vendor, model): "
           "a profile has nothing to match it by";
  return {};
}

void write_profile_draft(const ProfileDraft& draft, std::ostream& out) {
  write_header(draft, out);
  out << "id: " << profile_draft_id(draft) << "\n";
  out << "description: "
      << yaml_quoted(draft.description.empty()
                         ? "TODO: what goes wrong across suspend with this device"
                         : draft.description)
      << "\n";
  out << "sources:\n";
  if (draft.sources.empty())
    out << "  - " << yaml_quoted("TODO: link to the bug report or mailing-list thread") << "\n";
  for (const std::string& source : draft.sources) out << "  - " << yaml_quoted(source) << "\n";
  write_match(draft, out);
  write_actions(draft, out);
}

}  // namespace suspendfix
