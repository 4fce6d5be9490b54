// SPDX-License-Identifier: GPL-2.0-or-later
#include "hardware/device.hpp"

#include <cctype>
#include <cstdio>

#include "hardware/device_backend.hpp"

namespace suspendfix {

const char* dmi_field_name(DmiField field) {
  switch (field) {
    case DmiField::kSysVendor:
      return "sys_vendor";
    case DmiField::kProductName:
      return "product_name";
    case DmiField::kProductVersion:
      return "product_version";
    case DmiField::kProductFamily:
      return "product_family";
    case DmiField::kBoardVendor:
      return "board_vendor";
    case DmiField::kBoardName:
      return "board_name";
    case DmiField::kBiosVersion:
      return "bios_version";
  }
  return "?";
}

std::optional<DmiField> dmi_field_from_name(const std::string& name) {
  for (DmiField field : kAllDmiFields)
    if (name == dmi_field_name(field)) return field;
  return std::nullopt;
}

std::string format_id(uint16_t vendor, uint16_t device) {
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "%04x:%04x", vendor, device);
  return buffer;
}

std::string format_class(uint32_t class_code) {
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "%06x", class_code & 0xffffff);
  return buffer;
}

bool is_valid_pci_slot(const std::string& slot) {
  // dddd:bb:dd.f
  if (slot.size() != 12 || slot[4] != ':' || slot[7] != ':' || slot[10] != '.') return false;
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9})
    if (!std::isxdigit(static_cast<unsigned char>(slot[i]))) return false;
  return slot[11] >= '0' && slot[11] <= '7';
}

bool is_valid_driver_name(const std::string& driver) {
  if (driver.empty() || driver.size() > 64 || driver == "." || driver == "..") return false;
  return driver.find('/') == std::string::npos;
}

}  // namespace suspendfix
