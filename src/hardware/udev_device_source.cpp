// SPDX-License-Identifier: GPL-2.0-or-later
// The one real source of devices: libudev. Works the same on a live system and inside a
// umockdev testbed, which is how the integration tests run it.
#include <dirent.h>
#include <libudev.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
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

  /// The devices of one bus, sorted by name: what the kernel lists in /sys/bus/BUS/devices.
  /// udev_enumerate finds the same set there, but it opens each device through the bus's link
  /// and walks its parents up to /sys/devices: about 100 system calls a device, 4-5 ms each
  /// under QEMU/TCG (bench/vm), before the hook can unload anything. Opening each device from
  /// the link's target costs a third of that.
  template <typename Visit>
  static void for_each_bus_device(udev* context, const char* bus, Visit visit) {
    const std::string directory = std::string("/sys/bus/") + bus + "/devices";
    const std::unique_ptr<DIR, int (*)(DIR*)> listing(opendir(directory.c_str()), closedir);
    if (!listing) {
      if (errno == ENOENT) return;  // no such bus here (no USB in a container, no PCI on a board)
      throw HardwareError("could not enumerate", bus, errno_string(errno));
    }
    std::vector<std::string> names;
    errno = 0;
    while (const dirent* entry = readdir(listing.get()))
      if (entry->d_name[0] != '.') names.emplace_back(entry->d_name);
    if (errno != 0) throw HardwareError("could not enumerate", bus, errno_string(errno));
    std::sort(names.begin(), names.end());
    for (const std::string& name : names) {
      UdevDevicePtr device;
      char target[PATH_MAX];
      const ssize_t length = readlink((directory + "/" + name).c_str(), target, sizeof target - 1);
      if (length > 0) {  // "../../../devices/pci0000:00/0000:00:14.0"
        const std::string syspath =
            (std::filesystem::path(directory) / std::string(target, static_cast<size_t>(length)))
                .lexically_normal()
                .string();
        device.reset(udev_device_new_from_syspath(context, syspath.c_str()));
      }
      if (!device)  // not a link, or not where it pointed: let libudev find it by name
        device.reset(udev_device_new_from_subsystem_sysname(context, bus, name.c_str()));
      if (device) visit(device.get());  // a device that vanished meanwhile is simply gone
    }
  }

  /// "1033:0194", as the kernel's uevent writes PCI_ID and PCI_SUBSYS_ID.
  static bool id_pair(const std::string& text, uint16_t* first, uint16_t* second) {
    if (text.size() != 9 || text[4] != ':') return false;
    const char* begin = text.data();
    return std::from_chars(begin, begin + 4, *first, 16).ptr == begin + 4 &&
           std::from_chars(begin + 5, begin + 9, *second, 16).ptr == begin + 9;
  }

  /// The ids from the device's uevent (PCI_ID, PCI_SUBSYS_ID, PCI_CLASS): one file, where the
  /// attributes are five. False, and nothing set, when one is missing or garbled.
  static bool uevent_ids(udev_device* device, PciDevice* pci) {
    PciDevice ids;
    const std::string class_text = property(device, "PCI_CLASS");  // "C0330"
    const char* class_end = class_text.data() + class_text.size();
    if (!id_pair(property(device, "PCI_ID"), &ids.vendor, &ids.device) ||
        !id_pair(property(device, "PCI_SUBSYS_ID"), &ids.subsystem_vendor, &ids.subsystem_device) ||
        class_text.empty() || class_text.size() > 6 ||
        std::from_chars(class_text.data(), class_end, ids.class_code, 16).ptr != class_end)
      return false;
    pci->vendor = ids.vendor;
    pci->device = ids.device;
    pci->subsystem_vendor = ids.subsystem_vendor;
    pci->subsystem_device = ids.subsystem_device;
    pci->class_code = ids.class_code;
    return true;
  }

  std::vector<PciDevice> read_pci(udev* context) {
    std::vector<PciDevice> devices;
    for_each_bus_device(context, "pci", [&](udev_device* device) {
      PciDevice pci;
      pci.slot = trim(udev_device_get_sysname(device));
      pci.syspath = trim(udev_device_get_syspath(device));
      if (!uevent_ids(device, &pci)) {
        pci.vendor = static_cast<uint16_t>(hex_attribute(device, "vendor"));
        pci.device = static_cast<uint16_t>(hex_attribute(device, "device"));
        pci.subsystem_vendor = static_cast<uint16_t>(hex_attribute(device, "subsystem_vendor"));
        pci.subsystem_device = static_cast<uint16_t>(hex_attribute(device, "subsystem_device"));
        pci.class_code = static_cast<uint32_t>(hex_attribute(device, "class")) & 0xffffff;
      }
      if (names_ != DeviceNames::kNone)  // not in the uevent: one more file
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
    for_each_bus_device(context, "usb", [&](udev_device* device) {
      const std::string devtype = trim(udev_device_get_devtype(device));
      if (devtype == "usb_interface") {
        // An interface's parent is its device, the directory above it: no need for libudev
        // to open it (udev_device_get_parent) only to name it.
        const std::string syspath = trim(udev_device_get_syspath(device));
        const std::string driver = trim(udev_device_get_driver(device));
        if (syspath.find('/') != std::string::npos && !driver.empty())
          interfaces.push_back(
              {syspath.substr(0, syspath.rfind('/')), {driver, driver_module(device)}});
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
      // libudev opens every device up to the controller for this, and only detect shows it.
      if (names_ != DeviceNames::kNone)
        if (udev_device* host =
                udev_device_get_parent_with_subsystem_devtype(device, "pci", nullptr))
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
