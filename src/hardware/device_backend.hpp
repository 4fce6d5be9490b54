// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <memory>
#include <string>

namespace suspendfix {

/// Detaches PCI devices from their drivers or from the bus, and brings them back. The real one
/// writes sysfs (drivers/*/unbind and bind, devices/*/remove, the bus's rescan); tests use a
/// fake, and the integration tests the real one inside a umockdev testbed.
class DeviceBackend {
 public:
  virtual ~DeviceBackend() = default;
  /// Each throws HardwareError naming the file and the errno.
  virtual void unbind(const std::string& slot, const std::string& driver) = 0;
  virtual void bind(const std::string& slot, const std::string& driver) = 0;
  virtual void remove(const std::string& slot) = 0;
  virtual void rescan() = 0;
  /// Asks the kernel to find a driver for an unbound device (drivers_probe), for a record
  /// that does not say which driver it had.
  virtual void probe(const std::string& slot) = 0;
  /// The driver the device is bound to now, "" when none or when the device is absent.
  virtual std::string bound_driver(const std::string& slot) = 0;
  virtual bool present(const std::string& slot) = 0;
};

std::unique_ptr<DeviceBackend> make_sysfs_device_backend();

/// "0000:0f:00.0": the only shape a PCI slot may have before it goes into a sysfs path.
bool is_valid_pci_slot(const std::string& slot);
/// A driver name that can go into a sysfs path: no '/', not "." or "..".
bool is_valid_driver_name(const std::string& driver);

}  // namespace suspendfix
