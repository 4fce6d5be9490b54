// SPDX-License-Identifier: GPL-2.0-or-later
// The real libudev code against fixture machines in a umockdev testbed.
#include <gtest/gtest.h>

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
