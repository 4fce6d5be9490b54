// SPDX-License-Identifier: GPL-2.0-or-later
#include "diagnose/log_line.hpp"

#include <string>

#include "diagnose/log_sources.hpp"

namespace suspendfix {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

/// Counts the digits at text[at...].
size_t digits(std::string_view text, size_t at) {
  size_t n = 0;
  while (at + n < text.size() && is_digit(text[at + n])) ++n;
  return n;
}

/// "HH:MM:SS" at text[at], optionally ".frac": the length, or 0.
size_t clock_time(std::string_view text, size_t at) {
  if (at + 8 > text.size()) return 0;
  for (size_t i : {0, 1, 3, 4, 6, 7})
    if (!is_digit(text[at + i])) return 0;
  if (text[at + 2] != ':' || text[at + 5] != ':') return 0;
  size_t length = 8;
  if (at + length < text.size() && (text[at + length] == '.' || text[at + length] == ',')) {
    const size_t fraction = digits(text, at + length + 1);
    if (fraction > 0) length += 1 + fraction;
  }
  return length;
}

/// journalctl short: "<month> <day> HH:MM:SS[.usec] " (month names follow the locale: any
/// word up to 12 bytes). Returns the timestamp length, without the space after it, or 0.
size_t syslog_time(std::string_view text) {
  size_t at = 0;
  while (at < text.size() && at < 12 && text[at] != ' ') ++at;
  if (at == 0 || at >= text.size() || is_digit(text[0])) return 0;
  while (at < text.size() && text[at] == ' ') ++at;
  const size_t day = digits(text, at);
  if (day == 0 || day > 2 || at + day >= text.size() || text[at + day] != ' ') return 0;
  at += day + 1;
  const size_t time = clock_time(text, at);
  if (time == 0) return 0;
  at += time;
  return at < text.size() && text[at] == ' ' ? at : 0;
}

/// "YYYY-MM-DDTHH:MM:SS[.frac][Z|+HH:MM|+HHMM] ". Returns the length without the space, or 0.
size_t iso_time(std::string_view text) {
  if (text.size() < 20 || digits(text, 0) != 4 || text[4] != '-' || digits(text, 5) != 2 ||
      text[7] != '-' || digits(text, 8) != 2 || (text[10] != 'T' && text[10] != ' '))
    return 0;
  size_t at = 11;
  const size_t time = clock_time(text, at);
  if (time == 0) return 0;
  at += time;
  if (at < text.size() && text[at] == 'Z') {
    ++at;
  } else if (at < text.size() && (text[at] == '+' || text[at] == '-')) {
    ++at;
    at += digits(text, at);
    if (at < text.size() && text[at] == ':') at += 1 + digits(text, at + 1);
  }
  return at < text.size() && text[at] == ' ' ? at : 0;
}

/// After a syslog timestamp: "[host] ident[pid]: ". Sets identifier and returns the offset of
/// the message, or 0 when the words there are not a syslog header.
size_t syslog_header(std::string_view text, std::string_view* identifier) {
  const auto identifier_at = [&](size_t start) -> size_t {
    const size_t space = text.find(' ', start);
    const size_t end = space == std::string_view::npos ? text.size() : space;
    const std::string_view token = text.substr(start, end - start);
    if (token.size() < 2 || token.back() != ':') return 0;
    std::string_view name = token.substr(0, token.size() - 1);
    if (const size_t bracket = name.find('['); bracket != std::string_view::npos)
      name = name.substr(0, bracket);
    if (name.empty()) return 0;
    *identifier = name;
    return space == std::string_view::npos ? end : space + 1;
  };
  if (const size_t at = identifier_at(0)) return at;
  const size_t space = text.find(' ');
  if (space == std::string_view::npos || space == 0) return 0;
  return identifier_at(space + 1);  // the first word was the host name
}

/// dmesg's bracketed timestamp at the start: "[   12.470000]", "[  +0.000108]",
/// "[  553.264489,0]" (Android), "[Mon Jan  1 12:00:00 2024]", "[Jan 1 12:00]". Not "[drm]".
size_t dmesg_time(std::string_view text, std::string_view* timestamp) {
  if (text.empty() || text[0] != '[') return 0;
  const size_t close = text.find(']');
  if (close == std::string_view::npos || close > 40 || close < 2) return 0;
  const std::string_view inside = text.substr(1, close - 1);
  bool digit = false;
  for (char c : inside) {
    if (is_digit(c)) {
      digit = true;
    } else if (!(c == ' ' || c == '.' || c == ':' || c == '+' || c == ',' || c == '-' ||
                 is_alpha(c))) {
      return 0;
    }
  }
  size_t first = 0;
  while (first < inside.size() && inside[first] == ' ') ++first;
  if (!digit || first == inside.size()) return 0;
  const char lead = inside[first];
  if (!(is_digit(lead) || lead == '+' || (lead >= 'A' && lead <= 'Z'))) return 0;
  if (is_alpha(lead) && inside.find(':') == std::string_view::npos) return 0;  // "[Firmware 2]"
  *timestamp = inside.substr(first);
  size_t end = close + 1;
  if (end < text.size() && text[end] == ' ') ++end;
  return end;
}

}  // namespace

LogLine split_log_prefix(std::string_view line) {
  LogLine out;
  while (!line.empty() && (line.back() == '\r' || line.back() == '\n')) line.remove_suffix(1);
  // Mail quoting ("> > ") and the indentation of pasted logs.
  for (;;) {
    size_t skip = 0;
    while (skip < line.size() && (line[skip] == ' ' || line[skip] == '\t')) ++skip;
    if (skip < line.size() && line[skip] == '>') {
      line.remove_prefix(skip + 1);
      continue;
    }
    line.remove_prefix(skip);
    break;
  }
  // /dev/kmsg: "prio,seq,usec,flags[,more];message".
  if (const size_t semicolon = line.find(';');
      semicolon != std::string_view::npos && semicolon < 64 && !line.empty() && is_digit(line[0])) {
    const std::string_view head = line.substr(0, semicolon);
    size_t commas = 0;
    bool numeric = true;
    for (char c : head) {
      if (c == ',') ++commas;
      if (commas < 3 && c != ',' && !is_digit(c)) numeric = false;
    }
    if (commas >= 3 && numeric) {
      const size_t second = head.find(',', head.find(',') + 1);
      out.timestamp = head.substr(second + 1, head.find(',', second + 1) - second - 1);
      out.identifier = "kernel";
      line.remove_prefix(semicolon + 1);
      out.message = line;
      return out;
    }
  }
  // Syslog priority, as dmesg -r and Android's last_kmsg print it.
  if (line.size() > 2 && line[0] == '<') {
    const size_t close = line.find('>');
    if (close != std::string_view::npos && close >= 2 && close <= 4 && digits(line, 1) == close - 1)
      line.remove_prefix(close + 1);
  }
  size_t time = syslog_time(line);
  if (time == 0) time = iso_time(line);
  if (time > 0) {
    std::string_view identifier;
    const size_t header = syslog_header(line.substr(time + 1), &identifier);
    if (header > 0) {
      out.timestamp = line.substr(0, time);
      out.identifier = identifier;
      line.remove_prefix(time + 1 + header);
    }
  }
  std::string_view dmesg;
  if (const size_t skip = dmesg_time(line, &dmesg); skip > 0) {
    if (out.timestamp.empty()) out.timestamp = dmesg;
    line.remove_prefix(skip);
  }
  out.message = line;
  return out;
}

bool kernel_priority(std::string_view priority) {
  // prio = facility * 8 + level. The kernel's own messages are facility 0 (LOG_KERN); a
  // write to /dev/kmsg from user space gets LOG_USER, or the facility it names, never 0
  // (devkmsg_write()). journald keeps such lines as _TRANSPORT=kernel too.
  if (priority.empty() || priority.size() > 3) return false;
  int value = 0;
  for (const char c : priority) {
    if (c < '0' || c > '9') return false;
    value = value * 10 + (c - '0');
  }
  return value < 8;
}

void feed_kmsg_record(std::string_view text, const LogFeed& feed) {
  const size_t newline = text.find('\n');
  const std::string_view first = text.substr(0, newline);
  const size_t semicolon = first.find(';');
  if (semicolon == std::string_view::npos) return;
  const std::string_view header = first.substr(0, semicolon);
  if (!kernel_priority(header.substr(0, header.find(',')))) return;
  const size_t second = header.find(',', header.find(',') + 1);
  const std::string_view usec =
      second == std::string_view::npos
          ? std::string_view()
          : header.substr(second + 1, header.find(',', second + 1) - second - 1);
  std::string seconds;  // "12470000" microseconds, as dmesg shows them: "12.470000"
  if (usec.size() > 6)
    seconds = std::string(usec.substr(0, usec.size() - 6)) + "." +
              std::string(usec.substr(usec.size() - 6));
  feed(first.substr(semicolon + 1), kmsg_device(text), "kernel", seconds);
}

std::string_view kmsg_device(std::string_view record) {
  const size_t at = record.find("\n DEVICE=");
  if (at == std::string_view::npos) return {};
  std::string_view value = record.substr(at + 9);
  return value.substr(0, value.find('\n'));
}

}  // namespace suspendfix
