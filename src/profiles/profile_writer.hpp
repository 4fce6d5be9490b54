// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "hardware/device.hpp"

namespace suspendfix {

/// What a new profile is written from: the device, the module behind its driver, the
/// machine's identity, and, when diagnose writes it, what went wrong. `profile new` and
/// `diagnose` both write profiles through write_profile_draft().
struct ProfileDraft {
  enum class Match {
    kPci,      // match.pci: vendor, device, subsystem
    kUsb,      // match.usb: vendor, product
    kMachine,  // match.dmi: this machine's model (a device with no PCI or USB ids)
  };
  Match match = Match::kPci;
  PciDevice pci;             // for kPci
  UsbDevice usb;             // for kUsb
  std::string device_label;  // for kMachine: "i2c 6-002c", what the comment names
  std::string driver;
  std::string module;
  bool module_builtin = false;  // no module, or built into the kernel: use the device fallback
  DmiIdentity dmi;
  std::string kernel_release;

  /// Empty: the TODO placeholders a person fills in (profile new).
  std::string description;
  std::vector<std::string> sources;
  std::vector<std::string> evidence;  // the log lines, quoted in the opening comment
};

/// The id the draft gets: "<vendor>-<vvvv>-<dddd>" for PCI, "usb-<vvvv>-<pppp>", or
/// "<module>-<product>" for a machine match. Valid as a profile id and as a file name.
std::string profile_draft_id(const ProfileDraft& draft);

/// Writes the draft as YAML that `suspendfix validate` accepts. Text from the machine and
/// the log is escaped (comments cannot hold a newline, scalars are quoted).
void write_profile_draft(const ProfileDraft& draft, std::ostream& out);

/// Whether a profile can act at all: a built-in driver of a device that is not PCI can be
/// neither unloaded nor detached. "" when it can, else why not.
std::string profile_draft_limit(const ProfileDraft& draft);

}  // namespace suspendfix
