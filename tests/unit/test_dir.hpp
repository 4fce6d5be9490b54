// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace suspendfix::testing {

/// A scratch directory removed at the end of the test.
class TestDir {
 public:
  TestDir() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "suspendfix-test-XXXXXX").string();
    path_ = mkdtemp(pattern.data());
  }
  ~TestDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  const std::filesystem::path& path() const { return path_; }

  /// Writes the file (mode 0644) and the directories above it (0755) whatever the umask, as
  /// the ownership checks want them.
  std::filesystem::path write(const std::string& relative, const std::string& text) const {
    const auto file = path_ / relative;
    std::filesystem::path directory = path_;
    for (const auto& part : std::filesystem::path(relative).parent_path()) {
      directory /= part;
      if (mkdir(directory.c_str(), 0755) == 0) chmod(directory.c_str(), 0755);
    }
    std::ofstream(file, std::ios::binary) << text;
    chmod(file.c_str(), 0644);
    return file;
  }

 private:
  std::filesystem::path path_;
};

/// A minimal valid profile with the given id, matching one PCI id.
inline std::string profile_text(const std::string& id, const std::string& vendor = "1033",
                                const std::string& device = "0194") {
  return "id: " + id + "\ndescription: test profile " + id + "\nsources: [test]\nmatch:\n  pci:\n" +
         "    - {vendor: \"" + vendor + "\", device: \"" + device + "\"}\nactions:\n" +
         "  unload_bound_module: true\n";
}

}  // namespace suspendfix::testing
