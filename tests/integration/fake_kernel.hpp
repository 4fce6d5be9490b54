// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <string>
#include <vector>

namespace suspendfix::testing {

/// A fake kernel for the real libkmod: a depmod-built module tree under a scratch root and the
/// preload shim (tests/fakekernel) that fakes the module syscalls, /sys/module and /proc.
class FakeKernel {
 public:
  static constexpr const char* kRelease = "6.1.0-27-amd64";

  /// Builds the tree with `loaded` (and their dependencies) live.
  explicit FakeKernel(const std::string& loaded);
  ~FakeKernel();

  /// Environment for a child: the shim first in LD_PRELOAD (before umockdev's, so /sys/module
  /// reaches the fake root), the fake root, the fake uname, the call log.
  std::vector<std::string> environment() const;

  bool loaded(const std::string& module) const;
  /// The fake syscalls so far: "delete xhci_pci 0", "init xhci_pci 0 ...".
  std::vector<std::string> calls() const;
  std::string root() const { return root_; }
  std::string module_path(const std::string& file) const;

 private:
  std::string root_;
};

}  // namespace suspendfix::testing
