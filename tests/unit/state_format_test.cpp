// SPDX-License-Identifier: GPL-2.0-or-later
#include "sleep/state_format.hpp"

#include <gtest/gtest.h>

namespace suspendfix {
namespace {

constexpr char kBoot[] = "0c1f3b0e-6a4d-4f5e-9c2b-7d8e9f0a1b2c";
constexpr char kHeader[] =
    "# suspendfix state 2: what 'pre' did and 'post' or 'restore' must undo\n";
const std::string kLine = std::string("module xhci_pci - suspend 1732850000 nec ") + kBoot;

StateRecord module(const std::string& name, const std::string& profiles = "nec") {
  StateRecord record;
  record.object = name;
  record.time = 1732850000;
  record.profiles = profiles;
  record.boot_id = kBoot;
  return record;
}

ParsedState parse(const std::string& body) { return parse_state(kHeader + body, "state"); }

TEST(StateFormat, RoundTripsRecordsAndTheWatchHeader) {
  StateFile file;
  StateRecord unbind;
  unbind.kind = StateRecord::Kind::kUnbind;
  unbind.object = "0000:0f:00.0";
  unbind.driver = "xhci_hcd";
  unbind.sleep = SleepType::kHibernate;
  unbind.boot_id = kBoot;
  file.records = {module("xhci_pci"), module("xhci_hcd", ""), unbind};
  WatchHeader watch;
  watch.generation = 123456789012;
  watch.boot_id = kBoot;
  watch.pre_monotonic_ns = 5'000'000'000;
  watch.asleep_ns = 42;
  watch.restore_after_seconds = 7;
  watch.caller = {SleepCaller::Kind::kProcess, 812, 4711, "systemd-sleep"};
  watch.counters = parse_suspend_counters("success=3 fail=1");
  file.watch = watch;
  const std::string text = format_state(file);
  EXPECT_EQ(text.substr(0, text.find('\n') + 1), kHeader);
  EXPECT_NE(text.find(kLine + "\n"), std::string::npos) << text;
  const ParsedState parsed = parse_state(text, "state");
  EXPECT_TRUE(parsed.errors.empty());
  ASSERT_EQ(parsed.file.records.size(), 3u);
  EXPECT_EQ(parsed.file.records[1].profiles, "");
  EXPECT_EQ(parsed.file.records[2].kind, StateRecord::Kind::kUnbind);
  EXPECT_EQ(parsed.file.records[2].driver, "xhci_hcd");
  EXPECT_EQ(parsed.file.records[2].sleep, SleepType::kHibernate);
  EXPECT_EQ(parsed.file.records[2].boot_id, kBoot);
  ASSERT_TRUE(parsed.file.watch);
  EXPECT_EQ(parsed.file.watch->generation, 123456789012u);
  EXPECT_EQ(parsed.file.watch->caller.pid, 812);
  EXPECT_EQ(parsed.file.watch->caller.start_time, 4711u);
  EXPECT_EQ(parsed.file.watch->caller.name, "systemd-sleep");
  EXPECT_EQ(parsed.file.watch->restore_after_seconds, 7);
  EXPECT_EQ(parsed.file.watch->counters.count(SuspendStats::kSuccess), 3u);
  EXPECT_EQ(format_state(parsed.file), text) << "byte for byte";
}

TEST(StateFormat, ReloadAtWakeIsWrittenOnlyWhenSetAndReadBack) {
  StateFile file;
  file.records = {module("xhci_pci")};
  WatchHeader watch;
  watch.boot_id = kBoot;
  watch.caller = {SleepCaller::Kind::kProcess, 812, 4711, "systemd-sleep"};
  file.watch = watch;
  EXPECT_EQ(format_state(file).find("at_wake"), std::string::npos) << "as earlier releases wrote";
  EXPECT_FALSE(parse_state(format_state(file), "state").file.watch->reload_at_wake);
  file.watch->reload_at_wake = true;
  const std::string text = format_state(file);
  EXPECT_NE(text.find("caller=process:812:4711:systemd-sleep at_wake=1\n"), std::string::npos)
      << text;
  const ParsedState parsed = parse_state(text, "state");
  ASSERT_TRUE(parsed.file.watch);
  EXPECT_TRUE(parsed.file.watch->reload_at_wake);
  std::string bad = text;
  bad.replace(bad.find("at_wake=1"), 9, "at_wake=y");
  EXPECT_FALSE(parse_state(bad, "state").file.watch) << "a bad value damages the line";
}

TEST(StateFormat, AnotherVersionIsReadNoFurther) {
  for (const char* header : {"# suspendfix state 1: what 'pre' did\n", "# suspendfix state 3\n",
                             "# suspendfix state x\n"}) {
    const ParsedState parsed = parse_state(std::string(header) + kLine + "\n", "state");
    EXPECT_TRUE(parsed.foreign()) << header;
    EXPECT_TRUE(parsed.file.records.empty()) << header;
  }
  EXPECT_EQ(parse_state("# suspendfix state 1: x\n", "state").version, 1);
}

TEST(StateFormat, AMissingHeaderIsReportedAndTheRecordsStillRead) {
  const ParsedState parsed = parse_state(kLine + "\n", "state");
  EXPECT_FALSE(parsed.foreign());
  ASSERT_EQ(parsed.errors.size(), 1u);
  ASSERT_EQ(parsed.file.records.size(), 1u);
  EXPECT_FALSE(parsed.file.records[0].damaged());
}

TEST(StateFormat, ALineCutAnywhereAfterTheModuleNameStillNamesTheModule) {
  const size_t name_end = kLine.find(" -");
  for (size_t cut = 1; cut < kLine.size(); ++cut) {
    const ParsedState parsed = parse(kLine.substr(0, cut) + "\n");
    ASSERT_EQ(parsed.file.records.size(), 1u) << cut;
    const StateRecord& record = parsed.file.records[0];
    EXPECT_TRUE(record.damaged()) << "cut at " << cut << ": " << kLine.substr(0, cut);
    EXPECT_EQ(record.verbatim, kLine.substr(0, cut));
    EXPECT_EQ(parsed.errors.size(), 1u);
    if (cut >= name_end) {
      EXPECT_EQ(record.kind, StateRecord::Kind::kModule) << cut;
      EXPECT_EQ(record.object, "xhci_pci") << cut;
    }
  }
}

// "unreadable" is the reader's verdict on a line, never a kind a writer puts on disk: a line
// that claims it is damaged, and its object is not taken for anything to undo.
TEST(StateFormat, UnreadableIsNotAKindALineMayClaim) {
  for (const char* object : {"xhci_pci", "0000:00:04.0"}) {
    const ParsedState parsed = parse(std::string("unreadable ") + object +
                                     " xhci_hcd suspend 1732850000 nec " + kBoot + "\n");
    ASSERT_EQ(parsed.file.records.size(), 1u) << object;
    EXPECT_TRUE(parsed.file.records[0].damaged()) << object;
    EXPECT_EQ(parsed.file.records[0].object, "") << object;
    ASSERT_EQ(parsed.errors.size(), 1u) << object;
    const std::string error = parsed.errors[0].what();
    EXPECT_NE(error.find("unreadable"), std::string::npos) << error;
  }
}

TEST(StateFormat, DamagedLinesAreWrittenBackVerbatim) {
  const std::string body = "module xhci_pci\n\x7f\x45LF garbage \x01\xff\n" + kLine + "\n";
  const ParsedState parsed = parse(body);
  ASSERT_EQ(parsed.file.records.size(), 3u);
  EXPECT_EQ(parsed.file.records[0].kind, StateRecord::Kind::kModule);
  EXPECT_EQ(parsed.file.records[0].problem, "cut short after its object");
  EXPECT_EQ(parsed.file.records[0].line, 2);
  EXPECT_EQ(parsed.file.records[1].kind, StateRecord::Kind::kUnreadable);
  EXPECT_EQ(format_state(parsed.file), kHeader + body);
  EXPECT_EQ(std::string(parsed.errors[1].what()),
            "state:3: damaged record '\x7f\x45LF garbage \x01\xff': unknown kind '\x7f\x45LF'")
      << "raw: the log escapes it on the way out";
}

TEST(StateFormat, NegativeHugeAndOverflowingTimesAreRefused) {
  for (const char* time : {"-5", "253402300800", "99999999999999999999", "1e9", "+5", ""}) {
    const ParsedState parsed =
        parse(std::string("module e1000e - suspend ") + time + " - " + kBoot + "\n");
    ASSERT_EQ(parsed.file.records.size(), 1u) << time;
    EXPECT_TRUE(parsed.file.records[0].damaged()) << time;
    EXPECT_EQ(parsed.file.records[0].object, "e1000e") << "still names the module";
  }
  const ParsedState latest = parse(std::string("module e1000e - suspend 253402300799 - ") + kBoot);
  EXPECT_FALSE(latest.file.records.at(0).damaged());
}

TEST(StateFormat, AnUnbindWithoutAUsableDriverIsDamagedButNamesItsDevice) {
  for (const char* driver : {"-", "..", "."}) {
    const ParsedState parsed =
        parse(std::string("unbind 0000:0f:00.0 ") + driver + " suspend 1 - " + kBoot + "\n");
    const StateRecord& record = parsed.file.records.at(0);
    EXPECT_TRUE(record.damaged()) << driver;
    EXPECT_EQ(record.kind, StateRecord::Kind::kUnbind) << driver;
    EXPECT_EQ(record.object, "0000:0f:00.0");
    EXPECT_EQ(record.driver, "");
  }
  // Nothing of "unbind .. .." can be acted on: not even a device.
  const ParsedState parsed = parse(std::string("unbind .. .. suspend 1 - ") + kBoot + "\n");
  EXPECT_EQ(parsed.file.records.at(0).kind, StateRecord::Kind::kUnreadable);
}

TEST(StateFormat, EveryFieldIsChecked) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"module ../etc - suspend 1 - BOOT", "bad module name '../etc'"},
      {"module e1000e - nap 1 - BOOT", "bad sleep type 'nap'"},
      {"module e1000e x suspend 1 - BOOT", "bad driver field 'x': expected '-'"},
      {"module e1000e - suspend 1 a/b BOOT", "bad profiles 'a/b'"},
      {"module e1000e - suspend 1 - not-a-boot-id", "bad boot id 'not-a-boot-id'"},
      {"module e1000e - suspend 1 - BOOT extra", "more than 7 fields"},
      {"remove 0000:00:19.0 a/b suspend 1 - BOOT", "bad driver 'a/b'"},
      {"frobnicate e1000e - suspend 1 - BOOT", "unknown kind 'frobnicate'"},
  };
  for (auto [line, problem] : cases) {
    if (const size_t at = line.find("BOOT"); at != std::string::npos) line.replace(at, 4, kBoot);
    const ParsedState parsed = parse(line + "\n");
    ASSERT_EQ(parsed.file.records.size(), 1u) << line;
    EXPECT_EQ(parsed.file.records[0].problem, problem) << line;
  }
}

TEST(StateFormat, ADamagedWatchLineIsDroppedAndReported) {
  const ParsedState parsed = parse("watch generation=x\ncounters success=1\n" + kLine + "\n");
  EXPECT_FALSE(parsed.file.watch);
  EXPECT_EQ(parsed.errors.size(), 1u);
  EXPECT_EQ(parsed.file.records.size(), 1u);
}

TEST(StateFormat, BootIdsArePrintedByTheKernelsRules) {
  EXPECT_TRUE(is_valid_boot_id(kBoot));
  EXPECT_FALSE(is_valid_boot_id("0C1F3B0E-6A4D-4F5E-9C2B-7D8E9F0A1B2C"));
  EXPECT_FALSE(is_valid_boot_id(std::string(kBoot).substr(0, 35)));
  EXPECT_FALSE(is_valid_boot_id("0c1f3b0e_6a4d-4f5e-9c2b-7d8e9f0a1b2c"));
}

TEST(StateFormat, ExcerptsAreCut) {
  EXPECT_EQ(excerpt("abcdef", 3), "abc...");
  EXPECT_EQ(excerpt("abc", 3), "abc");
}

}  // namespace
}  // namespace suspendfix
