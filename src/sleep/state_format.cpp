// SPDX-License-Identifier: GPL-2.0-or-later
#include "sleep/state_format.hpp"

#include <set>
#include <sstream>

#include "enum_names.hpp"
#include "hardware/device_backend.hpp"
#include "modules/module_name.hpp"

namespace suspendfix {

constexpr EnumName<StateRecord::Kind> kStateKindNames[] = {
    {StateRecord::Kind::kModule, "module"},
    {StateRecord::Kind::kUnbind, "unbind"},
    {StateRecord::Kind::kRemove, "remove"},
    {StateRecord::Kind::kUnreadable, "unreadable"},
};

constexpr EnumName<SleepCaller::Kind> kCallerKindNames[] = {
    {SleepCaller::Kind::kNone, "none"},
    {SleepCaller::Kind::kProcess, "process"},
    {SleepCaller::Kind::kDaemon, "daemon"},
};

namespace {

constexpr char kHeaderPrefix[] = "# suspendfix state ";
constexpr char kHeaderText[] = ": what 'pre' did and 'post' or 'restore' must undo";
constexpr int64_t kLatestTime = 253402300799;  // 9999-12-31 23:59:59 UTC
constexpr size_t kRecordFields = 7;

std::vector<std::string> split_words(std::string_view line) {
  std::vector<std::string> words;
  std::istringstream stream{std::string(line)};
  for (std::string word; stream >> word;) words.push_back(word);
  return words;
}

/// A decimal number without sign, at most `high`; nullopt for anything else (overflow too).
std::optional<uint64_t> parse_number(std::string_view text, uint64_t high) {
  if (text.empty() || text.size() > 20) return std::nullopt;
  uint64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    const uint64_t digit = static_cast<uint64_t>(c - '0');
    if (value > (high - digit) / 10) return std::nullopt;
    value = value * 10 + digit;
  }
  return value;
}

bool is_safe_word(std::string_view word) {
  if (word.empty() || word.size() > 128) return false;
  for (char c : word)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.' ||
          c == ':' || c == ','))
      return false;
  return true;
}

std::optional<StateRecord::Kind> kind_from_name(std::string_view name) {
  const auto kind = value_of(kStateKindNames, name);
  if (kind == StateRecord::Kind::kUnreadable) return std::nullopt;  // a verdict, never written
  return kind;
}

bool valid_object(StateRecord::Kind kind, const std::string& object) {
  return kind == StateRecord::Kind::kModule ? is_valid_module_name(object)
                                            : is_valid_pci_slot(object);
}

/// Reads one record line as far as it goes. Fills record and returns "" when the line is
/// whole, else what is wrong (record.kind is then kUnreadable unless kind and object were read).
std::string read_record(std::string_view line, StateRecord& record) {
  const std::vector<std::string> words = split_words(line);
  record.kind = StateRecord::Kind::kUnreadable;
  const auto kind = words.empty() ? std::nullopt : kind_from_name(words[0]);
  if (!kind) return "unknown kind '" + excerpt(words.empty() ? "" : words[0], 20) + "'";
  if (words.size() < 2) return "cut short before its object";
  if (!valid_object(*kind, words[1]))
    return std::string(*kind == StateRecord::Kind::kModule ? "bad module name '"
                                                           : "bad PCI slot '") +
           excerpt(words[1], 40) + "'";
  record.kind = *kind;
  record.object = words[1];
  if (words.size() < 3) return "cut short after its object";
  if (*kind == StateRecord::Kind::kUnbind) {
    if (!is_valid_driver_name(words[2]) || words[2] == "-")
      return "no usable driver to bind it back to: '" + excerpt(words[2], 40) + "'";
    record.driver = words[2];
  } else if (*kind == StateRecord::Kind::kRemove && words[2] != "-") {
    // Which driver the device had, for a person: a rescan finds the driver by itself.
    if (!is_valid_driver_name(words[2])) return "bad driver '" + excerpt(words[2], 40) + "'";
    record.driver = words[2];
  } else if (*kind == StateRecord::Kind::kModule && words[2] != "-") {
    return "bad driver field '" + excerpt(words[2], 40) + "': expected '-'";
  }
  if (words.size() < kRecordFields)
    return "cut short: " + std::to_string(words.size()) + " of " + std::to_string(kRecordFields) +
           " fields";
  if (words.size() > kRecordFields) return "more than " + std::to_string(kRecordFields) + " fields";
  const auto sleep = sleep_type_from_name(words[3]);
  if (!sleep) return "bad sleep type '" + excerpt(words[3], 30) + "'";
  record.sleep = *sleep;
  const auto time = parse_number(words[4], kLatestTime);
  if (!time)
    return "bad time '" + excerpt(words[4], 30) + "': expected unix seconds from 0 to " +
           std::to_string(kLatestTime);
  record.time = static_cast<int64_t>(*time);
  if (!is_safe_word(words[5])) return "bad profiles '" + excerpt(words[5], 40) + "'";
  record.profiles = words[5] == "-" ? "" : words[5];
  if (words[6] != "-" && !is_valid_boot_id(words[6]))
    return "bad boot id '" + excerpt(words[6], 40) + "'";
  record.boot_id = words[6] == "-" ? "" : words[6];
  return "";
}

std::optional<SleepCaller> read_caller(const std::string& text) {
  SleepCaller caller;
  if (text == "none") return caller;
  // KIND:PID:START:NAME
  std::vector<std::string> parts;
  std::istringstream stream(text);
  for (std::string part; std::getline(stream, part, ':');) parts.push_back(part);
  if (parts.size() != 4) return std::nullopt;
  const auto kind = value_of(kCallerKindNames, parts[0]);
  if (!kind || *kind == SleepCaller::Kind::kNone) return std::nullopt;
  caller.kind = *kind;
  const auto pid = parse_number(parts[1], 4194304);  // PID_MAX_LIMIT
  const auto start = parse_number(parts[2], UINT64_MAX);
  if (!pid || *pid < 2 || !start || !is_safe_word(parts[3])) return std::nullopt;
  caller.pid = static_cast<int>(*pid);
  caller.start_time = *start;
  caller.name = parts[3];
  return caller;
}

/// "watch key=value ..."; nullopt when a key is missing or a value is bad.
std::optional<WatchHeader> read_watch(std::string_view line) {
  WatchHeader watch;
  std::set<std::string> seen;
  const std::vector<std::string> words = split_words(line);
  for (size_t i = 1; i < words.size(); ++i) {
    const size_t equals = words[i].find('=');
    if (equals == std::string::npos) return std::nullopt;
    const std::string key = words[i].substr(0, equals), value = words[i].substr(equals + 1);
    constexpr uint64_t kMaxNs = INT64_MAX;
    if (key == "generation") {
      const auto number = parse_number(value, UINT64_MAX);
      if (!number) return std::nullopt;
      watch.generation = *number;
    } else if (key == "boot") {
      if (value != "-" && !is_valid_boot_id(value)) return std::nullopt;
      watch.boot_id = value == "-" ? "" : value;
    } else if (key == "monotonic_ns" || key == "asleep_ns") {
      const auto number = parse_number(value, kMaxNs);
      if (!number) return std::nullopt;
      (key == "monotonic_ns" ? watch.pre_monotonic_ns : watch.asleep_ns) =
          static_cast<int64_t>(*number);
    } else if (key == "restore_after") {
      const auto number = parse_number(value, 3600);
      if (!number) return std::nullopt;
      watch.restore_after_seconds = static_cast<int>(*number);
    } else if (key == "sleep") {
      const auto sleep = sleep_type_from_name(value);
      if (!sleep) return std::nullopt;
      watch.sleep = *sleep;
    } else if (key == "caller") {
      const auto caller = read_caller(value);
      if (!caller) return std::nullopt;
      watch.caller = *caller;
    } else if (key == "at_wake") {  // optional: written only when set
      if (value != "0" && value != "1") return std::nullopt;
      watch.reload_at_wake = value == "1";
      continue;
    } else {
      continue;  // a key of a later release of version 2
    }
    seen.insert(key);
  }
  if (seen.size() != 7) return std::nullopt;
  return watch;
}

std::string format_caller(const SleepCaller& caller) {
  if (caller.kind == SleepCaller::Kind::kNone) return "none";
  return std::string(sleep_caller_kind_name(caller.kind)) + ":" + std::to_string(caller.pid) + ":" +
         std::to_string(caller.start_time) + ":" + caller.name;
}

}  // namespace

const char* state_kind_name(StateRecord::Kind kind) { return name_of(kStateKindNames, kind); }

const char* sleep_caller_kind_name(SleepCaller::Kind kind) {
  return name_of(kCallerKindNames, kind);
}

bool is_valid_boot_id(std::string_view text) {
  if (text.size() != 36) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? c != '-' : !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

std::string excerpt(std::string_view text, size_t limit) {
  if (text.size() <= limit) return std::string(text);
  return std::string(text.substr(0, limit)) + "...";
}

ParsedState parse_state(std::string_view text, const std::string& origin) {
  ParsedState state;
  size_t start = 0;
  int number = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = text.substr(start, end - start);
    start = end + 1;
    ++number;
    if (number == 1) {
      const std::string_view prefix(kHeaderPrefix);
      if (line.substr(0, prefix.size()) == prefix) {
        const std::string_view rest = line.substr(prefix.size());
        const auto version = parse_number(rest.substr(0, rest.find(':')), 1000000);
        state.version = version ? static_cast<int>(*version) : -1;
        if (state.foreign()) return state;  // another format: nothing of it can be trusted
        continue;
      }
      state.errors.emplace_back(origin, 1, 0,
                                "no '# suspendfix state 2' header; reading the lines anyway");
    }
    if (line.empty() || line.front() == '#') continue;
    const std::vector<std::string> words = split_words(line.substr(0, 16));
    const std::string first = words.empty() ? "" : words[0];
    if (first == "watch") {
      state.file.watch = read_watch(line);
      if (!state.file.watch)
        state.errors.emplace_back(origin, number, 0,
                                  "damaged watch line '" + excerpt(line, 80) + "', ignoring it");
      continue;
    }
    if (first == "counters") {
      if (state.file.watch) state.file.watch->counters = parse_suspend_counters(line.substr(8));
      continue;
    }
    StateRecord record;
    record.line = number;
    const std::string problem = read_record(line, record);
    if (!problem.empty()) {
      record.verbatim = std::string(line);
      record.problem = problem;
      state.errors.emplace_back(origin, number, 0,
                                "damaged record '" + excerpt(line, 80) + "': " + problem);
    }
    state.file.records.push_back(record);
  }
  return state;
}

std::string format_state(const StateFile& file) {
  std::string out = std::string(kHeaderPrefix) + std::to_string(kStateVersion) + kHeaderText + "\n";
  if (file.watch) {
    const WatchHeader& watch = *file.watch;
    out += "watch generation=" + std::to_string(watch.generation) +
           " boot=" + (watch.boot_id.empty() ? "-" : watch.boot_id) +
           " monotonic_ns=" + std::to_string(watch.pre_monotonic_ns) +
           " asleep_ns=" + std::to_string(watch.asleep_ns) +
           " restore_after=" + std::to_string(watch.restore_after_seconds) +
           " sleep=" + sleep_type_name(watch.sleep) + " caller=" + format_caller(watch.caller) +
           (watch.reload_at_wake ? " at_wake=1" : "") + "\n";
    out += "counters " + format_suspend_counters(watch.counters) + "\n";
  }
  for (const StateRecord& record : file.records) {
    if (record.damaged()) {
      out += record.verbatim + "\n";
      continue;
    }
    out += std::string(state_kind_name(record.kind)) + " " + record.object + " " +
           (record.driver.empty() ? "-" : record.driver) + " " + sleep_type_name(record.sleep) +
           " " + std::to_string(record.time) + " " +
           (record.profiles.empty() ? "-" : record.profiles) + " " +
           (record.boot_id.empty() ? "-" : record.boot_id) + "\n";
  }
  return out;
}

}  // namespace suspendfix
