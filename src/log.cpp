// SPDX-License-Identifier: GPL-2.0-or-later
#include "log.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "enum_names.hpp"
#include "text_safety.hpp"

namespace suspendfix {
namespace {

struct LogState {
  LogOptions options;
  bool journal = false;
  bool syslog_open = false;
};

LogState& state() {
  static LogState instance;
  return instance;
}

/// systemd sets JOURNAL_STREAM=dev:inode for the stream it connected; if stderr is that very
/// stream, "<N>" prefixes carry the priority into the journal without libsystemd.
bool stderr_is_journal() {
  const char* stream = std::getenv("JOURNAL_STREAM");
  if (!stream) return false;
  unsigned long long device = 0, inode = 0;
  if (std::sscanf(stream, "%llu:%llu", &device, &inode) != 2) return false;
  struct stat info {};
  if (fstat(STDERR_FILENO, &info) != 0) return false;
  return info.st_dev == device && info.st_ino == inode;
}

/// elogind sends a post hook's output to /dev/null: then syslog is the only record.
bool stderr_is_dev_null() {
  struct stat err {
  }, null{};
  if (fstat(STDERR_FILENO, &err) != 0) return true;
  if (stat("/dev/null", &null) != 0) return false;
  return S_ISCHR(err.st_mode) && err.st_rdev == null.st_rdev;
}

int syslog_priority(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return LOG_DEBUG;
    case LogLevel::kInfo:
      return LOG_INFO;
    case LogLevel::kNotice:
      return LOG_NOTICE;
    case LogLevel::kWarning:
      return LOG_WARNING;
    case LogLevel::kError:
      return LOG_ERR;
  }
  return LOG_NOTICE;
}

constexpr EnumName<LogLevel> kLevelWords[] = {{LogLevel::kDebug, "DEBUG: "},
                                              {LogLevel::kInfo, ""},
                                              {LogLevel::kNotice, ""},
                                              {LogLevel::kWarning, "WARNING: "},
                                              {LogLevel::kError, "ERROR: "}};
const char* level_word(LogLevel level) { return name_of(kLevelWords, level); }

}  // namespace

void log_setup(const LogOptions& options) {
  LogState& s = state();
  s.options = options;
  s.journal = stderr_is_journal();
  if (stderr_is_dev_null()) s.options.syslog = true;
  if (s.syslog_open) {  // again (a forked watcher): a fresh connection, or none
    closelog();
    s.syslog_open = false;
  }
  if (s.options.syslog) {
    openlog("suspendfix", LOG_PID, LOG_DAEMON);
    s.syslog_open = true;
  }
}

bool log_enabled(LogLevel level) { return level >= state().options.threshold; }

void log_set_threshold(LogLevel threshold) { state().options.threshold = threshold; }

void log_message(LogLevel level, const std::string& raw) {
  const LogState& s = state();
  if (!log_enabled(level)) return;
  // Messages quote paths, profile keys, DMI strings and kernel text: one line each, and never
  // an escape sequence for the terminal or the log reader.
  const std::string message = escape_for_terminal(raw);
  std::string line;
  if (s.journal) line = "<" + std::to_string(syslog_priority(level)) + ">";
  line += "suspendfix: ";
  line += level_word(level);
  line += message;
  line += '\n';
  // One write per line, so that lines of parallel hooks never interleave mid-line.
  ssize_t ignored = write(STDERR_FILENO, line.data(), line.size());
  (void)ignored;
  if (s.syslog_open) syslog(syslog_priority(level), "%s", message.c_str());
}

}  // namespace suspendfix
