// SPDX-License-Identifier: GPL-2.0-or-later
// This boot's journal through journalctl's JSON output. journalctl, not sd-journal: the
// journal's file format follows the installed systemd (compact mode, new compression), and
// the journalctl shipped with it always reads it, where a libsystemd linked at build time
// may not; it needs no build option and no library, and elogind systems without a journal
// simply have no journalctl, and diagnose reads /dev/kmsg there.
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <ctime>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "diagnose/log_sources.hpp"
#include "diagnose/log_stream.hpp"
#include "error.hpp"

namespace suspendfix {
namespace {

std::string journalctl_path() {
  if (const char* path = std::getenv("SUSPENDFIX_JOURNALCTL"); path && *path) return path;
  for (const char* path : {"/usr/bin/journalctl", "/bin/journalctl"})
    if (access(path, X_OK) == 0) return path;
  return {};
}

/// A journal field: a string, or an array of bytes when the value is not valid UTF-8.
std::string field(const nlohmann::json& entry, const char* name) {
  const auto it = entry.find(name);
  if (it == entry.end()) return {};
  if (it->is_string()) return it->get<std::string>();
  std::string bytes;
  if (it->is_array())
    for (const auto& byte : *it)
      if (byte.is_number_unsigned() && byte.get<unsigned>() < 256)
        bytes += static_cast<char>(byte.get<unsigned>());
  return bytes;
}

std::string local_time(const std::string& microseconds) {
  char* end = nullptr;
  const unsigned long long usec = std::strtoull(microseconds.c_str(), &end, 10);
  if (microseconds.empty() || *end != '\0') return {};
  const time_t seconds = static_cast<time_t>(usec / 1000000);
  tm local{};
  if (!localtime_r(&seconds, &local)) return {};
  char buffer[40];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%d %H:%M:%S", &local);
  return buffer;
}

}  // namespace

bool read_journal(const LogFeed& feed, std::string* why_not) {
  const std::string program = journalctl_path();
  if (program.empty()) {
    *why_not = "no journalctl";
    return false;
  }
  int pipe_fds[2];
  if (pipe2(pipe_fds, O_CLOEXEC) != 0) {
    *why_not = "pipe: " + errno_string(errno);
    return false;
  }
  const pid_t child = fork();
  if (child < 0) {
    *why_not = "fork: " + errno_string(errno);
    close(pipe_fds[0]);
    close(pipe_fds[1]);
    return false;
  }
  if (child == 0) {
    dup2(pipe_fds[1], STDOUT_FILENO);
    const int null = open("/dev/null", O_RDWR);
    if (null >= 0) {
      dup2(null, STDIN_FILENO);
      dup2(null, STDERR_FILENO);
    }
    // This boot, the kernel's messages and the sleep managers' (-b is ANDed with the rest).
    // Anyone can log as "systemd-sleep" (logger -t); only root's entries are the manager's.
    // _UID, like _TRANSPORT, is set by journald, not by the sender.
    const char* argv[] = {program.c_str(),
                          "-b",
                          "-o",
                          "json",
                          "--no-pager",
                          "-q",
                          "_TRANSPORT=kernel",
                          "+",
                          "SYSLOG_IDENTIFIER=systemd-sleep",
                          "_UID=0",
                          "+",
                          "SYSLOG_IDENTIFIER=elogind-daemon",
                          "_UID=0",
                          nullptr};
    execv(program.c_str(), const_cast<char* const*>(argv));
    _exit(127);
  }
  close(pipe_fds[1]);
  size_t entries = 0;
  const auto sink = [&](std::string_view line, bool cut) {
    if (cut || line.empty()) return;
    const auto entry = nlohmann::json::parse(line, nullptr, false);
    if (!entry.is_object()) return;
    std::string identifier = field(entry, "SYSLOG_IDENTIFIER");
    if (field(entry, "_TRANSPORT") == "kernel") {
      // journald reads /dev/kmsg whole: a line root's user space wrote there comes back as
      // _TRANSPORT=kernel with its own facility, which the kernel never lets be 0.
      if (const std::string facility = field(entry, "SYSLOG_FACILITY");
          !facility.empty() && facility != "0")
        return;
      identifier = "kernel";
    } else if (field(entry, "_UID") != "0")
      return;  // journalctl was told so already; a journalctl that ignored it is not trusted
    ++entries;
    feed(field(entry, "MESSAGE"), field(entry, "_KERNEL_DEVICE"), identifier,
         local_time(field(entry, "__REALTIME_TIMESTAMP")));
  };
  bool read_ok = true;
  try {
    read_log_stream(pipe_fds[0], program, 1024 * 1024, sink);
  } catch (const Error& error) {
    read_ok = false;
    *why_not = error.what();
  }
  close(pipe_fds[0]);
  int status = 0;
  while (waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  if (!read_ok) return false;
  if (entries == 0) {
    *why_not = WIFEXITED(status) && WEXITSTATUS(status) == 0
                   ? "the journal holds no kernel messages of this boot"
                   : "journalctl failed (no journal here?)";
    return false;
  }
  return true;
}

}  // namespace suspendfix
