// SPDX-License-Identifier: GPL-2.0-or-later
#include "hardware/device.hpp"

#include <cstdio>

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

}  // namespace suspendfix
