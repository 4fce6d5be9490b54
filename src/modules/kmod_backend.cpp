// SPDX-License-Identifier: GPL-2.0-or-later
// The libkmod backend. Semantics follow kmod's own modprobe (tools/modprobe.c): removal of one
// module at a time with O_NONBLOCK, loading through kmod_module_probe_insert_module so that
// dependencies, softdeps, modprobe.d options and install commands apply.
#include <libkmod.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <memory>
#include <string>

#include "error.hpp"
#include "log.hpp"
#include "modules/module_backend.hpp"
#include "timing.hpp"

namespace suspendfix {
namespace {

struct KmodCtxDeleter {
  void operator()(kmod_ctx* handle) const { kmod_unref(handle); }
};
struct KmodModuleDeleter {
  void operator()(kmod_module* handle) const { kmod_module_unref(handle); }
};
struct KmodListDeleter {
  void operator()(kmod_list* handle) const { kmod_module_unref_list(handle); }
};
using KmodCtxPtr = std::unique_ptr<kmod_ctx, KmodCtxDeleter>;
using KmodModulePtr = std::unique_ptr<kmod_module, KmodModuleDeleter>;
using KmodListPtr = std::unique_ptr<kmod_list, KmodListDeleter>;

/// libkmod's own messages go through our logger, as kmod's tools route them.
void kmod_log(void*, int priority, const char* file, int line, const char* function,
              const char* format, va_list arguments) {
  char buffer[512];
  std::vsnprintf(buffer, sizeof buffer, format, arguments);
  std::string message = std::string("libkmod: ") + buffer;
  while (!message.empty() && message.back() == '\n') message.pop_back();
  (void)file;
  (void)line;
  (void)function;
  log_message(priority <= 3 ? LogLevel::kWarning : LogLevel::kDebug, message);
}

class KmodBackend : public ModuleBackend {
 public:
  KmodBackend() : context_(kmod_new(nullptr, nullptr)) {
    if (!context_) throw Error("could not start libkmod", "", errno_string(errno ? errno : ENOMEM));
    kmod_set_log_fn(context_.get(), kmod_log, nullptr);
  }

  ModuleStatus status(const std::string& name) override {
    ModuleStatus status;
    KmodModulePtr module = lookup(name);
    if (!module) return status;
    const int initstate = kmod_module_get_initstate(module.get());
    if (initstate < 0) return status;  // -ENOENT: not in the kernel
    status.state = initstate == KMOD_MODULE_BUILTIN ? ModuleState::kBuiltin
                   : initstate == KMOD_MODULE_LIVE  ? ModuleState::kLive
                   : initstate == KMOD_MODULE_GOING ? ModuleState::kGoing
                                                    : ModuleState::kComing;
    // A built-in module with parameters has /sys/module/NAME but no initstate, which libkmod
    // reads as "coming" when modules.builtin does not list it (testing.md).
    if (status.state == ModuleState::kComing && !has_initstate(name))
      status.state = ModuleState::kBuiltin;
    if (status.state == ModuleState::kBuiltin) return status;
    status.refcount = std::max(0, kmod_module_get_refcnt(module.get()));
    KmodListPtr holders(kmod_module_get_holders(module.get()));
    kmod_list* item = nullptr;
    kmod_list_foreach(item, holders.get()) {
      KmodModulePtr holder(kmod_module_get_module(item));
      if (holder) status.holders.emplace_back(kmod_module_get_name(holder.get()));
    }
    std::sort(status.holders.begin(), status.holders.end());
    return status;
  }

  void unload(const std::string& name) override {
    PhaseTimer timer("unload " + name);
    KmodModulePtr module = lookup(name);
    if (!module) throw ModuleError("unload", name, ENOENT);
    // NOLOG: libkmod would log every busy retry; the executor logs the outcome once.
    const int result = kmod_module_remove_module(module.get(), KMOD_REMOVE_NOLOG);
    if (result < 0) throw ModuleError("unload", name, -result);
  }

  std::optional<std::vector<std::string>> dependencies(const std::string& name) override {
    KmodModulePtr module = lookup(name);
    if (!module) return std::nullopt;
    // modules.dep lists every dependency, not only the direct ones (depmod(8)).
    std::vector<std::string> names;
    auto add = [&names](kmod_list* list) {
      const KmodListPtr owned(list);
      kmod_list* item = nullptr;
      kmod_list_foreach(item, owned.get()) {
        KmodModulePtr other(kmod_module_get_module(item));
        if (other) names.emplace_back(kmod_module_get_name(other.get()));
      }
    };
    add(kmod_module_get_dependencies(module.get()));
    kmod_list* before = nullptr;
    kmod_list* after = nullptr;
    if (kmod_module_get_softdeps(module.get(), &before, &after) < 0) return std::nullopt;
    add(before);
    add(after);
    return names;
  }

  std::unique_ptr<ModuleBackend> for_another_thread() override {
    try {
      return std::make_unique<KmodBackend>();
    } catch (const Error&) {
      return nullptr;
    }
  }

  void load(const std::string& name) override {
    PhaseTimer timer("load " + name);
    KmodModulePtr module = lookup(name);
    if (!module) throw ModuleError("load", name, ENOENT);
    // As `modprobe NAME`: a blacklist entry only stops alias loads, not loads by name.
    const int result = kmod_module_probe_insert_module(
        module.get(), KMOD_PROBE_APPLY_BLACKLIST_ALIAS_ONLY, nullptr, nullptr, nullptr, nullptr);
    if (result < 0) throw ModuleError("load", name, -result);
    if (result > 0) throw ModuleError("load", name, EPERM);  // stopped by a blacklist
  }

 private:
  KmodModulePtr lookup(const std::string& name) {
    kmod_module* module = nullptr;
    if (kmod_module_new_from_name(context_.get(), name.c_str(), &module) < 0) return nullptr;
    return KmodModulePtr(module);
  }

  static bool has_initstate(const std::string& name) {
    struct stat info {};
    return stat(("/sys/module/" + name + "/initstate").c_str(), &info) == 0;
  }

  KmodCtxPtr context_;
};

}  // namespace

std::unique_ptr<ModuleBackend> make_kmod_backend() {
  PhaseTimer timer("libkmod context");
  return std::make_unique<KmodBackend>();
}

}  // namespace suspendfix
