// SPDX-License-Identifier: GPL-2.0-or-later
#include "text_safety.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "json_output.hpp"
#include "spelling.hpp"

namespace suspendfix {
namespace {

constexpr size_t kValid = std::string_view::npos;

TEST(TextSafety, WellFormedUtf8IsTable3_7) {
  EXPECT_EQ(invalid_utf8_offset(""), kValid);
  EXPECT_EQ(invalid_utf8_offset("ThinkPad T510 — Contrôleur \xf0\x9f\x92\xbb"), kValid);
  EXPECT_EQ(invalid_utf8_offset("\xf4\x8f\xbf\xbf"), kValid) << "U+10FFFF, the last one";
  EXPECT_EQ(invalid_utf8_offset("\xed\x9f\xbf"), kValid) << "U+D7FF, just below the surrogates";
  EXPECT_EQ(invalid_utf8_offset("ab\xc0\xaf"), 2u) << "overlong '/'";
  EXPECT_EQ(invalid_utf8_offset("\xc1\xbf"), 0u) << "overlong";
  EXPECT_EQ(invalid_utf8_offset("\xe0\x9f\xbf"), 0u) << "overlong, three bytes";
  EXPECT_EQ(invalid_utf8_offset("\xf0\x8f\xbf\xbf"), 0u) << "overlong, four bytes";
  EXPECT_EQ(invalid_utf8_offset("\xed\xa0\x80"), 0u) << "U+D800";
  EXPECT_EQ(invalid_utf8_offset("\xed\xbf\xbf"), 0u) << "U+DFFF";
  EXPECT_EQ(invalid_utf8_offset("\xf4\x90\x80\x80"), 0u) << "U+110000";
  EXPECT_EQ(invalid_utf8_offset("\xf5\x80\x80\x80"), 0u);
  EXPECT_EQ(invalid_utf8_offset("x\x80"), 1u) << "a lone continuation byte";
  EXPECT_EQ(invalid_utf8_offset("xy\xe2\x82"), 2u) << "cut short";
}

TEST(TextSafety, InvalidBytesBecomeReplacementCharacters) {
  EXPECT_EQ(to_valid_utf8("LENOVO"), "LENOVO");
  EXPECT_EQ(to_valid_utf8("A\xff"
                          "B"),
            "A\xef\xbf\xbd"
            "B");
  // One U+FFFD per maximal ill-formed subpart, as the WHATWG decoder and Python do.
  EXPECT_EQ(to_valid_utf8("\xe2\x82"
                          "B"),
            "\xef\xbf\xbd"
            "B");
  EXPECT_EQ(to_valid_utf8("\xed\xa0\x80"), "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
  EXPECT_EQ(invalid_utf8_offset(to_valid_utf8("\xc0\xaf\xf4\x90\x80\x80\x80")), kValid);
}

TEST(TextSafety, EscapesWhatATerminalWouldActOn) {
  EXPECT_EQ(escape_for_terminal("plain: ThinkPad T510 — ü"), "plain: ThinkPad T510 — ü");
  EXPECT_EQ(escape_for_terminal("\x1b[2J\x1b]0;owned\x07"), "\\x1b[2J\\x1b]0;owned\\x07");
  EXPECT_EQ(escape_for_terminal("a\nb\rc\td\x7f"), "a\\x0ab\\x0dc\\x09d\\x7f");
  EXPECT_EQ(escape_for_terminal("\xc2\x9b"
                                "31m"),
            "\\xc2\\x9b31m")
      << "C1 CSI";
  EXPECT_EQ(escape_for_terminal("abc\xe2\x80\xae"
                                "fed"),
            "abc\\xe2\\x80\\xaefed")
      << "right-to-left override";
  EXPECT_EQ(escape_for_terminal("\xff\xc0\xaf"), "\\xff\\xc0\\xaf");
  EXPECT_EQ(escape_for_terminal(std::string("a\0b", 3)), "a\\x00b");
  // A backslash is doubled: the text "\x1b" never reads as an escaped ESC.
  EXPECT_EQ(escape_for_terminal("C:\\x1b"), "C:\\\\x1b");
  for (const char* text : {"\x1b[2J", "a\\x1b", "\xc2\x9b\xff", "\\n\n"}) {
    const std::string escaped = escape_for_terminal(text);
    EXPECT_EQ(escaped.find_first_of("\x1b\n\r\x07"), std::string::npos) << text;
    EXPECT_EQ(invalid_utf8_offset(escaped), std::string::npos) << text;
  }
}

TEST(TextSafety, JsonWriterNeverThrowsOnBytes) {
  // nlohmann's dump() throws type_error 316 on invalid UTF-8: `detect --json` printed nothing.
  nlohmann::ordered_json root;
  root["dmi"] = {{"sys_vendor", "LEN\xffVO"}, {"bad\xc0key", "x"}};
  root["list"] = {"\x1b[2J", "\xed\xa0\x80"};
  EXPECT_THROW(root.dump(), nlohmann::json::type_error);
  std::ostringstream out;
  write_json(root, out);
  const auto back = nlohmann::json::parse(out.str());
  EXPECT_EQ(back["dmi"]["sys_vendor"], "LEN\xef\xbf\xbdVO");
  EXPECT_EQ(back["dmi"]["bad\xef\xbf\xbdkey"], "x");
  EXPECT_EQ(back["list"][0], "\x1b[2J");
  EXPECT_NE(out.str().find("\\u001b[2J"), std::string::npos) << "JSON escapes the control";
  EXPECT_EQ(out.str().find('\x1b'), std::string::npos);
}

TEST(Spelling, SuggestsTheClosestCandidateOnly) {
  const std::vector<std::string> keys = {"unload_modules", "keep_modules",    "disable_profiles",
                                         "sleep_types",    "timeout_seconds", "busy_retry_ms"};
  EXPECT_EQ(closest_spelling("keep_module", keys), "keep_modules");
  EXPECT_EQ(closest_spelling("disabled_profiles", keys), "disable_profiles");
  EXPECT_EQ(closest_spelling("timeout", keys), "");
  EXPECT_EQ(did_you_mean("sleep_type", keys), ", did you mean 'sleep_types'?");
  EXPECT_EQ(did_you_mean("colour", keys), "");
}

TEST(TextSafety, YamlScalarIsPlainOnlyWhenItReadsBackTheSame) {
  EXPECT_EQ(yaml_scalar("xhci_hcd"), "xhci_hcd");
  EXPECT_EQ(yaml_scalar("snd-hda-intel"), "snd-hda-intel");
  EXPECT_EQ(yaml_scalar("8250"), "8250");
  for (const char* null_word : {"null", "Null", "NULL"})
    EXPECT_EQ(yaml_scalar(null_word), "\"" + std::string(null_word) + "\"");
  EXPECT_EQ(yaml_scalar(""), "\"\"");
  EXPECT_EQ(yaml_scalar("-x"), "\"-x\"");
  EXPECT_EQ(yaml_scalar("a, b"), "\"a, b\"");
  EXPECT_EQ(yaml_scalar("a]\n"), "\"a]\\x0a\"");
}

}  // namespace
}  // namespace suspendfix
