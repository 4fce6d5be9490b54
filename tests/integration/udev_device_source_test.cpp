// SPDX-License-Identifier: GPL-2.0-or-later
// The real libudev code against fixture machines in a umockdev testbed.
#include <gtest/gtest.h>

#include <string>
#include <tuple>
#include <vector>

#include "hardware/device_source.hpp"
#include "integration/testbed.hpp"
#include "modules/module_backend.hpp"

namespace suspendfix {
namespace {

using testing::Testbed;

class UdevDeviceSourceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!Testbed::mocked()) GTEST_SKIP() << "not running under umockdev-wrapper: /sys is real";
  }
  const PciDevice* find(const Machine& machine, const std::string& slot) {
    for (const PciDevice& device : machine.pci)
      if (device.slot == slot) return &device;
    return nullptr;
  }
  Testbed testbed_;
};

TEST_F(UdevDeviceSourceTest, ReadsTheSeedLaptop) {
  testbed_.load_machine("lenovo-t510-nec");
  const Machine machine = make_udev_device_source(DeviceNames::kProperties)->scan();
  EXPECT_EQ(machine.pci.size(), 13u);
  const PciDevice* nec = find(machine, "0000:0f:00.0");
  ASSERT_NE(nec, nullptr);
  EXPECT_EQ(nec->vendor, 0x1033);
  EXPECT_EQ(nec->device, 0x0194);
  EXPECT_EQ(nec->subsystem_vendor, 0x17aa);
  EXPECT_EQ(nec->subsystem_device, 0x219c);
  EXPECT_EQ(nec->class_code, 0x0c0330u);
  EXPECT_EQ(nec->revision, 3);
  EXPECT_EQ(nec->driver, "xhci_hcd");
  EXPECT_EQ(nec->module, "xhci_pci") << "the module behind the driver, not the driver's name";
  EXPECT_EQ(nec->device_name, "uPD720200 USB 3.0 Host Controller");
  EXPECT_EQ(nec->modalias, "pci:v00001033d00000194sv000017AAsd0000219Cbc0Csc03i30");

  const PciDevice* bridge = find(machine, "0000:00:00.0");
  ASSERT_NE(bridge, nullptr);
  EXPECT_EQ(bridge->driver, "");
  EXPECT_EQ(bridge->module, "");
  EXPECT_EQ(find(machine, "0000:00:1f.3")->module, "i2c_i801");
  EXPECT_EQ(find(machine, "0000:00:1c.0")->module, "") << "pcieport has no module link";

  EXPECT_EQ(machine.dmi.at(DmiField::kSysVendor), "LENOVO");
  EXPECT_EQ(machine.dmi.at(DmiField::kProductVersion), "ThinkPad T510");
  EXPECT_EQ(machine.dmi.at(DmiField::kBiosVersion), "6MET64WW (1.27 )")
      << "inner spaces kept, newline trimmed";
  EXPECT_FALSE(machine.kernel_release.empty());
}

TEST_F(UdevDeviceSourceTest, UsbDevicesTakeTheirInterfacesDriver) {
  testbed_.load_machine("lenovo-t510-nec");
  const Machine machine = make_udev_device_source(DeviceNames::kProperties)->scan();
  ASSERT_EQ(machine.usb.size(), 3u);
  EXPECT_EQ(machine.usb[0].name, "1-1.6");
  EXPECT_EQ(machine.usb[0].vendor, 0x04f2);
  EXPECT_EQ(machine.usb[0].product, 0xb217);
  EXPECT_EQ(machine.usb[0].driver, "uvcvideo");
  EXPECT_EQ(machine.usb[0].module, "uvcvideo");
  EXPECT_EQ(machine.usb[0].parent_pci_slot, "0000:00:1a.0");
  EXPECT_EQ(machine.usb[2].name, "usb3");
  EXPECT_EQ(machine.usb[2].parent_pci_slot, "0000:0f:00.0");
}

TEST_F(UdevDeviceSourceTest, MachineWithoutTheController) {
  testbed_.load_machine("dell-e6410");
  const Machine machine = make_udev_device_source(DeviceNames::kProperties)->scan();
  EXPECT_EQ(machine.pci.size(), 12u);
  EXPECT_EQ(find(machine, "0000:0f:00.0"), nullptr);
  EXPECT_EQ(machine.dmi.at(DmiField::kSysVendor), "Dell Inc.");
}

TEST_F(UdevDeviceSourceTest, EmptyMachineAndGarbledAttributes) {
  testbed_.add_devices(
      "P: /devices/pci0000:00/0000:00:05.0\nE: SUBSYSTEM=pci\nA: vendor=garbage\nA: "
      "device=0x12345678\n");
  const Machine machine = make_udev_device_source(DeviceNames::kProperties)->scan();
  ASSERT_EQ(machine.pci.size(), 1u);
  EXPECT_EQ(machine.pci[0].vendor, 0) << "garbage reads as 0, not as a crash";
  EXPECT_TRUE(machine.dmi.empty());
  EXPECT_TRUE(machine.usb.empty());
}

TEST_F(UdevDeviceSourceTest, IdsComeFromTheUeventWhenItHasThemAll) {
  // No id attributes at all: only the uevent can have given these.
  testbed_.add_devices(
      "P: /devices/pci0000:00/0000:00:14.0\nE: SUBSYSTEM=pci\nE: PCI_CLASS=C0330\n"
      "E: PCI_ID=1033:0194\nE: PCI_SUBSYS_ID=17AA:219C\n");
  const Machine machine = make_udev_device_source(DeviceNames::kNone)->scan();
  ASSERT_EQ(machine.pci.size(), 1u);
  EXPECT_EQ(machine.pci[0].slot, "0000:00:14.0");
  EXPECT_EQ(machine.pci[0].vendor, 0x1033);
  EXPECT_EQ(machine.pci[0].device, 0x0194);
  EXPECT_EQ(machine.pci[0].subsystem_vendor, 0x17aa);
  EXPECT_EQ(machine.pci[0].subsystem_device, 0x219c);
  EXPECT_EQ(machine.pci[0].class_code, 0x0c0330u);
}

TEST_F(UdevDeviceSourceTest, AGarbledUeventFallsBackToTheAttributes) {
  const std::vector<std::string> broken = {"E: PCI_ID=1033:019\nE: PCI_CLASS=C0330\n",
                                           "E: PCI_ID=1033-0194\nE: PCI_CLASS=C0330\n",
                                           "E: PCI_ID=1033:0194x\nE: PCI_CLASS=C0330\n",
                                           "E: PCI_ID=zz33:0194\nE: PCI_CLASS=C0330\n",
                                           "E: PCI_ID=1033:0194\nE: PCI_CLASS=1C03301\n",
                                           "E: PCI_ID=1033:0194\nE: PCI_CLASS=\n",
                                           "E: PCI_ID=1033:0194\n"};
  for (size_t i = 0; i < broken.size(); ++i)
    testbed_.add_devices("P: /devices/pci0000:00/0000:00:1" + std::to_string(i) +
                         ".0\nE: SUBSYSTEM=pci\n" + broken[i] +
                         "E: PCI_SUBSYS_ID=17AA:219C\n"
                         "A: vendor=0x1033\nA: device=0x0194\nA: subsystem_vendor=0x17aa\n"
                         "A: subsystem_device=0x219c\nA: class=0x0c0330\n");
  const Machine machine = make_udev_device_source(DeviceNames::kNone)->scan();
  ASSERT_EQ(machine.pci.size(), broken.size());
  for (size_t i = 0; i < broken.size(); ++i) {
    const PciDevice* device = find(machine, "0000:00:1" + std::to_string(i) + ".0");
    ASSERT_NE(device, nullptr) << broken[i];
    EXPECT_EQ(device->vendor, 0x1033) << broken[i];
    EXPECT_EQ(device->device, 0x0194) << broken[i];
    EXPECT_EQ(device->subsystem_device, 0x219c) << broken[i];
    EXPECT_EQ(device->class_code, 0x0c0330u) << broken[i];
  }
}

TEST_F(UdevDeviceSourceTest, TheHooksScanFindsWhatDetectFinds) {
  // The hook's scan (kNone) reads less: the same devices, ids, drivers and modules.
  testbed_.load_machine("lenovo-t510-nec");
  const Machine hook = make_udev_device_source(DeviceNames::kNone)->scan();
  const Machine full = make_udev_device_source(DeviceNames::kProperties)->scan();
  ASSERT_EQ(hook.pci.size(), full.pci.size());
  for (size_t i = 0; i < full.pci.size(); ++i) {
    const PciDevice &a = hook.pci[i], &b = full.pci[i];
    EXPECT_EQ(std::tie(a.slot, a.syspath, a.vendor, a.device, a.subsystem_vendor,
                       a.subsystem_device, a.class_code, a.driver, a.module),
              std::tie(b.slot, b.syspath, b.vendor, b.device, b.subsystem_vendor,
                       b.subsystem_device, b.class_code, b.driver, b.module))
        << b.slot;
  }
  ASSERT_EQ(hook.usb.size(), full.usb.size());
  for (size_t i = 0; i < full.usb.size(); ++i) {
    const UsbDevice &a = hook.usb[i], &b = full.usb[i];
    EXPECT_EQ(std::tie(a.name, a.syspath, a.vendor, a.product, a.driver, a.module),
              std::tie(b.name, b.syspath, b.vendor, b.product, b.driver, b.module))
        << b.name;
  }
  EXPECT_EQ(hook.dmi, full.dmi);
  EXPECT_EQ(hook.pci[0].revision, 0) << "kNone leaves out what only detect shows";
  EXPECT_EQ(hook.usb[0].parent_pci_slot, "");
}

TEST_F(UdevDeviceSourceTest, KmodReadsModuleStateFromSysfs) {
  testbed_.load_machine("lenovo-t510-nec");
  auto modules = make_kmod_backend();
  const ModuleStatus xhci_hcd = modules->status("xhci_hcd");
  EXPECT_EQ(xhci_hcd.state, ModuleState::kLive);
  EXPECT_EQ(xhci_hcd.holders, (std::vector<std::string>{"xhci_pci"}));
  EXPECT_EQ(xhci_hcd.refcount, 1);
  EXPECT_EQ(modules->status("ahci").state, ModuleState::kBuiltin)
      << "/sys/module/ahci without initstate";
  EXPECT_EQ(modules->status("r8169").state, ModuleState::kNotLoaded);
}

}  // namespace
}  // namespace suspendfix
