// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <string>
#include <string_view>

namespace suspendfix {

/// Text from hardware and logs is bytes, not UTF-8 and not safe for a terminal.

/// For a terminal: control characters (C0, DEL, C1) and invalid UTF-8 bytes become \xNN,
/// and a backslash becomes \\, so that nothing read from a log can move the cursor, change
/// colours or retitle the terminal. Valid UTF-8 text is kept as it is.
std::string escape_for_terminal(std::string_view text);

/// For JSON and YAML: every invalid UTF-8 sequence becomes U+FFFD; valid text is kept.
std::string to_valid_utf8(std::string_view text);

/// For a YAML double-quoted scalar: valid UTF-8, with ", \ and control characters escaped.
std::string yaml_quoted(std::string_view text);

}  // namespace suspendfix
