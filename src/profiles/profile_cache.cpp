// SPDX-License-Identifier: GPL-2.0-or-later
#include "profiles/profile_cache.hpp"

#include <cstdint>
#include <cstring>

#include "config.hpp"

namespace suspendfix {
namespace {

constexpr char kMagic[8] = {'S', 'F', 'X', 'C', 'A', 'C', 'H', 'E'};
constexpr uint32_t kFormat = 2;  // 2: ctime in the sources

class Writer {
 public:
  void u8(uint8_t v) { out_.push_back(static_cast<char>(v)); }
  void u16(uint16_t v) { raw(&v, sizeof v); }
  void u32(uint32_t v) { raw(&v, sizeof v); }
  void u64(uint64_t v) { raw(&v, sizeof v); }
  void str(const std::string& s) {
    u32(static_cast<uint32_t>(s.size()));
    out_.append(s);
  }
  template <typename T>
  void opt16(const std::optional<T>& v) {
    u8(v.has_value());
    u16(v ? static_cast<uint16_t>(*v) : 0);
  }
  void range(const KernelRange& r) {
    str(r.from ? r.from->text() : "");
    str(r.before ? r.before->text() : "");
  }
  void error(const FileError& e) {
    str(e.file());
    u32(static_cast<uint32_t>(e.line()));
    u32(static_cast<uint32_t>(e.column()));
    str(e.reason());
  }
  std::string take() { return std::move(out_); }

 private:
  void raw(const void* data, size_t size) { out_.append(static_cast<const char*>(data), size); }
  std::string out_;
};

/// Reads with bounds checks; any overrun marks the reader bad and yields zeros.
class CacheReader {
 public:
  explicit CacheReader(std::string_view in) : in_(in) {}
  bool ok() const { return ok_; }
  void fail() { ok_ = false; }
  uint8_t u8() { return static_cast<uint8_t>(take(1)[0]); }
  uint16_t u16() { return get<uint16_t>(); }
  uint32_t u32() { return get<uint32_t>(); }
  uint64_t u64() { return get<uint64_t>(); }
  std::string str() {
    const uint32_t size = u32();
    if (size > in_.size() - position_) ok_ = false;
    return ok_ ? std::string(take(size)) : std::string();
  }
  /// A count that cannot be larger than what is left (each element takes at least one byte).
  uint32_t count() {
    const uint32_t n = u32();
    if (n > in_.size() - position_) ok_ = false;
    return ok_ ? n : 0;
  }
  std::optional<uint16_t> opt16() {
    const bool has = u8() != 0;
    const uint16_t v = u16();
    return has ? std::optional<uint16_t>(v) : std::nullopt;
  }
  KernelRange range() {
    KernelRange r;
    const std::string from = str(), before = str();
    if (!from.empty()) r.from = KernelVersion::parse(from);
    if (!before.empty()) r.before = KernelVersion::parse(before);
    if ((!from.empty() && !r.from) || (!before.empty() && !r.before)) ok_ = false;
    return r;
  }
  FileError error() {
    std::string file = str();
    const uint32_t line = u32(), column = u32();
    if (line > INT32_MAX || column > INT32_MAX) ok_ = false;
    std::string reason = str();
    return FileError(std::move(file), ok_ ? static_cast<int>(line) : 0,
                     ok_ ? static_cast<int>(column) : 0, std::move(reason));
  }

 private:
  template <typename T>
  T get() {
    T v{};
    const std::string_view bytes = take(sizeof v);
    if (ok_) std::memcpy(&v, bytes.data(), sizeof v);
    return v;
  }
  std::string_view take(size_t size) {
    static const char zeros[8] = {};
    if (!ok_ || size > in_.size() - position_) {
      ok_ = false;
      return std::string_view(zeros, size <= sizeof zeros ? size : 0);
    }
    const std::string_view out = in_.substr(position_, size);
    position_ += size;
    return out;
  }
  std::string_view in_;
  size_t position_ = 0;
  bool ok_ = true;
};

void write_sources(Writer& w, const std::vector<CacheSource>& sources, const std::string& key) {
  w.str(kVersion);
  w.str(key);
  w.u32(static_cast<uint32_t>(sources.size()));
  for (const CacheSource& s : sources) {
    w.str(s.relative);
    w.str(s.path);
    w.u64(s.size);
    w.u64(static_cast<uint64_t>(s.mtime_ns));
    w.u64(static_cast<uint64_t>(s.ctime_ns));
    w.u64(s.inode);
    w.u32(s.mode);
    w.u32(s.uid);
  }
}

// The writer and the reader name every field through a structured binding: a field added to
// Profile (or to a match) stops the build here until it is written and read, and operator==
// (profile.cpp) lets the round-trip test over every shipped profile catch one that is not.

void write_profile(Writer& w, const Profile& profile) {
  const auto& [id, description, sources, pci, usb, dmi, kernel, sleep, actions, origin,
               relative_name] = profile;
  w.str(id);
  w.str(description);
  w.u32(static_cast<uint32_t>(sources.size()));
  for (const std::string& s : sources) w.str(s);
  w.u32(static_cast<uint32_t>(pci.size()));
  for (const PciMatch& match : pci) {
    const auto& [vendor, device, subsystem_vendor, subsystem_device, class_prefix] = match;
    w.u16(vendor);
    w.opt16(device);
    w.opt16(subsystem_vendor);
    w.opt16(subsystem_device);
    w.u8(class_prefix.has_value());
    w.u32(class_prefix ? class_prefix->first : 0);
    w.u8(static_cast<uint8_t>(class_prefix ? class_prefix->second : 0));
  }
  w.u32(static_cast<uint32_t>(usb.size()));
  for (const UsbMatch& match : usb) {
    const auto& [vendor, product] = match;
    w.u16(vendor);
    w.opt16(product);
  }
  w.u32(static_cast<uint32_t>(dmi.size()));
  for (const auto& [field, pattern] : dmi) {
    w.u8(static_cast<uint8_t>(field));
    w.str(pattern);
  }
  w.range(kernel);
  w.u32(static_cast<uint32_t>(sleep.size()));
  for (SleepType t : sleep) w.u8(static_cast<uint8_t>(t));
  const auto& [unload_bound_module, unload_modules, device, fallback] = actions;
  w.u8(unload_bound_module);
  w.u32(static_cast<uint32_t>(unload_modules.size()));
  for (const ModuleRef& module : unload_modules) {
    const auto& [name, module_kernel] = module;
    w.str(name);
    w.range(module_kernel);
  }
  w.u8(static_cast<uint8_t>(device));
  w.u8(static_cast<uint8_t>(fallback));
  w.str(origin);
  w.str(relative_name);
}

/// A PCI match as the parser would have made it; anything else is a crafted cache (a class
/// byte count of 4 made PciMatch::matches shift by a negative amount).
bool plausible(const PciMatch& match) {
  if (!match.class_prefix) return true;
  const auto [value, bytes] = *match.class_prefix;
  return bytes >= 1 && bytes <= 3 && value < (1u << (8 * bytes));
}

Profile read_profile(CacheReader& r) {
  Profile profile;
  auto& [id, description, sources, pci, usb, dmi, kernel, sleep, actions, origin, relative_name] =
      profile;
  id = r.str();
  description = r.str();
  for (uint32_t n = r.count(); n-- > 0 && r.ok();) sources.push_back(r.str());
  for (uint32_t n = r.count(); n-- > 0 && r.ok();) {
    PciMatch match;
    auto& [vendor, device, subsystem_vendor, subsystem_device, class_prefix] = match;
    vendor = r.u16();
    device = r.opt16();
    subsystem_vendor = r.opt16();
    subsystem_device = r.opt16();
    const bool has_class = r.u8() != 0;
    const uint32_t value = r.u32();
    const int bytes = r.u8();
    if (has_class) class_prefix = std::make_pair(value, bytes);
    if (!plausible(match)) r.fail();
    pci.push_back(match);
  }
  for (uint32_t n = r.count(); n-- > 0 && r.ok();) {
    UsbMatch match;
    auto& [vendor, product] = match;
    vendor = r.u16();
    product = r.opt16();
    usb.push_back(match);
  }
  for (uint32_t n = r.count(); n-- > 0 && r.ok();) {
    const uint8_t field = r.u8();
    std::string pattern = r.str();
    if (field > static_cast<uint8_t>(DmiField::kBiosVersion)) r.fail();
    dmi.emplace_back(static_cast<DmiField>(field), std::move(pattern));
  }
  kernel = r.range();
  for (uint32_t n = r.count(); n-- > 0 && r.ok();) {
    const uint8_t type = r.u8();
    if (type > static_cast<uint8_t>(SleepType::kSuspendThenHibernate)) r.fail();
    sleep.push_back(static_cast<SleepType>(type));
  }
  auto& [unload_bound_module, unload_modules, device_action, fallback] = actions;
  unload_bound_module = r.u8() != 0;
  for (uint32_t n = r.count(); n-- > 0 && r.ok();) {
    ModuleRef module;
    module.name = r.str();
    module.kernel = r.range();
    // Names reach libkmod: only what the parser would have let through.
    if (!is_valid_module_name(module.name) || normalize_module_name(module.name) != module.name)
      r.fail();
    unload_modules.push_back(module);
  }
  const uint8_t device = r.u8(), fallback_action = r.u8();
  if (device > 2 || fallback_action > 2) r.fail();
  device_action = static_cast<DeviceAction>(device);
  fallback = static_cast<DeviceAction>(fallback_action);
  origin = r.str();
  relative_name = r.str();
  if (id.empty()) r.fail();
  return profile;
}

}  // namespace

uint64_t fnv1a(std::string_view bytes) {
  uint64_t hash = 14695981039346656037ull;
  for (unsigned char c : bytes) hash = (hash ^ c) * 1099511628211ull;
  return hash;
}

std::string serialize_database(const ProfileDatabase& database,
                               const std::vector<CacheSource>& sources, const std::string& key) {
  Writer body;
  write_sources(body, sources, key);
  body.u64(database.files_read);
  body.u32(static_cast<uint32_t>(database.profiles.size()));
  for (const Profile& profile : database.profiles) write_profile(body, profile);
  body.u32(static_cast<uint32_t>(database.errors.size()));
  for (const FileError& error : database.errors) body.error(error);
  body.u32(static_cast<uint32_t>(database.warnings.size()));
  for (const FileError& warning : database.warnings) body.error(warning);
  const std::string payload = body.take();
  Writer out;
  std::string bytes(kMagic, sizeof kMagic);
  out.u32(kFormat);
  out.u64(fnv1a(payload));
  return bytes + out.take() + payload;
}

std::optional<ProfileDatabase> deserialize_database(std::string_view bytes,
                                                    const std::vector<CacheSource>& sources,
                                                    const std::string& key) {
  if (bytes.size() < sizeof kMagic + 12 || std::memcmp(bytes.data(), kMagic, sizeof kMagic) != 0)
    return std::nullopt;
  CacheReader header(bytes.substr(sizeof kMagic, 12));
  if (header.u32() != kFormat) return std::nullopt;
  const uint64_t checksum = header.u64();
  const std::string_view payload = bytes.substr(sizeof kMagic + 12);
  if (fnv1a(payload) != checksum) return std::nullopt;
  // The recorded sources must be exactly today's: compare by serialising today's the same way.
  Writer expected;
  write_sources(expected, sources, key);
  const std::string prefix = expected.take();
  if (payload.substr(0, prefix.size()) != prefix) return std::nullopt;
  CacheReader r(payload.substr(prefix.size()));
  ProfileDatabase database;
  database.files_read = r.u64();
  for (uint32_t n = r.count(); n-- > 0 && r.ok();) database.profiles.push_back(read_profile(r));
  for (uint32_t n = r.count(); n-- > 0 && r.ok();) database.errors.push_back(r.error());
  for (uint32_t n = r.count(); n-- > 0 && r.ok();) database.warnings.push_back(r.error());
  if (!r.ok()) return std::nullopt;
  return database;
}

}  // namespace suspendfix
