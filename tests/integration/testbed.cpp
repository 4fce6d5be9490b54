// SPDX-License-Identifier: GPL-2.0-or-later
#include "integration/testbed.hpp"

#include <umockdev.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace suspendfix::testing {

namespace fs = std::filesystem;

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

Testbed::Testbed() : testbed_(umockdev_testbed_new()) {
  gchar* dir = umockdev_testbed_get_sys_dir(static_cast<UMockdevTestbed*>(testbed_));
  sys_dir_ = dir;
  g_free(dir);
}

Testbed::~Testbed() { g_object_unref(testbed_); }

bool Testbed::mocked() { return umockdev_in_mock_environment(); }

void Testbed::add_devices(const std::string& text) {
  GError* error = nullptr;
  if (!umockdev_testbed_add_from_string(static_cast<UMockdevTestbed*>(testbed_), text.c_str(),
                                        &error)) {
    const std::string message = error ? error->message : "unknown error";
    g_clear_error(&error);
    throw std::runtime_error("umockdev: " + message);
  }
}

void Testbed::remove_device(const std::string& syspath) {
  umockdev_testbed_remove_device(static_cast<UMockdevTestbed*>(testbed_), syspath.c_str());
}

void Testbed::load_machine(const std::string& name) {
  const std::string base = std::string(SUSPENDFIX_TEST_DATA) + "/machines/" + name;
  // A real machine's file opens with '#' lines naming its source; umockdev reads no comments.
  std::istringstream lines(read_file(base + ".umockdev"));
  std::string devices;
  for (std::string line; std::getline(lines, line);)
    if (line.empty() || line[0] != '#') devices += line + "\n";
  add_devices(devices);
  if (fs::exists(base + ".sysfs")) add_sysfs(read_file(base + ".sysfs"));
}

void Testbed::add_sysfs(const std::string& text) {
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream words(line);
    std::string verb, path;
    words >> verb >> path;
    const fs::path target = fs::path(sys_dir_) / path;
    if (verb == "dir") {
      fs::create_directories(target);
    } else if (verb == "file") {
      std::string content;
      std::getline(words >> std::ws, content);
      fs::create_directories(target.parent_path());
      std::ofstream(target) << content << "\n";
    } else if (verb == "link") {
      std::string link_target;
      words >> link_target;
      fs::create_directories(target.parent_path());
      std::error_code ignored;
      fs::remove(target, ignored);
      fs::create_symlink(link_target, target);
    } else {
      throw std::runtime_error("bad sysfs fixture line: " + line);
    }
  }
}

}  // namespace suspendfix::testing
