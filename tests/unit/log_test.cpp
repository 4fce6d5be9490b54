// SPDX-License-Identifier: GPL-2.0-or-later
#include "log.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "unit/test_dir.hpp"

namespace suspendfix {
namespace {

/// Runs body with stderr sent to a file; returns what was written.
template <typename Body>
std::string capture_stderr(const testing::TestDir& dir, bool journal, Body body) {
  const std::string path = (dir.path() / "stderr").string();
  const int file = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  const int saved = dup(STDERR_FILENO);
  dup2(file, STDERR_FILENO);
  struct stat info {};
  fstat(file, &info);
  if (journal)
    setenv("JOURNAL_STREAM",
           (std::to_string(info.st_dev) + ":" + std::to_string(info.st_ino)).c_str(), 1);
  else
    unsetenv("JOURNAL_STREAM");
  body();
  dup2(saved, STDERR_FILENO);
  close(saved);
  close(file);
  unsetenv("JOURNAL_STREAM");
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(Log, PlainLinesAreProgLevelMessage) {
  testing::TestDir dir;
  const std::string text = capture_stderr(dir, false, [] {
    log_setup({});
    log_warning("could not unload 'x': Device or resource busy, ignoring");
    log_notice("pre suspend: unloaded 'xhci_pci'");
    log_info("not shown at the default level");
  });
  EXPECT_EQ(text,
            "suspendfix: WARNING: could not unload 'x': Device or resource busy, ignoring\n"
            "suspendfix: pre suspend: unloaded 'xhci_pci'\n");
}

TEST(Log, JournalStreamGetsPriorityPrefixes) {
  testing::TestDir dir;
  const std::string text = capture_stderr(dir, true, [] {
    log_setup({});
    log_error("e");
    log_warning("w");
    log_notice("n");
  });
  EXPECT_EQ(text, "<3>suspendfix: ERROR: e\n<4>suspendfix: WARNING: w\n<5>suspendfix: n\n");
}

TEST(Log, VerboseShowsInfo) {
  testing::TestDir dir;
  LogOptions verbose;
  verbose.threshold = LogLevel::kInfo;
  const std::string text = capture_stderr(dir, false, [&] {
    log_setup(verbose);
    log_info("i");
    log_debug("d");
  });
  EXPECT_EQ(text, "suspendfix: i\n");
  log_setup({});
}

}  // namespace
}  // namespace suspendfix
