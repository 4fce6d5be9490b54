// SPDX-License-Identifier: GPL-2.0-or-later
#include "profiles/profile_parser.hpp"

#include <algorithm>
#include <functional>
#include <map>

#include "profiles/yaml_reader.hpp"

namespace suspendfix {
namespace {

using Kind = YamlNode::Kind;

bool is_valid_id(const std::string& id) {
  if (id.empty() || id.size() > 80) return false;
  if (!((id[0] >= 'a' && id[0] <= 'z') || (id[0] >= '0' && id[0] <= '9'))) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
  });
}

DeviceAction parse_device_action(const YamlReader& reader, const YamlNode& node,
                                 const std::string& what) {
  const std::string text = reader.string(node, what);
  for (DeviceAction action : {DeviceAction::kNone, DeviceAction::kUnbind, DeviceAction::kRemove})
    if (text == device_action_name(action)) return action;
  reader.fail(node, "bad " + what + " '" + text + "': expected none, unbind or remove");
}

void parse_match(const YamlReader& reader, const YamlNode& node, Profile& profile) {
  reader.map(
      node, "match",
      {{"pci",
        [&](const YamlNode& list) {
          reader.list(list, "match.pci", [&](const YamlNode& item) {
            PciMatch pci;
            bool have_vendor = false;
            reader.map(
                item, "match.pci",
                {{"vendor",
                  [&](const YamlNode& v) {
                    pci.vendor = reader.hex_id(v, "PCI vendor id");
                    have_vendor = true;
                  }},
                 {"device",
                  [&](const YamlNode& v) { pci.device = reader.hex_id(v, "PCI device id"); }},
                 {"subsystem_vendor",
                  [&](const YamlNode& v) {
                    pci.subsystem_vendor = reader.hex_id(v, "PCI subsystem vendor id");
                  }},
                 {"subsystem_device",
                  [&](const YamlNode& v) {
                    pci.subsystem_device = reader.hex_id(v, "PCI subsystem device id");
                  }},
                 {"class", [&](const YamlNode& v) { pci.class_prefix = reader.class_prefix(v); }}});
            if (!have_vendor) reader.fail(item, "a 'match.pci' entry needs a 'vendor'");
            profile.pci.push_back(pci);
          });
        }},
       {"usb",
        [&](const YamlNode& list) {
          reader.list(list, "match.usb", [&](const YamlNode& item) {
            UsbMatch usb;
            bool have_vendor = false;
            reader.map(item, "match.usb",
                       {{"vendor",
                         [&](const YamlNode& v) {
                           usb.vendor = reader.hex_id(v, "USB vendor id");
                           have_vendor = true;
                         }},
                        {"product", [&](const YamlNode& v) {
                           usb.product = reader.hex_id(v, "USB product id");
                         }}});
            if (!have_vendor) reader.fail(item, "a 'match.usb' entry needs a 'vendor'");
            profile.usb.push_back(usb);
          });
        }},
       {"dmi",
        [&](const YamlNode& dmi) {
          reader.expect(dmi, Kind::kMap, "match.dmi");
          for (const auto& [key, value] : dmi.entries) {
            const auto field = dmi_field_from_name(key.scalar);
            if (!field)
              reader.fail(key, "unknown DMI field '" + key.scalar +
                                   "': expected sys_vendor, product_name, product_version, "
                                   "product_family, board_vendor, board_name or bios_version");
            profile.dmi.emplace_back(*field, reader.string(value, "match.dmi." + key.scalar));
          }
          if (profile.dmi.empty()) reader.fail(dmi, "'match.dmi' must name at least one field");
        }},
       {"kernel", [&](const YamlNode& kernel) {
          profile.kernel = reader.kernel_range(kernel, "match.kernel");
        }}});
}

/// "vvvv:dddd", the device part possibly a shell pattern ("14e4:*"): ids a profile leaves out.
bool is_left_out_id(const std::string& text) {
  if (text.size() < 6 || text[4] != ':') return false;
  auto hex = [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); };
  if (!std::all_of(text.begin(), text.begin() + 4, hex)) return false;
  const std::string device = text.substr(5);
  const bool pattern = device.find_first_of("*?[") != std::string::npos;
  if (!pattern) return device.size() == 4 && std::all_of(device.begin(), device.end(), hex);
  return std::all_of(device.begin(), device.end(), [&](char c) {
    return hex(c) || c == '*' || c == '?' || c == '[' || c == ']' || c == '-' || c == '!';
  });
}

/// 'left_out': ids the driver claims that the profile deliberately does not match, each with
/// the reason. Nothing at runtime reads it; the database lint (tests/kernel-lint) does.
void parse_left_out(const YamlReader& reader, const YamlNode& node, const Profile& profile) {
  reader.list(node, "left_out", [&](const YamlNode& item) {
    std::vector<std::pair<const YamlNode*, std::string>> ids;
    std::string bus;
    bool have_why = false;
    auto read_ids = [&](const std::string& which) {
      return [&, which](const YamlNode& value) {
        if (!bus.empty()) reader.fail(value, "a 'left_out' entry takes pci or usb, not both");
        bus = which;
        auto add = [&](const YamlNode& id) {
          const std::string text = reader.string(id, "left_out." + which);
          if (!is_left_out_id(text))
            reader.fail(id, "bad " + which + " id '" + text +
                                "' in 'left_out': expected \"vvvv:dddd\" in lowercase hex, "
                                "the device part possibly a pattern (\"14e4:43*\")");
          ids.emplace_back(&id, text);
        };
        if (value.kind == YamlNode::Kind::kSequence)
          reader.list(value, "left_out." + which, add);
        else
          add(value);
      };
    };
    reader.map(item, "left_out",
               {{"pci", read_ids("pci")},
                {"usb", read_ids("usb")},
                {"why", [&](const YamlNode& v) {
                   have_why = !reader.string(v, "left_out.why").empty();
                 }}});
    if (bus.empty()) reader.fail(item, "a 'left_out' entry needs 'pci' or 'usb' ids");
    if (!have_why) reader.fail(item, "a 'left_out' entry needs 'why': the reason it is left out");
    for (const auto& [id_node, text] : ids) {
      if (text.find_first_of("*?[") != std::string::npos) continue;
      const auto vendor = static_cast<uint16_t>(std::stoul(text.substr(0, 4), nullptr, 16));
      const auto device = static_cast<uint16_t>(std::stoul(text.substr(5), nullptr, 16));
      const bool matched =
          bus == "pci"
              ? std::any_of(
                    profile.pci.begin(), profile.pci.end(),
                    [&](const PciMatch& m) { return m.vendor == vendor && m.device == device; })
              : std::any_of(profile.usb.begin(), profile.usb.end(), [&](const UsbMatch& m) {
                  return m.vendor == vendor && m.product == device;
                });
      if (matched) reader.fail(*id_node, "'" + text + "' is both matched and left out");
    }
  });
}

void parse_actions(const YamlReader& reader, const YamlNode& node, Profile& profile) {
  Actions& actions = profile.actions;
  reader.map(node, "actions",
             {{"unload_bound_module",
               [&](const YamlNode& v) {
                 actions.unload_bound_module = reader.boolean(v, "unload_bound_module");
               }},
              {"unload_modules",
               [&](const YamlNode& list) {
                 reader.list(list, "actions.unload_modules", [&](const YamlNode& item) {
                   ModuleRef module;
                   // out_of_tree: the module is not part of the kernel, so the database
                   // lint does not look for it in the kernels' module tables.
                   module.name = reader.module_entry(
                       item, "unload_modules",
                       {{"kernel",
                         [&](const YamlNode& v) {
                           module.kernel = reader.kernel_range(v, "unload_modules.kernel");
                         }},
                        {"out_of_tree", [&](const YamlNode& v) {
                           reader.boolean(v, "unload_modules.out_of_tree");
                         }}});
                   actions.unload_modules.push_back(module);
                 });
               }},
              {"device",
               [&](const YamlNode& v) {
                 actions.device = parse_device_action(reader, v, "actions.device");
               }},
              {"fallback", [&](const YamlNode& v) {
                 actions.fallback = parse_device_action(reader, v, "actions.fallback");
               }}});
  const bool unloads = actions.unload_bound_module || !actions.unload_modules.empty();
  if (!unloads && actions.device == DeviceAction::kNone)
    reader.fail(node, "'actions' does nothing: set unload_bound_module, unload_modules or device");
  if (!profile.has_device_match() &&
      (actions.unload_bound_module || actions.device != DeviceAction::kNone ||
       actions.fallback != DeviceAction::kNone))
    reader.fail(node,
                "unload_bound_module, device and fallback act on matched devices, "
                "but 'match' names no pci or usb device");
}

}  // namespace

Profile parse_profile(std::string_view yaml, const std::string& origin,
                      std::vector<ProfileError>* warnings) {
  const YamlNode root = parse_yaml(yaml, origin);
  const YamlReader reader(origin, warnings);
  if (root.kind == Kind::kNull) throw ProfileError(origin, 0, 0, "empty profile");
  Profile profile;
  profile.origin = origin;
  const YamlNode* match = nullptr;
  const YamlNode* actions = nullptr;
  const YamlNode* left_out = nullptr;
  reader.map(root, "profile",
             {{"id",
               [&](const YamlNode& v) {
                 profile.id = reader.string(v, "id");
                 if (!is_valid_id(profile.id))
                   reader.fail(
                       v, "bad id '" + profile.id +
                              "': use lowercase letters, digits, '-', '_' and '.', starting with "
                              "a letter or digit");
               }},
              {"description",
               [&](const YamlNode& v) { profile.description = reader.string(v, "description"); }},
              {"sources",
               [&](const YamlNode& v) {
                 reader.list(v, "sources", [&](const YamlNode& item) {
                   profile.sources.push_back(reader.string(item, "sources"));
                 });
               }},
              {"notes", [&](const YamlNode& v) { reader.string(v, "notes"); }},
              {"sleep", [&](const YamlNode& v) { profile.sleep = reader.sleep_types(v, "sleep"); }},
              {"match", [&](const YamlNode& v) { match = &v; }},
              {"actions", [&](const YamlNode& v) { actions = &v; }},
              {"left_out", [&](const YamlNode& v) { left_out = &v; }}});
  for (const char* required : {"id", "description", "sources", "match", "actions"}) {
    const bool present =
        std::any_of(root.entries.begin(), root.entries.end(),
                    [&](const auto& entry) { return entry.first.scalar == required; });
    if (!present) reader.fail(root, std::string("missing required key '") + required + "'");
  }
  parse_match(reader, *match, profile);
  if (!profile.has_device_match() && profile.dmi.empty())
    reader.fail(*match, "'match' needs at least one of pci, usb or dmi");
  parse_actions(reader, *actions, profile);
  if (left_out) parse_left_out(reader, *left_out, profile);
  return profile;
}

}  // namespace suspendfix
