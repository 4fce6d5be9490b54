// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace suspendfix {

enum class ModuleState { kNotLoaded, kLive, kBuiltin, kComing, kGoing };
const char* module_state_name(ModuleState state);

struct ModuleStatus {
  ModuleState state = ModuleState::kNotLoaded;
  int refcount = 0;
  std::vector<std::string> holders;  // modules that use this one, sorted
};

/// Reads the state of kernel modules. Split from ModuleBackend so that detect and the planner
/// need no power to change anything.
class ModuleInspector {
 public:
  virtual ~ModuleInspector() = default;
  /// Never throws: a module that cannot be read is reported as not loaded.
  virtual ModuleStatus status(const std::string& name) = 0;
};

/// Loads and unloads kernel modules. The real one is KmodBackend (libkmod).
class ModuleBackend : public ModuleInspector {
 public:
  /// Removes one module (no holders, no dependencies). Throws ModuleError{name, errno}.
  virtual void unload(const std::string& name) = 0;
  /// Loads a module the way modprobe does: dependencies, soft dependencies, modprobe.d
  /// options and install commands, kernel command line. Throws ModuleError.
  virtual void load(const std::string& name) = 0;

  /// What load(name) may load along with it: every module it depends on, directly or not
  /// (modules.dep), and its soft dependencies, before and after (modprobe.d, modinfo); or
  /// nullopt when that cannot be known. Never throws.
  virtual std::optional<std::vector<std::string>> dependencies(const std::string& name) {
    (void)name;
    return std::nullopt;
  }
  /// A backend of its own for loading on another thread (a libkmod context is not shared
  /// between threads), or nullptr when there is none: then everything loads on this one.
  virtual std::unique_ptr<ModuleBackend> for_another_thread() { return nullptr; }
};

/// The libkmod backend for the running kernel; see kmod_backend.cpp.
std::unique_ptr<ModuleBackend> make_kmod_backend();

}  // namespace suspendfix
