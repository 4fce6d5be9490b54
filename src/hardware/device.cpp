// SPDX-License-Identifier: GPL-2.0-or-later
#include "hardware/device.hpp"

#include <cctype>
#include <cstdio>

#include "enum_names.hpp"
#include "hardware/device_backend.hpp"

namespace suspendfix {

constexpr EnumName<DmiField> kDmiFieldNames[] = {
    {DmiField::kSysVendor, "sys_vendor"},           {DmiField::kProductName, "product_name"},
    {DmiField::kProductVersion, "product_version"}, {DmiField::kProductFamily, "product_family"},
    {DmiField::kBoardVendor, "board_vendor"},       {DmiField::kBoardName, "board_name"},
    {DmiField::kBiosVersion, "bios_version"},
};

const char* dmi_field_name(DmiField field) { return name_of(kDmiFieldNames, field); }

std::optional<DmiField> dmi_field_from_name(const std::string& name) {
  return value_of(kDmiFieldNames, name);
}

std::string format_hex4(uint16_t value) {
  char buffer[8];
  std::snprintf(buffer, sizeof buffer, "%04x", value);
  return buffer;
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
