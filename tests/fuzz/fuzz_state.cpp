// SPDX-License-Identifier: GPL-2.0-or-later
// The state file parser on any bytes (sleep/state_format.hpp): no crash, no undefined
// behaviour; every line that is not a header, a comment or empty comes back, verbatim when it
// could not be read; and format then parse is a fixed point.
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>

#include "exercise.hpp"
#include "sleep/state_format.hpp"

using namespace suspendfix;

namespace {

/// The record lines a parse must keep, found as the parser finds a line's first word.
size_t record_lines(const std::string& text) {
  size_t count = 0, start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    const std::string line = text.substr(start, end - start);
    start = end + 1;
    std::istringstream words(line.substr(0, 16));
    std::string first;
    words >> first;
    if (line.empty() || line[0] == '#' || first == "watch" || first == "counters") continue;
    ++count;
  }
  return count;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  const ParsedState parsed = parse_state(text, "state");
  for (const ProfileError& error : parsed.errors) fuzz::exercise(error);
  if (parsed.foreign()) {
    fuzz::require(parsed.file.records.empty());
    return 0;
  }
  for (const StateRecord& record : parsed.file.records) {
    fuzz::require(record.kind == StateRecord::Kind::kUnreadable || !record.object.empty());
    fuzz::require(record.damaged() || (record.time >= 0 && record.time <= 253402300799));
    fuzz::require(record.kind != StateRecord::Kind::kModule || is_valid_module_name(record.object));
    excerpt(record.verbatim, 4096);
  }
  const std::string formatted = format_state(parsed.file);
  fuzz::require(record_lines(formatted) == record_lines(text));  // nothing dropped
  fuzz::require(format_state(parse_state(formatted, "state").file) == formatted);
  return 0;
}
