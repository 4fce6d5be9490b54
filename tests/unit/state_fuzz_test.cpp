// SPDX-License-Identifier: GPL-2.0-or-later
// A mutation loop over the state and sleep-log parsers, the checks of tests/fuzz/fuzz_state
// and fuzz_sleeps where clang is missing: every truncation, and tens of thousands of random
// edits of real files, must parse without a crash, keep every line it cannot read, and come
// back the same through format and parse.
#include <gtest/gtest.h>

#include <random>
#include <set>
#include <sstream>

#include "sleep/sleep_log.hpp"
#include "sleep/state_format.hpp"

namespace suspendfix {
namespace {

constexpr char kBoot[] = "0c1f3b0e-6a4d-4f5e-9c2b-7d8e9f0a1b2c";

const std::string kState =
    std::string("# suspendfix state 2: what 'pre' did and 'post' or 'restore' must undo\n") +
    "watch generation=184467440737 boot=" + kBoot +
    " monotonic_ns=5000000000 asleep_ns=12 restore_after=10 sleep=suspend "
    "caller=daemon:700:4711:elogind\n"
    "counters success=3 fail=1 failed_freeze=0 failed_suspend=1\n"
    "unbind 0000:0f:00.0 xhci_hcd suspend 1732850000 nec " +
    kBoot + "\nremove 0000:00:19.0 e1000e hibernate 1732850001 - " + kBoot +
    "\nmodule xhci_pci - suspend 1732850002 nec-upd720200-xhci,other " + kBoot + "\n";

const std::string kSleeps = std::string("# suspendfix sleeps 1\npre ") + kBoot +
                            " 1732850000 suspend systemd-sleep asleep_ms=0 success=3 fail=1\n" +
                            "post " + kBoot +
                            " 1732850009 suspend systemd-sleep asleep_ms=8000 success=4 fail=1\n";

/// A few random edits: flip a byte, insert one, delete a run, duplicate or cut a line.
std::string mutate(std::string text, std::mt19937& random) {
  static const std::string alphabet = std::string("abz09-_.:,= #\n\t\x01\x7f\xff") + '\0' + kBoot;
  const int edits = 1 + static_cast<int>(random() % 4);
  for (int i = 0; i < edits && !text.empty(); ++i) {
    const size_t at = random() % text.size();
    switch (random() % 5) {
      case 0:
        text[at] = alphabet[random() % alphabet.size()];
        break;
      case 1:
        text.insert(at, 1, alphabet[random() % alphabet.size()]);
        break;
      case 2:
        text.erase(at, 1 + random() % 12);
        break;
      case 3: {
        const size_t end = text.find('\n', at);
        text.insert(at, text.substr(at, end == std::string::npos ? 20 : end - at + 1));
        break;
      }
      default:
        text.resize(at);
    }
  }
  return text;
}

/// The lines a parse must account for: every line that is not empty, a comment or header.
std::multiset<std::string> record_lines(const std::string& text) {
  std::multiset<std::string> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    const std::string line = text.substr(start, end - start);
    start = end + 1;
    std::istringstream words(line.substr(0, 16));  // as the parser finds the first word
    std::string first;
    words >> first;
    if (!line.empty() && line[0] != '#' && first != "watch" && first != "counters")
      lines.insert(line);
  }
  return lines;
}

void check_state(const std::string& text) {
  const ParsedState parsed = parse_state(text, "state");
  if (parsed.foreign()) {
    EXPECT_TRUE(parsed.file.records.empty());
    return;
  }
  for (const StateRecord& record : parsed.file.records) {
    if (record.kind != StateRecord::Kind::kUnreadable)
      EXPECT_FALSE(record.object.empty()) << excerpt(text, 400);
    if (!record.damaged()) EXPECT_LE(record.time, 253402300799);
  }
  // Nothing is dropped: every record line comes back, verbatim when it was damaged.
  const std::string formatted = format_state(parsed.file);
  if (text.find('\r') == std::string::npos) {
    std::multiset<std::string> kept;
    for (const StateRecord& record : parsed.file.records)
      kept.insert(record.damaged() ? record.verbatim : "");
    for (const std::string& line : record_lines(text))
      if (!kept.count(line)) {
        // A whole record is re-formatted: it must read back the same.
        const ParsedState again = parse_state("# suspendfix state 2\n" + line, "state");
        ASSERT_EQ(again.file.records.size(), 1u) << excerpt(line);
      }
  }
  EXPECT_EQ(record_lines(formatted).size(), record_lines(text).size()) << excerpt(text, 400);
  // Format and parse are a fixed point after one round.
  const ParsedState round = parse_state(formatted, "state");
  EXPECT_EQ(format_state(round.file), formatted) << excerpt(text, 400);
}

void check_sleeps(const std::string& text) {
  const SleepLog log = parse_sleep_log(text, "sleeps");
  const std::string formatted = format_sleep_log(log.entries);
  const SleepLog round = parse_sleep_log(formatted, "sleeps");
  EXPECT_TRUE(round.errors.empty()) << excerpt(text, 400);
  EXPECT_EQ(format_sleep_log(round.entries), formatted);
}

TEST(StateFuzz, EveryTruncationParses) {
  for (size_t cut = 0; cut <= kState.size(); ++cut) check_state(kState.substr(0, cut));
  for (size_t cut = 0; cut <= kSleeps.size(); ++cut) check_sleeps(kSleeps.substr(0, cut));
}

TEST(StateFuzz, RandomEditsParseKeepEveryLineAndRoundTrip) {
  std::mt19937 random(20261129);
  for (int i = 0; i < 20000; ++i) check_state(mutate(kState, random));
  for (int i = 0; i < 10000; ++i) check_sleeps(mutate(kSleeps, random));
}

}  // namespace
}  // namespace suspendfix
