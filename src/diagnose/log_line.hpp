// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <string_view>

namespace suspendfix {

/// One line of a log with the prefixes its writer added taken off. Views into the line.
struct LogLine {
  std::string_view message;     // what the program printed
  std::string_view timestamp;   // as printed ("12.470000", "Apr 28 14:36:08.059515"), or ""
  std::string_view identifier;  // syslog identifier ("kernel", "systemd-sleep"), or "" (dmesg)
};

/// Takes off, in this order, whatever of these a line carries: mail quote markers ("> "),
/// /dev/kmsg's "6,1234,5678,-;", a syslog priority "<6>", a journalctl short or short-precise
/// prefix ("Apr 28 14:36:08[.059515] [host] kernel: "), an ISO one
/// ("2024-06-02T06:23:31.469565+10:00 host kernel: "), then dmesg's "[   12.470000] " (also
/// "[  +0.000108]" and "[Mon Jan  1 12:00:00 2024]"), which kern.log keeps after "kernel: ".
/// A line with none of them is all message. Never fails.
LogLine split_log_prefix(std::string_view line);

}  // namespace suspendfix
