// SPDX-License-Identifier: GPL-2.0-or-later
#include "output/detect_report.hpp"

#include <cstdio>
#include <nlohmann/json.hpp>

#include "config.hpp"
#include "json_output.hpp"
#include "output/state_json.hpp"
#include "text_safety.hpp"

namespace suspendfix {
namespace {

std::string pci_entry_text(const PciMatch& match) {
  std::string out = "vendor " + format_hex4(match.vendor);
  if (match.device) out += ", device " + format_hex4(*match.device);
  if (match.subsystem_vendor) out += ", subsystem vendor " + format_hex4(*match.subsystem_vendor);
  if (match.subsystem_device) out += ", subsystem device " + format_hex4(*match.subsystem_device);
  if (match.class_prefix) {
    const std::string full = format_class(match.class_prefix->first);
    out += ", class " + full.substr(full.size() - 2 * match.class_prefix->second);
  }
  return out;
}

/// ", built in" / ", not loaded" / "" for a device's module.
std::string module_suffix(const std::string& module,
                          const std::map<std::string, ModuleStatus>& states) {
  const auto it = states.find(module);
  if (it == states.end()) return "";
  if (it->second.state == ModuleState::kBuiltin) return ", built in";
  if (it->second.state == ModuleState::kNotLoaded) return ", not loaded";
  return "";
}

/// ": why [profile, ...]; note" and the end of a plan line.
void write_reasons(std::ostream& out, const std::string& why,
                   const std::vector<std::string>& profiles, const std::string& note) {
  out << ": " << escape_for_terminal(why);
  if (!profiles.empty()) {
    out << " [";
    for (size_t i = 0; i < profiles.size(); ++i)
      out << (i ? ", " : "") << escape_for_terminal(profiles[i]);
    out << "]";
  }
  if (!note.empty()) out << "; " << escape_for_terminal(note);
  out << "\n";
}

std::string dmi_text(const DmiIdentity& dmi, DmiField field) {
  const auto it = dmi.find(field);
  return it == dmi.end() ? "-" : escape_for_terminal(it->second);
}

}  // namespace

std::string describe_match(const Machine& machine, const Profile& profile,
                           const MatchedDevice& device) {
  if (device.bus == MatchedDevice::Bus::kPci) {
    const PciDevice& pci = machine.pci[device.index];
    return "pci " + pci.slot + " [" + format_id(pci.vendor, pci.device) + "] by " +
           pci_entry_text(profile.pci[device.entry]);
  }
  const UsbDevice& usb = machine.usb[device.index];
  const UsbMatch& match = profile.usb[device.entry];
  std::string by = "vendor " + format_hex4(match.vendor);
  if (match.product) by += ", product " + format_hex4(*match.product);
  return "usb " + usb.name + " [" + format_id(usb.vendor, usb.product) + "] by " + by;
}

void write_detect_text(const DetectReport& report, std::ostream& out) {
  const Machine& machine = report.machine;
  out << "Machine\n";
  out << "  vendor:   " << dmi_text(machine.dmi, DmiField::kSysVendor) << "\n";
  out << "  product:  " << dmi_text(machine.dmi, DmiField::kProductName);
  if (machine.dmi.count(DmiField::kProductVersion))
    out << " (version " << dmi_text(machine.dmi, DmiField::kProductVersion) << ")";
  out << "\n";
  out << "  family:   " << dmi_text(machine.dmi, DmiField::kProductFamily) << "\n";
  out << "  board:    " << dmi_text(machine.dmi, DmiField::kBoardVendor) << " "
      << dmi_text(machine.dmi, DmiField::kBoardName) << "\n";
  out << "  bios:     " << dmi_text(machine.dmi, DmiField::kBiosVersion) << "\n";
  out << "  kernel:   "
      << (machine.kernel_release.empty() ? "-" : escape_for_terminal(machine.kernel_release))
      << "\n";

  std::vector<bool> pci_matched(machine.pci.size()), usb_matched(machine.usb.size());
  for (const ProfileMatch& match : report.matches)
    for (const MatchedDevice& device : match.devices)
      (device.bus == MatchedDevice::Bus::kPci ? pci_matched : usb_matched)[device.index] = true;

  out << "\nPCI devices (" << machine.pci.size() << ")\n";
  for (size_t i = 0; i < machine.pci.size(); ++i) {
    const PciDevice& pci = machine.pci[i];
    out << (pci_matched[i] ? "* " : "  ") << escape_for_terminal(pci.slot) << "  "
        << format_id(pci.vendor, pci.device) << "  "
        << format_id(pci.subsystem_vendor, pci.subsystem_device) << "  "
        << format_class(pci.class_code);
    if (pci.driver.empty()) {
      out << "  no driver";
    } else {
      out << "  " << escape_for_terminal(pci.driver);
      const std::string suffix = module_suffix(pci.module, report.device_modules);
      if (!pci.module.empty() && (pci.module != pci.driver || !suffix.empty()))
        out << " (module " << escape_for_terminal(pci.module) << suffix << ")";
    }
    if (!pci.vendor_name.empty() || !pci.device_name.empty())
      out << "  " << escape_for_terminal(pci.vendor_name)
          << (pci.device_name.empty() ? "" : " " + escape_for_terminal(pci.device_name));
    out << "\n";
  }
  out << "\nUSB devices (" << machine.usb.size() << ")\n";
  for (size_t i = 0; i < machine.usb.size(); ++i) {
    const UsbDevice& usb = machine.usb[i];
    out << (usb_matched[i] ? "* " : "  ") << escape_for_terminal(usb.name) << "  "
        << format_id(usb.vendor, usb.product) << "  "
        << (usb.driver.empty() ? "no driver" : escape_for_terminal(usb.driver));
    if (!usb.product_name.empty())
      out << "  " << escape_for_terminal(usb.vendor_name) << " "
          << escape_for_terminal(usb.product_name);
    out << "\n";
  }

  const ProfileDatabase& database = *report.database;
  out << "\nProfiles: " << database.profiles.size() << " loaded from";
  for (const std::string& directory : report.profile_directories)
    out << " " << escape_for_terminal(directory);
  out << "\n";
  for (const FileError& error : database.errors)
    out << "  error: " << escape_for_terminal(error.what()) << " (skipped)\n";
  for (const FileError& warning : database.warnings)
    out << "  warning: " << escape_for_terminal(warning.what()) << "\n";

  out << "\nMatches\n";
  if (report.matches.empty()) out << "  No profile matches this machine.\n";
  for (const ProfileMatch& match : report.matches) {
    const Profile& profile = *match.profile;
    out << "  " << escape_for_terminal(profile.id) << " ("
        << escape_for_terminal(profile.relative_name) << ")"
        << (match.applies ? "" : " — does not apply") << "\n";
    out << "    " << escape_for_terminal(profile.description) << "\n";
    for (const MatchedDevice& device : match.devices)
      out << "    matched " << escape_for_terminal(describe_match(machine, profile, device))
          << "\n";
    if (!profile.dmi.empty() && match.applies) out << "    matched this machine's DMI identity\n";
    if (!profile.kernel.empty() && match.applies)
      out << "    kernel " << escape_for_terminal(machine.kernel_release) << " is within "
          << profile.kernel.describe() << "\n";
    if (!match.applies) out << "    not applied: " << escape_for_terminal(match.why_not) << "\n";
    for (const std::string& source : profile.sources)
      out << "    source: " << escape_for_terminal(source) << "\n";
  }

  if (!report.pending.empty()) {
    out << "\nPending from an earlier sleep (run 'suspendfix restore'):\n";
    for (const StateRecord& record : report.pending)
      out << "  " << state_kind_name(record.kind) << " " << escape_for_terminal(record.object)
          << " (before " << sleep_type_name(record.sleep) << ")\n";
  }

  const Plan& plan = report.plan;
  out << "\nPlan for " << sleep_type_name(plan.sleep) << "\n";
  if (plan.empty()) {
    out << "  Nothing to do: the hook will leave every module loaded and every device bound.\n";
    return;
  }
  out << "  Before sleep, in this order (after wake all of it is undone, in reverse):\n";
  int step = 0;
  for (const PlannedDevice& device : plan.devices) {
    if (device.decision == Decision::kUnload)
      out << "  " << ++step << ". " << device_action_verb(device.action) << " "
          << escape_for_terminal(device.slot);
    else
      out << "  -  skip   " << device_action_verb(device.action) << " "
          << escape_for_terminal(device.slot);
    out << " (driver " << (device.driver.empty() ? "none" : escape_for_terminal(device.driver))
        << ")";
    write_reasons(out, device.why, device.profiles, device.note);
    if (device.decision == Decision::kUnload)
      out << "       after wake: "
          << (device.action == DeviceAction::kUnbind
                  ? "bound again to " + escape_for_terminal(device.driver)
                  : std::string("PCI bus rescanned"))
          << "\n";
  }
  for (const PlannedModule& module : plan.modules) {
    if (module.decision == Decision::kUnload)
      out << "  " << ++step << ". unload " << escape_for_terminal(module.name);
    else
      out << "  -  skip   " << escape_for_terminal(module.name);
    write_reasons(out, module.why, module.profiles, module.note);
    if (module.decision == Decision::kUnload && module.devices.size() > 1) {
      out << "       unbinds every device it drives:";
      for (const std::string& device : module.devices) out << " " << escape_for_terminal(device);
      out << "\n";
    }
  }
  if (step == 0)
    out << "  Nothing will be unloaded.\n";
  else if (!report.after_wake.empty())
    out << "  " << report.after_wake << "\n";
}

void write_detect_json(const DetectReport& report, std::ostream& out) {
  using nlohmann::ordered_json;
  const Machine& machine = report.machine;
  ordered_json root;
  root["schema"] = 1;
  root["version"] = kVersion;
  ordered_json dmi = ordered_json::object();
  for (DmiField field : kAllDmiFields)
    if (machine.dmi.count(field)) dmi[dmi_field_name(field)] = machine.dmi.at(field);
  root["machine"] = {{"dmi", dmi}, {"kernel_release", machine.kernel_release}};
  auto module_state = [&](const std::string& module) -> ordered_json {
    const auto it = report.device_modules.find(module);
    if (module.empty() || it == report.device_modules.end()) return nullptr;
    return module_state_name(it->second.state);
  };
  ordered_json pci = ordered_json::array();
  for (const PciDevice& device : machine.pci)
    pci.push_back(
        {{"slot", device.slot},
         {"vendor", format_hex4(device.vendor)},
         {"device", format_hex4(device.device)},
         {"subsystem_vendor", format_hex4(device.subsystem_vendor)},
         {"subsystem_device", format_hex4(device.subsystem_device)},
         {"class", format_class(device.class_code)},
         {"revision", device.revision},
         {"driver", device.driver.empty() ? ordered_json(nullptr) : ordered_json(device.driver)},
         {"module", device.module.empty() ? ordered_json(nullptr) : ordered_json(device.module)},
         {"module_state", module_state(device.module)},
         {"vendor_name", device.vendor_name},
         {"device_name", device.device_name}});
  root["pci_devices"] = pci;
  ordered_json usb = ordered_json::array();
  for (const UsbDevice& device : machine.usb)
    usb.push_back(
        {{"name", device.name},
         {"vendor", format_hex4(device.vendor)},
         {"product", format_hex4(device.product)},
         {"driver", device.driver.empty() ? ordered_json(nullptr) : ordered_json(device.driver)},
         {"module", device.module.empty() ? ordered_json(nullptr) : ordered_json(device.module)},
         {"pci_slot", device.parent_pci_slot.empty() ? ordered_json(nullptr)
                                                     : ordered_json(device.parent_pci_slot)},
         {"vendor_name", device.vendor_name},
         {"product_name", device.product_name}});
  root["usb_devices"] = usb;
  const ProfileDatabase& database = *report.database;
  ordered_json errors = ordered_json::array(), warnings = ordered_json::array();
  for (const FileError& error : database.errors) errors.push_back(error.what());
  for (const FileError& warning : database.warnings) warnings.push_back(warning.what());
  root["profiles"] = {{"directories", report.profile_directories},
                      {"loaded", database.profiles.size()},
                      {"errors", errors},
                      {"warnings", warnings}};
  ordered_json matches = ordered_json::array();
  for (const ProfileMatch& match : report.matches) {
    const Profile& profile = *match.profile;
    ordered_json devices = ordered_json::array();
    for (const MatchedDevice& device : match.devices)
      devices.push_back(
          {{"bus", device.bus == MatchedDevice::Bus::kPci ? "pci" : "usb"},
           {"device", device.bus == MatchedDevice::Bus::kPci ? machine.pci[device.index].slot
                                                             : machine.usb[device.index].name},
           {"why", describe_match(machine, profile, device)}});
    matches.push_back(
        {{"id", profile.id},
         {"file", profile.relative_name},
         {"description", profile.description},
         {"applies", match.applies},
         {"why_not", match.applies ? ordered_json(nullptr) : ordered_json(match.why_not)},
         {"devices", devices},
         {"kernel_range", profile.kernel.describe()},
         {"sources", profile.sources}});
  }
  root["matches"] = matches;
  ordered_json modules = ordered_json::array();
  for (const PlannedModule& module : report.plan.modules)
    modules.push_back(
        {{"name", module.name},
         {"decision", decision_name(module.decision)},
         {"why", module.why},
         {"note", module.note.empty() ? ordered_json(nullptr) : ordered_json(module.note)},
         {"profiles", module.profiles},
         {"devices", module.devices}});
  ordered_json devices = ordered_json::array();
  for (const PlannedDevice& device : report.plan.devices)
    devices.push_back(
        {{"slot", device.slot},
         {"action", device_action_name(device.action)},
         {"driver", device.driver.empty() ? ordered_json(nullptr) : ordered_json(device.driver)},
         {"decision", decision_name(device.decision)},
         {"why", device.why},
         {"note", device.note.empty() ? ordered_json(nullptr) : ordered_json(device.note)},
         {"profiles", device.profiles}});
  root["plan"] = {
      {"sleep", sleep_type_name(report.plan.sleep)}, {"devices", devices}, {"modules", modules}};
  ordered_json pending = ordered_json::array();
  for (const StateRecord& record : report.pending)
    pending.push_back(pending_record_json(record, report.boot_id));
  root["pending"] = pending;
  write_json(std::move(root), out);
}

}  // namespace suspendfix
