// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <string>

#include "cli/context.hpp"
#include "sleep/state_format.hpp"

namespace suspendfix {

/// The watch header a `pre` writes now: a new generation, the clocks, the kernel's suspend
/// counters, the boot id, the sleep system it was called from, how long to wait for a post
/// and whether to load back at the wake (config.reloads_at_wake() for this sleep system).
WatchHeader make_watch_header(SleepType sleep, HookFrontend frontend, const SleepCaller& caller,
                              const AdminConfig& config);

/// Starts the self-healing watcher (`suspendfix watch`, a hidden command) for header and
/// returns at once, whatever happens: the watcher must never delay a sleep. Inside systemd's
/// sleep service, whose cgroup is killed when it ends, it is started as its own transient unit
/// with systemd-run; elsewhere, and when that fails, as a detached process (double fork,
/// setsid, stdio on /dev/null, logging to syslog). Never throws.
void start_watcher(const WatchHeader& header, const ScanOptions& scan);

}  // namespace suspendfix
