// SPDX-License-Identifier: GPL-2.0-or-later
#include "sleep/system_probe.hpp"

#include <dirent.h>
#include <time.h>
#include <unistd.h>

#include <cctype>
#include <cstdlib>
#include <sstream>

#include "error.hpp"
#include "text_file.hpp"

namespace suspendfix {
namespace {

int64_t clock_ns(clockid_t clock) {
  struct timespec now {};
  clock_gettime(clock, &now);
  return static_cast<int64_t>(now.tv_sec) * 1'000'000'000 + now.tv_nsec;
}

std::optional<std::string> read_small(const std::string& path) {
  try {
    return read_text_file(path, 64 * 1024);
  } catch (const Error&) {
    return std::nullopt;
  }
}

/// What the comm of a process says it is.
SleepCaller::Kind classify(const std::string& name) {
  if (name == "systemd-sleep") return SleepCaller::Kind::kProcess;
  // pm-action runs as the name it was called by; comm is cut at 15 characters.
  for (const char* pm : {"pm-action", "pm-suspend", "pm-hibernate", "pm-suspend-hybr"})
    if (name == pm) return SleepCaller::Kind::kProcess;
  if (name == "elogind" || name == "elogind-daemon") return SleepCaller::Kind::kDaemon;
  return SleepCaller::Kind::kNone;
}

/// Whether pid has a child other than this process: should elogind be a child subreaper, this
/// very watcher, orphaned by its double fork, would count as one of its hooks.
bool has_children(int pid) {
  const int self = getpid();
  const std::string id = std::to_string(pid);
  if (const auto children = read_small("/proc/" + id + "/task/" + id + "/children")) {
    std::istringstream words(*children);
    for (int child = 0; words >> child;)
      if (child != self) return true;
    return false;
  }
  // Kernels without CONFIG_PROC_CHILDREN: look for a process whose parent it is.
  DIR* proc = opendir("/proc");
  if (!proc) return false;
  bool found = false;
  while (const dirent* entry = readdir(proc)) {
    const int other = std::atoi(entry->d_name);
    if (other <= 0 || other == self) continue;
    const auto stat = read_process_stat(other);
    if (stat && stat->parent == pid && stat->state != 'Z') {
      found = true;
      break;
    }
  }
  closedir(proc);
  return found;
}

}  // namespace

std::string read_boot_id() {
  const auto text = read_small("/proc/sys/kernel/random/boot_id");
  if (!text) return "";
  const std::string id = text->substr(0, text->find('\n'));
  return is_valid_boot_id(id) ? id : "";
}

int64_t monotonic_ns() { return clock_ns(CLOCK_MONOTONIC); }

int64_t asleep_ns() {
  // Read around the boot clock, so that a preemption between the reads cannot fake a jump.
  const int64_t before = clock_ns(CLOCK_MONOTONIC);
  const int64_t boot = clock_ns(CLOCK_BOOTTIME);
  const int64_t after = clock_ns(CLOCK_MONOTONIC);
  return boot - (before + (after - before) / 2);
}

std::optional<ProcessStat> parse_process_stat(std::string_view text) {
  const size_t open = text.find('(');
  const size_t close = text.rfind(')');
  if (open == std::string_view::npos || close == std::string_view::npos || close < open)
    return std::nullopt;
  ProcessStat stat;
  stat.pid = std::atoi(std::string(text.substr(0, open)).c_str());
  stat.name = std::string(text.substr(open + 1, close - open - 1));
  std::istringstream fields{std::string(text.substr(close + 1))};
  // Field 3 is the state; the start time is field 22.
  std::string field;
  for (int number = 3; number <= 22 && fields >> field; ++number) {
    if (number == 3) stat.state = field.empty() ? '?' : field[0];
    if (number == 4) stat.parent = std::atoi(field.c_str());
    if (number == 22) {
      char* end = nullptr;
      stat.start_time = std::strtoull(field.c_str(), &end, 10);
      if (*end != '\0') return std::nullopt;
      return stat.pid > 0 ? std::optional<ProcessStat>(stat) : std::nullopt;
    }
  }
  return std::nullopt;
}

std::optional<ProcessStat> read_process_stat(int pid) {
  const auto text = read_small("/proc/" + std::to_string(pid) + "/stat");
  return text ? parse_process_stat(*text) : std::nullopt;
}

SleepCaller find_sleep_caller(int from,
                              const std::function<std::optional<ProcessStat>(int)>& read) {
  SleepCaller found;
  int pid = from;
  for (int depth = 0; depth < 32 && pid > 1; ++depth) {
    const auto stat = read(pid);
    if (!stat) break;
    const SleepCaller::Kind kind = classify(stat->name);
    if (kind == SleepCaller::Kind::kNone && found.kind != SleepCaller::Kind::kNone) break;
    if (kind != SleepCaller::Kind::kNone) {
      // The outermost of a run of matches: pm-action's subshells share its name.
      found = {kind, stat->pid, stat->start_time, stat->name};
      if (kind != SleepCaller::Kind::kProcess || stat->name == "systemd-sleep") break;
    }
    pid = stat->parent;
  }
  std::string name;
  for (char c : found.name)
    name += std::isalnum(static_cast<unsigned char>(c)) || c == '-' ? c : '_';
  found.name = name.empty() ? "?" : name;
  return found;
}

bool sleep_caller_busy(const SleepCaller& caller) {
  if (caller.kind == SleepCaller::Kind::kNone) return false;
  const auto stat = read_process_stat(caller.pid);
  if (!stat || stat->start_time != caller.start_time || stat->state == 'Z') return false;
  return caller.kind == SleepCaller::Kind::kProcess || has_children(caller.pid);
}

}  // namespace suspendfix
