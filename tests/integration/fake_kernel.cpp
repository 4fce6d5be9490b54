// SPDX-License-Identifier: GPL-2.0-or-later
#include "integration/fake_kernel.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "integration/run_command.hpp"

namespace suspendfix::testing {

namespace fs = std::filesystem;

FakeKernel::FakeKernel(const std::string& loaded) {
  std::string pattern = (fs::temp_directory_path() / "suspendfix-kernel-XXXXXX").string();
  root_ = mkdtemp(pattern.data());
  const auto result =
      run_command({"/bin/bash", SUSPENDFIX_MAKE_FAKE_ROOT, "--loaded", loaded, root_, kRelease});
  if (result.exit_code != 0) throw std::runtime_error("make_fake_root.sh failed: " + result.err);
}

FakeKernel::~FakeKernel() {
  std::error_code ignored;
  fs::remove_all(root_, ignored);
}

std::vector<std::string> FakeKernel::environment() const {
  const char* preload = std::getenv("LD_PRELOAD");
  std::string chain = SUSPENDFIX_FAKE_KERNEL_SHIM;
  if (preload && *preload) chain += std::string(":") + preload;
  return {"LD_PRELOAD=" + chain, "SUSPENDFIX_FAKE_ROOT=" + root_,
          std::string("SUSPENDFIX_FAKE_UNAME_R=") + kRelease,
          "SUSPENDFIX_FAKE_LOG=" + root_ + "/calls.log"};
}

bool FakeKernel::loaded(const std::string& module) const {
  return fs::exists(root_ + "/sys/module/" + module + "/initstate");
}

std::vector<std::string> FakeKernel::calls() const {
  std::vector<std::string> out;
  std::ifstream in(root_ + "/calls.log");
  for (std::string line; std::getline(in, line);) {
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out.push_back(line);
  }
  return out;
}

std::string FakeKernel::module_path(const std::string& file) const {
  for (const auto& entry : fs::recursive_directory_iterator(root_ + "/lib/modules"))
    if (entry.path().filename() == file) return entry.path().string();
  return "";
}

}  // namespace suspendfix::testing
