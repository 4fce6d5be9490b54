// SPDX-License-Identifier: GPL-2.0-or-later
// From a name in the kernel log to the device, driver and module, through libudev.
#include <libudev.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <string>
#include <vector>

#include "diagnose/culprit.hpp"
#include "error.hpp"
#include "hardware/udev_util.hpp"

namespace suspendfix {
namespace {

using namespace udev_util;

/// Drivers of the USB core that sit above every USB device: a failure "of" them is a failure
/// of what hangs below (an interface driver) or above (the host controller).
bool generic_usb_driver(const std::string& driver) {
  return driver == "usb" || driver == "hub" || driver == "usbfs";
}

std::string describe(udev_device* device) {
  const std::string subsystem = trim(udev_device_get_subsystem(device));
  return trim(udev_device_get_sysname(device)) + (subsystem.empty() ? "" : " (" + subsystem + ")");
}

class UdevCulpritResolver : public CulpritResolver {
 public:
  explicit UdevCulpritResolver(ModuleInspector& modules) : modules_(modules) {}

  Culprit resolve(const std::string& name, const std::string& kernel_device,
                  const std::string& driver_hint) override {
    Culprit culprit;
    culprit.name = name;
    UdevPtr context(udev_new());
    if (!context) {
      culprit.note = "libudev: " + errno_string(errno);
      return culprit;
    }
    UdevDevicePtr start;
    if (!kernel_device.empty() && is_safe_device_name(kernel_device.substr(1)))
      start.reset(udev_device_new_from_device_id(context.get(), kernel_device.c_str()));
    if (!start && is_safe_device_name(name)) start = find_by_name(context.get(), name, driver_hint);
    if (!start) {
      culprit.note = is_safe_device_name(name)
                         ? "no device of that name on this machine now (gone, or renamed "
                           "after a resume)"
                         : "not a device name that can be looked up";
      return culprit;
    }
    walk(context.get(), start.get(), culprit);
    return culprit;
  }

 private:
  /// Every device of that sysname, bus or class; the one bound to the log's driver first,
  /// then one with any driver.
  static UdevDevicePtr find_by_name(udev* context, const std::string& name,
                                    const std::string& driver_hint) {
    UdevEnumeratePtr enumerator(udev_enumerate_new(context));
    if (!enumerator) return nullptr;
    udev_enumerate_add_match_sysname(enumerator.get(), name.c_str());
    if (udev_enumerate_scan_devices(enumerator.get()) < 0) return nullptr;
    UdevDevicePtr best;
    int best_rank = -1;
    udev_list_entry* entry = nullptr;
    udev_list_entry_foreach(entry, udev_enumerate_get_list_entry(enumerator.get())) {
      UdevDevicePtr device(udev_device_new_from_syspath(context, udev_list_entry_get_name(entry)));
      if (!device) continue;
      const std::string driver = trim(udev_device_get_driver(device.get()));
      const std::string subsystem = trim(udev_device_get_subsystem(device.get()));
      int rank = 0;
      if (!driver.empty()) rank = 1;
      if (!driver_hint.empty() && (driver == driver_hint || subsystem == driver_hint)) rank = 2;
      if (rank > best_rank) {
        best_rank = rank;
        best = std::move(device);
      }
    }
    return best;
  }

  /// The first interface of a USB device bound to a driver of its own (btusb, uvcvideo).
  static UdevDevicePtr interface_driver(udev* context, udev_device* usb_device) {
    UdevEnumeratePtr enumerator(udev_enumerate_new(context));
    if (!enumerator) return nullptr;
    udev_enumerate_add_match_parent(enumerator.get(), usb_device);
    udev_enumerate_add_match_subsystem(enumerator.get(), "usb");
    if (udev_enumerate_scan_devices(enumerator.get()) < 0) return nullptr;
    udev_list_entry* entry = nullptr;
    udev_list_entry_foreach(entry, udev_enumerate_get_list_entry(enumerator.get())) {
      UdevDevicePtr device(udev_device_new_from_syspath(context, udev_list_entry_get_name(entry)));
      if (!device || trim(udev_device_get_devtype(device.get())) != "usb_interface") continue;
      udev_device* parent = udev_device_get_parent(device.get());
      if (!parent ||
          trim(udev_device_get_syspath(parent)) != trim(udev_device_get_syspath(usb_device)))
        continue;  // an interface of a device further down
      const std::string driver = trim(udev_device_get_driver(device.get()));
      if (!driver.empty() && !generic_usb_driver(driver)) return device;
    }
    return nullptr;
  }

  void walk(udev* context, udev_device* start, Culprit& culprit) {
    UdevDevicePtr holder;  // keeps a device found off the parent chain alive
    udev_device* device = start;
    for (int depth = 0; device && depth < 32; ++depth) {
      culprit.path.push_back(describe(device));
      const std::string subsystem = trim(udev_device_get_subsystem(device));
      const std::string devtype = trim(udev_device_get_devtype(device));
      std::string driver = trim(udev_device_get_driver(device));
      if (subsystem == "usb" && devtype == "usb_device") {
        if (UdevDevicePtr interface = interface_driver(context, device)) {
          fill(culprit, device, interface.get());
          return;
        }
        if (generic_usb_driver(driver)) driver.clear();  // a hub: the controller above
      } else if (subsystem == "usb" && generic_usb_driver(driver)) {
        driver.clear();
      }
      if (subsystem == "acpi" && driver.empty()) {
        // ACPI companions rarely have a driver; the physical device does.
        const std::string link = trim(udev_device_get_syspath(device)) + "/physical_node";
        char target[PATH_MAX];
        if (realpath(link.c_str(), target)) {
          holder.reset(udev_device_new_from_syspath(context, target));
          if (holder) {
            device = holder.get();
            continue;
          }
        }
      }
      if (!driver.empty()) {
        fill(culprit, device, device);
        return;
      }
      device = udev_device_get_parent(device);
    }
    culprit.note = "no driver is bound to it or to the devices above it";
  }

  void fill(Culprit& culprit, udev_device* device, udev_device* bound) {
    culprit.found = true;
    culprit.syspath = trim(udev_device_get_syspath(device));
    culprit.sysname = trim(udev_device_get_sysname(device));
    culprit.subsystem = trim(udev_device_get_subsystem(device));
    culprit.driver = trim(udev_device_get_driver(bound));
    culprit.module = driver_module(bound);
    culprit.modalias = attribute(device, "modalias");
    culprit.builtin =
        culprit.module.empty() || modules_.status(culprit.module).state == ModuleState::kBuiltin;
    if (bound != device) culprit.path.push_back(describe(bound) + " driver " + culprit.driver);
    if (culprit.subsystem == "pci") {
      PciDevice pci;
      pci.slot = culprit.sysname;
      pci.syspath = culprit.syspath;
      pci.vendor = static_cast<uint16_t>(hex_attribute(device, "vendor"));
      pci.device = static_cast<uint16_t>(hex_attribute(device, "device"));
      pci.subsystem_vendor = static_cast<uint16_t>(hex_attribute(device, "subsystem_vendor"));
      pci.subsystem_device = static_cast<uint16_t>(hex_attribute(device, "subsystem_device"));
      pci.class_code = static_cast<uint32_t>(hex_attribute(device, "class")) & 0xffffff;
      pci.driver = culprit.driver;
      pci.module = culprit.module;
      pci.vendor_name = property(device, "ID_VENDOR_FROM_DATABASE");
      pci.device_name = property(device, "ID_MODEL_FROM_DATABASE");
      culprit.pci = pci;
    } else if (culprit.subsystem == "usb") {
      udev_device* usb_device = device;
      if (trim(udev_device_get_devtype(device)) == "usb_interface")
        usb_device = udev_device_get_parent_with_subsystem_devtype(device, "usb", "usb_device");
      if (usb_device) {
        UsbDevice usb;
        usb.name = trim(udev_device_get_sysname(usb_device));
        usb.syspath = trim(udev_device_get_syspath(usb_device));
        usb.vendor = static_cast<uint16_t>(hex_attribute(usb_device, "idVendor"));
        usb.product = static_cast<uint16_t>(hex_attribute(usb_device, "idProduct"));
        usb.driver = culprit.driver;
        usb.module = culprit.module;
        usb.vendor_name = property(usb_device, "ID_VENDOR_FROM_DATABASE");
        usb.product_name = property(usb_device, "ID_MODEL_FROM_DATABASE");
        culprit.usb = usb;
      }
    }
  }

  ModuleInspector& modules_;
};

}  // namespace

bool is_safe_device_name(const std::string& name) {
  if (name.empty() || name.size() > 128 || name == "." || name == "..") return false;
  for (char c : name) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte <= ' ' || byte >= 0x7f || c == '/' || c == '*' || c == '?' || c == '[' || c == ']' ||
        c == '\\')
      return false;
  }
  return true;
}

std::unique_ptr<CulpritResolver> make_udev_culprit_resolver(ModuleInspector& modules) {
  return std::make_unique<UdevCulpritResolver>(modules);
}

}  // namespace suspendfix
