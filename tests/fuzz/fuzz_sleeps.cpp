// SPDX-License-Identifier: GPL-2.0-or-later
// The sleep log parser on any bytes (sleep/sleep_log.hpp): no crash, no undefined behaviour,
// and what it reads formats and reads back the same, without an error.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "exercise.hpp"
#include "sleep/sleep_log.hpp"

using namespace suspendfix;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const SleepLog log = parse_sleep_log(text, "sleeps");
  for (const ProfileError& error : log.errors) fuzz::exercise(error);
  const std::string formatted = format_sleep_log(log.entries);
  const SleepLog again = parse_sleep_log(formatted, "sleeps");
  fuzz::require(again.errors.empty());
  fuzz::require(again.entries.size() == log.entries.size());
  fuzz::require(format_sleep_log(again.entries) == formatted);
  return 0;
}
