// SPDX-License-Identifier: GPL-2.0-or-later
// Unbind/bind and remove/rescan through sysfs, as people do by hand when a module cannot be
// unloaded (built in, or never idle while bound: brcmfmac, mt7921e).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>

#include "error.hpp"
#include "hardware/device_backend.hpp"
#include "text_file.hpp"

namespace suspendfix {
namespace {

constexpr char kPciBus[] = "/sys/bus/pci";

void write_attribute(const std::string& path, const std::string& text) {
  const int fd = open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) throw HardwareError("could not open", path, errno_string(errno));
  const ssize_t wrote = write(fd, text.data(), text.size());
  const int saved = errno;
  close(fd);
  if (wrote < 0)
    throw HardwareError("could not write '" + text + "' to", path, errno_string(saved));
}

class SysfsDeviceBackend : public DeviceBackend {
 public:
  void unbind(const std::string& slot, const std::string& driver) override {
    check(slot, driver);
    write_attribute(std::string(kPciBus) + "/drivers/" + driver + "/unbind", slot);
  }
  void bind(const std::string& slot, const std::string& driver) override {
    check(slot, driver);
    write_attribute(std::string(kPciBus) + "/drivers/" + driver + "/bind", slot);
  }
  void remove(const std::string& slot) override {
    check(slot, "-");
    write_attribute(std::string(kPciBus) + "/devices/" + slot + "/remove", "1");
  }
  void rescan() override { write_attribute(std::string(kPciBus) + "/rescan", "1"); }
  void probe(const std::string& slot) override {
    check(slot, "-");
    write_attribute(std::string(kPciBus) + "/drivers_probe", slot);
  }
  std::string bound_driver(const std::string& slot) override {
    if (!is_valid_pci_slot(slot)) return "";
    return read_link_name(std::string(kPciBus) + "/devices/" + slot + "/driver");
  }
  bool present(const std::string& slot) override {
    struct stat info {};
    return is_valid_pci_slot(slot) &&
           stat((std::string(kPciBus) + "/devices/" + slot).c_str(), &info) == 0;
  }

 private:
  static void check(const std::string& slot, const std::string& driver) {
    if (!is_valid_pci_slot(slot))
      throw HardwareError("refusing", "PCI slot '" + slot + "'", "not a PCI address");
    if (!is_valid_driver_name(driver))
      throw HardwareError("refusing", "driver '" + driver + "'", "not a driver name");
  }
};

}  // namespace

std::unique_ptr<DeviceBackend> make_sysfs_device_backend() {
  return std::make_unique<SysfsDeviceBackend>();
}

}  // namespace suspendfix
