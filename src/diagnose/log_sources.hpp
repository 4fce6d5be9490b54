// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <functional>
#include <string>
#include <string_view>

namespace suspendfix {

/// Receives one log message with what the source knows of it beyond the text.
using LogFeed = std::function<void(std::string_view message, std::string_view kernel_device,
                                   std::string_view identifier, std::string_view timestamp)>;

/// This boot's kernel messages and the sleep managers' (systemd-sleep, elogind) from the
/// journal, through `journalctl -b -o json` ($SUSPENDFIX_JOURNALCTL replaces the program, for
/// tests). False, with the reason in *why_not, when there is no journal to read.
bool read_journal(const LogFeed& feed, std::string* why_not);

/// The kernel's ring buffer from /dev/kmsg, read without blocking up to its end (EAGAIN).
/// False, with the reason in *why_not, when it cannot be opened.
bool read_kmsg(const LogFeed& feed, std::string* why_not, const std::string& path = "/dev/kmsg");

/// One /dev/kmsg record ("prio,seq,usec,flags;message\n" and its " KEY=value" lines) into
/// feed, with the kernel's timestamp as dmesg shows it. A record without ';' is skipped, and
/// so is one that user space wrote (a facility other than the kernel's).
void feed_kmsg_record(std::string_view record, const LogFeed& feed);

/// Whether kmsg's first field, a syslog priority (facility * 8 + level: "6", "14"), has the
/// kernel's facility, 0. Nothing user space writes to /dev/kmsg has.
bool kernel_priority(std::string_view priority);

/// A /dev/kmsg record's continuation lines carry " DEVICE=+pci:0000:00:14.0": that value.
std::string_view kmsg_device(std::string_view record);

}  // namespace suspendfix
