// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <string>

namespace suspendfix {

/// Levels as fwupd uses them: debug for developers, info for --verbose, notice and up always.
enum class LogLevel { kDebug, kInfo, kNotice, kWarning, kError };

struct LogOptions {
  LogLevel threshold = LogLevel::kNotice;
  bool syslog = false;  // also send to syslog (kmod --syslog); forced when stderr is /dev/null
};

/// Sets up the sinks: stderr as "suspendfix: LEVEL: msg" (kmod), with a journald priority
/// prefix "<N>" when stderr is the journal ($JOURNAL_STREAM matches it), and syslog. May be
/// called again (a forked watcher whose stderr changed): the sinks are set up anew.
void log_setup(const LogOptions& options);
/// Writes one line; control characters and invalid UTF-8 in the message are escaped
/// (escape_for_terminal(), text_safety.hpp).
void log_message(LogLevel level, const std::string& message);
bool log_enabled(LogLevel level);
/// Changes only the threshold (`test` quiets the hook's own lines around its cycles).
void log_set_threshold(LogLevel threshold);

inline void log_debug(const std::string& message) { log_message(LogLevel::kDebug, message); }
inline void log_info(const std::string& message) { log_message(LogLevel::kInfo, message); }
inline void log_notice(const std::string& message) { log_message(LogLevel::kNotice, message); }
inline void log_warning(const std::string& message) { log_message(LogLevel::kWarning, message); }
inline void log_error(const std::string& message) { log_message(LogLevel::kError, message); }

}  // namespace suspendfix
