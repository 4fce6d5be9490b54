// SPDX-License-Identifier: GPL-2.0-or-later
#include "sleep/suspend_stats.hpp"

#include <cerrno>
#include <cstdlib>
#include <sstream>

#include "error.hpp"
#include "text_file.hpp"

namespace suspendfix {
namespace {

constexpr const char* kCounterNames[SuspendStats::kCounterCount] = {"success",
                                                                    "fail",
                                                                    "failed_freeze",
                                                                    "failed_prepare",
                                                                    "failed_suspend",
                                                                    "failed_suspend_late",
                                                                    "failed_suspend_noirq",
                                                                    "failed_resume",
                                                                    "failed_resume_early",
                                                                    "failed_resume_noirq"};

std::string_view trim(std::string_view text) {
  const auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  return text;
}

std::optional<uint64_t> parse_unsigned(std::string_view text) {
  text = trim(text);
  if (text.empty() || text.size() > 20) return std::nullopt;
  uint64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    const uint64_t digit = static_cast<uint64_t>(c - '0');
    if (value > (UINT64_MAX - digit) / 10) return std::nullopt;
    value = value * 10 + digit;
  }
  return value;
}

std::optional<int> parse_errno(std::string_view text) {
  text = trim(text);
  bool negative = false;
  if (!text.empty() && text.front() == '-') {
    negative = true;
    text.remove_prefix(1);
  }
  const auto value = parse_unsigned(text);
  if (!value || *value > 4095) return std::nullopt;  // the kernel's errno range (MAX_ERRNO)
  return negative ? -static_cast<int>(*value) : static_cast<int>(*value);
}

std::optional<SuspendStats::Counter> counter_from_name(std::string_view name) {
  for (int counter = 0; counter < SuspendStats::kCounterCount; ++counter)
    if (name == kCounterNames[counter]) return static_cast<SuspendStats::Counter>(counter);
  return std::nullopt;
}

/// A device name or step as printed: at most the kernel's 40-byte field, printable ASCII only.
std::string clean_word(std::string_view text) {
  text = trim(text);
  std::string word;
  for (char c : text.substr(0, 64))
    if (c > ' ' && c < 0x7f) word.push_back(c);
  return word;
}

void add_last(SuspendStats& stats, std::string_view field, std::string_view value) {
  if (field == "last_failed_dev") {
    const std::string device = clean_word(value);
    if (!device.empty()) stats.last_failed_devices.push_back(device);
  } else if (field == "last_failed_errno") {
    if (const auto error = parse_errno(value); error && *error != 0)
      stats.last_failed_errnos.push_back(*error);
  } else if (field == "last_failed_step") {
    const std::string step = clean_word(value);
    if (!step.empty()) stats.last_failed_steps.push_back(step);
  }
}

}  // namespace

bool SuspendStats::empty() const {
  for (const auto& counter : counters)
    if (counter) return false;
  return true;
}

const char* suspend_stats_counter_name(SuspendStats::Counter counter) {
  return counter >= 0 && counter < SuspendStats::kCounterCount ? kCounterNames[counter] : "?";
}

void apply_suspend_stats_file(SuspendStats& stats, std::string_view name, std::string_view text) {
  if (const auto counter = counter_from_name(name)) {
    stats.counters[*counter] = parse_unsigned(text);
    return;
  }
  if (name == "last_hw_sleep") stats.last_hw_sleep_us = parse_unsigned(text);
  if (name == "total_hw_sleep") stats.total_hw_sleep_us = parse_unsigned(text);
  if (name == "max_hw_sleep") stats.max_hw_sleep_us = parse_unsigned(text);
  add_last(stats, name, text);
}

SuspendStats parse_debugfs_suspend_stats(std::string_view text) {
  SuspendStats stats;
  std::string current_field;  // the last_* field a continuation line ("\t\t\tvalue") belongs to
  std::istringstream lines{std::string(text)};
  std::string line;
  while (std::getline(lines, line)) {
    const size_t colon = line.find(':');
    if (colon == std::string::npos) {
      if (!current_field.empty()) add_last(stats, current_field, line);
      continue;
    }
    const std::string field{trim(std::string_view(line).substr(0, colon))};
    const std::string_view value = std::string_view(line).substr(colon + 1);
    if (field.rfind("last_", 0) == 0) {
      current_field = field;
      add_last(stats, field, value);
    } else if (const auto counter = counter_from_name(field)) {
      current_field.clear();
      stats.counters[*counter] = parse_unsigned(value);
    } else if (!current_field.empty() && trim(std::string_view(line).substr(0, colon)).empty()) {
      add_last(stats, current_field, value);  // a device name with a colon on its own line
    } else {
      current_field.clear();
    }
  }
  return stats;
}

std::optional<SuspendStats> read_suspend_stats(const std::string& sysfs_dir,
                                               const std::string& debugfs_file) {
  SuspendStats stats;
  const auto read_one = [&](const std::string& name) {
    try {
      apply_suspend_stats_file(stats, name, read_text_file(sysfs_dir + "/" + name, 4096));
    } catch (const Error&) {
      // A kernel without this file (older or newer): the field stays unknown.
    }
  };
  for (const char* name : kCounterNames) read_one(name);
  if (!stats.empty()) {
    for (const char* name : {"last_failed_dev", "last_failed_errno", "last_failed_step",
                             "last_hw_sleep", "total_hw_sleep", "max_hw_sleep"})
      read_one(name);
    return stats;
  }
  try {
    stats = parse_debugfs_suspend_stats(read_text_file(debugfs_file, 64 * 1024));
  } catch (const Error&) {
    return std::nullopt;
  }
  if (stats.empty()) return std::nullopt;
  return stats;
}

std::optional<SuspendStats::Counter> SuspendStatsDelta::device_step() const {
  for (auto counter : {SuspendStats::kFailedSuspend, SuspendStats::kFailedSuspendLate,
                       SuspendStats::kFailedSuspendNoirq, SuspendStats::kFailedResume,
                       SuspendStats::kFailedResumeEarly, SuspendStats::kFailedResumeNoirq})
    if (moved[counter] > 0) return counter;
  return std::nullopt;
}

std::optional<SuspendStats::Counter> SuspendStatsDelta::early_step() const {
  for (auto counter : {SuspendStats::kFailedFreeze, SuspendStats::kFailedPrepare})
    if (moved[counter] > 0) return counter;
  return std::nullopt;
}

SuspendStatsDelta diff(const SuspendStats& before, const SuspendStats& after) {
  SuspendStatsDelta delta;
  for (int counter = 0; counter < SuspendStats::kCounterCount; ++counter) {
    const auto& old_value = before.counters[counter];
    const auto& new_value = after.counters[counter];
    // Unknown on either side, or gone backwards (another boot): nothing is known to have moved.
    if (!old_value || !new_value || *new_value < *old_value) continue;
    const uint64_t moved = *new_value - *old_value;
    delta.moved[counter] = moved > INT64_MAX ? INT64_MAX : static_cast<int64_t>(moved);
  }
  return delta;
}

std::string format_suspend_counters(const SuspendStats& stats) {
  std::string text;
  for (int counter = 0; counter < SuspendStats::kCounterCount; ++counter) {
    if (!stats.counters[counter]) continue;
    if (!text.empty()) text += ' ';
    text += kCounterNames[counter];
    text += '=';
    text += std::to_string(*stats.counters[counter]);
  }
  return text;
}

SuspendStats parse_suspend_counters(std::string_view text) {
  SuspendStats stats;
  std::istringstream words{std::string(text)};
  std::string word;
  while (words >> word) {
    const size_t equals = word.find('=');
    if (equals == std::string::npos) continue;
    if (const auto counter = counter_from_name(std::string_view(word).substr(0, equals)))
      stats.counters[*counter] = parse_unsigned(std::string_view(word).substr(equals + 1));
  }
  return stats;
}

}  // namespace suspendfix
