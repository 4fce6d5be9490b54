// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <memory>
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
};

/// The libkmod backend for the running kernel; see kmod_backend.cpp.
std::unique_ptr<ModuleBackend> make_kmod_backend();

}  // namespace suspendfix
