// SPDX-License-Identifier: GPL-2.0-or-later
#include "text_safety.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdio>

namespace suspendfix {
namespace {

struct Sequence {
  size_t length;  // bytes taken: the whole character, or the maximal ill-formed subpart
  bool valid;
  uint32_t code_point;
};

/// One character at `at`, by Unicode's table 3-7 of well-formed UTF-8 byte sequences.
Sequence decode(std::string_view text, size_t at) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(text[at + k]); };
  const unsigned char lead = byte(0);
  if (lead < 0x80) return {1, true, lead};
  size_t length = 0;
  unsigned char low = 0x80, high = 0xbf;  // the range of the second byte
  if (lead >= 0xc2 && lead <= 0xdf) {
    length = 2;
  } else if (lead >= 0xe0 && lead <= 0xef) {
    length = 3;
    if (lead == 0xe0) low = 0xa0;   // overlong
    if (lead == 0xed) high = 0x9f;  // surrogates
  } else if (lead >= 0xf0 && lead <= 0xf4) {
    length = 4;
    if (lead == 0xf0) low = 0x90;   // overlong
    if (lead == 0xf4) high = 0x8f;  // above U+10FFFF
  } else {
    return {1, false, 0};  // a continuation byte, C0, C1 (overlong) or F5..FF
  }
  uint32_t code_point = lead & (0x7f >> length);
  for (size_t k = 1; k < length; ++k) {
    if (at + k >= text.size()) return {k, false, 0};
    const unsigned char next = byte(k);
    const bool fits = k == 1 ? next >= low && next <= high : (next & 0xc0) == 0x80;
    if (!fits) return {k, false, 0};
    code_point = (code_point << 6) | (next & 0x3f);
  }
  return {length, true, code_point};
}

void append_hex(std::string& out, unsigned char c) {
  char buffer[8];
  std::snprintf(buffer, sizeof buffer, "\\x%02x", c);
  out += buffer;
}

/// What a terminal acts on: C0 and DEL, C1, and the bidirectional controls.
bool is_control(uint32_t code_point) {
  return code_point < 0x20 || code_point == 0x7f || (code_point >= 0x80 && code_point <= 0x9f) ||
         (code_point >= 0x202a && code_point <= 0x202e) ||
         (code_point >= 0x2066 && code_point <= 0x2069) || code_point == 0x200e ||
         code_point == 0x200f || code_point == 0x061c;
}

}  // namespace

size_t invalid_utf8_offset(std::string_view bytes) {
  for (size_t at = 0; at < bytes.size();) {
    const Sequence sequence = decode(bytes, at);
    if (!sequence.valid) return at;
    at += sequence.length;
  }
  return std::string_view::npos;
}

std::string to_valid_utf8(std::string_view text) {
  if (invalid_utf8_offset(text) == std::string_view::npos) return std::string(text);
  std::string out;
  out.reserve(text.size() + 8);
  for (size_t at = 0; at < text.size();) {
    const Sequence sequence = decode(text, at);
    if (sequence.valid)
      out.append(text.substr(at, sequence.length));
    else
      out += "\xef\xbf\xbd";  // U+FFFD REPLACEMENT CHARACTER
    at += sequence.length;
  }
  return out;
}

std::string escape_for_terminal(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t at = 0; at < text.size();) {
    const Sequence sequence = decode(text, at);
    if (!sequence.valid || is_control(sequence.code_point)) {
      for (size_t k = 0; k < sequence.length; ++k)
        append_hex(out, static_cast<unsigned char>(text[at + k]));
    } else {
      if (sequence.code_point == '\\') out += '\\';
      out.append(text.substr(at, sequence.length));
    }
    at += sequence.length;
  }
  return out;
}

std::string yaml_quoted(std::string_view text) {
  const std::string valid = to_valid_utf8(text);
  std::string out = "\"";
  for (char c : valid) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (byte < 0x20 || byte == 0x7f) {
      append_hex(out, byte);
    } else {
      out += c;
    }
  }
  return out + "\"";
}

std::string yaml_scalar(std::string_view text) {
  const auto plain_char = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-' || c == '.';
  };
  const bool plain = !text.empty() && text[0] != '-' && text[0] != '.' &&
                     std::all_of(text.begin(), text.end(), plain_char) && text != "null" &&
                     text != "Null" && text != "NULL";
  return plain ? std::string(text) : yaml_quoted(text);
}

}  // namespace suspendfix
