// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <cerrno>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "error.hpp"
#include "modules/module_backend.hpp"

namespace suspendfix {

/// An in-memory kernel: modules with dependencies, holders derived from them, and injected
/// errors per module (kmod's "modname:return-code:err-code"). Records every call.
class FakeModuleBackend : public ModuleBackend {
 public:
  struct Module {
    bool loaded = false;
    bool builtin = false;
    int extra_refs = 0;  // users that are not modules (open devices)
    std::vector<std::string> depends;
  };

  /// Declares a module; loaded modules make their dependencies' holders.
  FakeModuleBackend& add(const std::string& name, bool loaded,
                         std::vector<std::string> depends = {}) {
    modules_[name].loaded = loaded;
    modules_[name].depends = std::move(depends);
    return *this;
  }
  FakeModuleBackend& builtin(const std::string& name) {
    modules_[name].builtin = true;
    return *this;
  }
  FakeModuleBackend& in_use(const std::string& name, int refs) {
    modules_[name].extra_refs = refs;
    return *this;
  }
  /// The next `times` unloads (or loads) of name fail with errno_value.
  void fail_unload(const std::string& name, int errno_value, int times = 1 << 30) {
    unload_errors_[name] = {errno_value, times};
  }
  void fail_load(const std::string& name, int errno_value, int times = 1 << 30) {
    load_errors_[name] = {errno_value, times};
  }

  ModuleStatus status(const std::string& name) override {
    ModuleStatus status;
    const auto it = modules_.find(name);
    if (it == modules_.end()) return status;
    if (it->second.builtin) {
      status.state = ModuleState::kBuiltin;
      return status;
    }
    if (!it->second.loaded) return status;
    status.state = ModuleState::kLive;
    status.holders = holders(name);
    status.refcount = static_cast<int>(status.holders.size()) + it->second.extra_refs;
    return status;
  }

  void unload(const std::string& name) override {
    calls.push_back("unload " + name);
    if (take_error(unload_errors_, name, "unload")) return;
    const auto it = modules_.find(name);
    if (it == modules_.end() || !it->second.loaded) throw ModuleError("unload", name, ENOENT);
    if (it->second.builtin) throw ModuleError("unload", name, ENOENT);
    if (!holders(name).empty() || it->second.extra_refs > 0)
      throw ModuleError("unload", name, EAGAIN);
    it->second.loaded = false;
  }

  void load(const std::string& name) override {
    calls.push_back("load " + name);
    if (take_error(load_errors_, name, "load")) return;
    const auto it = modules_.find(name);
    if (it == modules_.end()) throw ModuleError("load", name, ENOENT);
    for (const std::string& dependency : it->second.depends) load_quiet(dependency);
    it->second.loaded = true;
  }

  bool loaded(const std::string& name) const {
    const auto it = modules_.find(name);
    return it != modules_.end() && it->second.loaded;
  }

  std::vector<std::string> calls;

 private:
  struct Injected {
    int errno_value;
    int times;
  };

  std::vector<std::string> holders(const std::string& name) const {
    std::vector<std::string> out;
    for (const auto& [other, module] : modules_)
      if (module.loaded)
        for (const std::string& dependency : module.depends)
          if (dependency == name) out.push_back(other);
    return out;
  }
  void load_quiet(const std::string& name) {
    const auto it = modules_.find(name);
    if (it == modules_.end() || it->second.builtin) return;
    for (const std::string& dependency : it->second.depends) load_quiet(dependency);
    it->second.loaded = true;
  }
  /// Throws the injected error, if any; returns false otherwise.
  bool take_error(std::map<std::string, Injected>& errors, const std::string& name,
                  const char* action) {
    const auto it = errors.find(name);
    if (it == errors.end() || it->second.times <= 0) return false;
    --it->second.times;
    throw ModuleError(action, name, it->second.errno_value);
  }

  std::map<std::string, Module> modules_;
  std::map<std::string, Injected> unload_errors_;
  std::map<std::string, Injected> load_errors_;
};

}  // namespace suspendfix
