// SPDX-License-Identifier: GPL-2.0-or-later
// The one real source of devices: libudev. Works the same on a live system and inside a
// umockdev testbed, which is how the integration tests run it.
#include <libudev.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>

#include "error.hpp"
#include "hardware/device_source.hpp"
#include "hardware/udev_util.hpp"
#include "timing.hpp"

namespace suspendfix {
namespace {

using namespace udev_util;

class UdevDeviceSource : public DeviceSource {
 public:
  explicit UdevDeviceSource(DeviceNames names) : names_(names) {}

  Machine scan() override {
    UdevPtr context(udev_new());
    if (!context) throw HardwareError("could not read devices", "libudev", errno_string(errno));
    if (names_ == DeviceNames::kHwdb) hwdb_.reset(udev_hwdb_new(context.get()));
    Machine machine;
    PhaseTimer dmi_timer("device scan: dmi");
    machine.dmi = read_dmi(context.get());
    dmi_timer.stop();
    machine.kernel_release = kernel_release();
    PhaseTimer pci_timer("device scan: pci");
    machine.pci = read_pci(context.get());
    pci_timer.stop();
    PhaseTimer usb_timer("device scan: usb");
    machine.usb = read_usb(context.get());
    usb_timer.stop();
    hwdb_.reset();
    return machine;
  }

 private:
  static std::string kernel_release() {
    utsname name{};
    if (uname(&name) != 0) return {};
    return name.release;
  }

  static DmiIdentity read_dmi(udev* context) {
    DmiIdentity identity;
    UdevDevicePtr device(udev_device_new_from_subsystem_sysname(context, "dmi", "id"));
    if (!device) return identity;  // no DMI (ARM boards, VMs without SMBIOS): nothing to match
    for (DmiField field : kAllDmiFields) {
      std::string value = attribute(device.get(), dmi_field_name(field));
      if (!value.empty()) identity[field] = std::move(value);
    }
    return identity;
  }

  /// Names from udev's hardware database: the properties udevd stored, else a hwdb lookup.
  void names(udev_device* device, const std::string& modalias, std::string* vendor,
             std::string* model) {
    if (names_ == DeviceNames::kNone) return;  // each property read parses the udev database
    *vendor = property(device, "ID_VENDOR_FROM_DATABASE");
    *model = property(device, "ID_MODEL_FROM_DATABASE");
    if (!hwdb_ || modalias.empty() || (!vendor->empty() && !model->empty())) return;
    udev_list_entry* entry = nullptr;
    udev_list_entry_foreach(entry,
                            udev_hwdb_get_properties_list_entry(hwdb_.get(), modalias.c_str(), 0)) {
      const std::string key = udev_list_entry_get_name(entry);
      if (key == "ID_VENDOR_FROM_DATABASE" && vendor->empty())
        *vendor = trim(udev_list_entry_get_value(entry));
      if (key == "ID_MODEL_FROM_DATABASE" && model->empty())
        *model = trim(udev_list_entry_get_value(entry));
    }
  }

  template <typename Visit>
  static void enumerate(udev* context, const char* subsystem, Visit visit) {
    UdevEnumeratePtr enumerator(udev_enumerate_new(context));
    if (!enumerator) throw HardwareError("could not enumerate", subsystem, errno_string(errno));
    udev_enumerate_add_match_subsystem(enumerator.get(), subsystem);
    if (udev_enumerate_scan_devices(enumerator.get()) < 0)
      throw HardwareError("could not enumerate", subsystem, errno_string(errno));
    udev_list_entry* entry = nullptr;
    udev_list_entry_foreach(entry, udev_enumerate_get_list_entry(enumerator.get())) {
      UdevDevicePtr device(udev_device_new_from_syspath(context, udev_list_entry_get_name(entry)));
      if (device) visit(device.get());  // a device that vanished meanwhile is simply gone
    }
  }

  std::vector<PciDevice> read_pci(udev* context) {
    std::vector<PciDevice> devices;
    enumerate(context, "pci", [&](udev_device* device) {
      PciDevice pci;
      pci.slot = trim(udev_device_get_sysname(device));
      pci.syspath = trim(udev_device_get_syspath(device));
      pci.vendor = static_cast<uint16_t>(hex_attribute(device, "vendor"));
      pci.device = static_cast<uint16_t>(hex_attribute(device, "device"));
      pci.subsystem_vendor = static_cast<uint16_t>(hex_attribute(device, "subsystem_vendor"));
      pci.subsystem_device = static_cast<uint16_t>(hex_attribute(device, "subsystem_device"));
      pci.class_code = static_cast<uint32_t>(hex_attribute(device, "class")) & 0xffffff;
      pci.revision = static_cast<uint8_t>(hex_attribute(device, "revision"));
      pci.driver = trim(udev_device_get_driver(device));
      if (!pci.driver.empty()) pci.module = driver_module(device);
      if (names_ != DeviceNames::kNone) {
        pci.modalias = property(device, "MODALIAS");
        if (pci.modalias.empty()) pci.modalias = attribute(device, "modalias");
        names(device, pci.modalias, &pci.vendor_name, &pci.device_name);
      }
      devices.push_back(std::move(pci));
    });
    std::sort(devices.begin(), devices.end(),
              [](const PciDevice& a, const PciDevice& b) { return a.slot < b.slot; });
    return devices;
  }

  std::vector<UsbDevice> read_usb(udev* context) {
    std::map<std::string, UsbDevice> by_syspath;
    std::vector<std::pair<std::string, std::pair<std::string, std::string>>> interfaces;
    enumerate(context, "usb", [&](udev_device* device) {
      const std::string devtype = trim(udev_device_get_devtype(device));
      if (devtype == "usb_interface") {
        udev_device* parent = udev_device_get_parent(device);  // owned by device
        const std::string driver = trim(udev_device_get_driver(device));
        if (parent && !driver.empty())
          interfaces.push_back(
              {trim(udev_device_get_syspath(parent)), {driver, driver_module(device)}});
        return;
      }
      if (devtype != "usb_device") return;
      UsbDevice usb;
      usb.name = trim(udev_device_get_sysname(device));
      usb.syspath = trim(udev_device_get_syspath(device));
      usb.vendor = static_cast<uint16_t>(hex_attribute(device, "idVendor"));
      usb.product = static_cast<uint16_t>(hex_attribute(device, "idProduct"));
      char modalias[64];
      std::snprintf(modalias, sizeof modalias, "usb:v%04Xp%04X*", usb.vendor, usb.product);
      names(device, modalias, &usb.vendor_name, &usb.product_name);
      if (udev_device* host = udev_device_get_parent_with_subsystem_devtype(device, "pci", nullptr))
        usb.parent_pci_slot = trim(udev_device_get_sysname(host));
      by_syspath[usb.syspath] = std::move(usb);
    });
    // A device's driver is its interfaces' driver when they agree; else the first one (sorted).
    std::sort(interfaces.begin(), interfaces.end());
    for (const auto& [parent, driver] : interfaces) {
      auto found = by_syspath.find(parent);
      if (found == by_syspath.end() || !found->second.driver.empty()) continue;
      found->second.driver = driver.first;
      found->second.module = driver.second;
    }
    std::vector<UsbDevice> devices;
    for (auto& [path, usb] : by_syspath) devices.push_back(std::move(usb));
    std::sort(devices.begin(), devices.end(),
              [](const UsbDevice& a, const UsbDevice& b) { return a.name < b.name; });
    return devices;
  }

  DeviceNames names_;
  UdevHwdbPtr hwdb_;
};

}  // namespace

std::unique_ptr<DeviceSource> make_udev_device_source(DeviceNames names) {
  return std::make_unique<UdevDeviceSource>(names);
}

}  // namespace suspendfix
