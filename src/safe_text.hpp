// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace suspendfix {

/// Text from outside (DMI strings, hwdb names, profiles, paths, the kernel) is bytes: not
/// necessarily UTF-8, and not safe for a terminal (STYLE.md section 11). These are the only
/// two ways such text leaves the program: printable() for people, valid_utf8() for JSON.

/// The offset of the first byte that does not start a well-formed UTF-8 sequence (Unicode
/// table 3-7: no overlong forms, no surrogates, nothing above U+10FFFF), or npos.
size_t invalid_utf8_offset(std::string_view bytes);

/// The bytes with each ill-formed sequence replaced by U+FFFD, as the WHATWG decoder does.
std::string valid_utf8(std::string_view bytes);

/// The text with everything a terminal would act on written out as an escape: C0 controls and
/// DEL as \n, \r, \t or \xNN, C1 controls as \u0080..\u009f, bidirectional overrides as \uNNNN
/// ("Trojan Source"), and bytes that are not UTF-8 as \xNN. Backslashes are kept, so escaping
/// twice changes nothing.
std::string printable(std::string_view text);

}  // namespace suspendfix
