// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include "hardware/device.hpp"

namespace suspendfix::testing {

/// The seed's laptop: a Lenovo with the NEC uPD720200 on 0000:0f:00.0, kernel 6.1.
inline PciDevice nec_controller() {
  PciDevice nec;
  nec.slot = "0000:0f:00.0";
  nec.vendor = 0x1033;
  nec.device = 0x0194;
  nec.subsystem_vendor = 0x17aa;
  nec.subsystem_device = 0x219c;
  nec.class_code = 0x0c0330;
  nec.revision = 3;
  nec.driver = "xhci_hcd";
  nec.module = "xhci_pci";
  return nec;
}

inline PciDevice intel_ethernet() {
  PciDevice nic;
  nic.slot = "0000:00:19.0";
  nic.vendor = 0x8086;
  nic.device = 0x10ea;
  nic.class_code = 0x020000;
  nic.driver = "e1000e";
  nic.module = "e1000e";
  return nic;
}

inline Machine lenovo_with_nec(const std::string& kernel = "6.1.0-27-amd64") {
  Machine machine;
  machine.dmi[DmiField::kSysVendor] = "LENOVO";
  machine.dmi[DmiField::kProductName] = "2516CTO";
  machine.dmi[DmiField::kProductVersion] = "ThinkPad T510";
  machine.kernel_release = kernel;
  machine.pci = {intel_ethernet(), nec_controller()};
  return machine;
}

}  // namespace suspendfix::testing
