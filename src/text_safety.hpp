// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace suspendfix {

/// Text from outside (DMI strings, hwdb names, profiles, paths, kernel logs) is bytes: not
/// necessarily UTF-8, and not safe for a terminal (STYLE.md section 11). It leaves the program
/// only through these: escape_for_terminal() for people (log.cpp applies it to every message),
/// to_valid_utf8() for JSON (write_json() applies it to every string), yaml_quoted() for drafts.

/// The offset of the first byte that does not start a well-formed UTF-8 sequence (Unicode
/// table 3-7, RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF), or npos.
size_t invalid_utf8_offset(std::string_view bytes);

/// For JSON and YAML: each ill-formed sequence (its maximal subpart, as the WHATWG decoder
/// reads it) becomes U+FFFD; valid text is kept.
std::string to_valid_utf8(std::string_view text);

/// For a terminal or a log line: control characters (C0, DEL, C1), bidirectional overrides
/// ("Trojan Source") and bytes that are not UTF-8 become \xNN, one per byte, and a backslash
/// becomes \\, so that nothing read from outside can move the cursor, change colours, retitle
/// the terminal or start a new line, and an escape cannot be mistaken for the text "\x1b".
std::string escape_for_terminal(std::string_view text);

/// For a YAML double-quoted scalar: valid UTF-8, with ", \ and control characters escaped.
std::string yaml_quoted(std::string_view text);

/// For a YAML scalar that reads best plain (a module name in a list): the text itself when a
/// YAML reader takes it back as that same string ([A-Za-z0-9_.-], not starting with '-' or
/// '.', and not one of YAML's words for null: a module named "null" would read as nothing),
/// else yaml_quoted().
std::string yaml_scalar(std::string_view text);

}  // namespace suspendfix
