// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <chrono>
#include <string>

namespace suspendfix {

/// Wall time of one phase of a run (configuration, device scan, each unload...), for
/// bench/vm: with $SUSPENDFIX_TIMINGS set, or with --debug, it prints
/// "suspendfix: timing: PHASE 1.234 ms" when it stops. Figures only: nothing decides on them.
class PhaseTimer {
 public:
  explicit PhaseTimer(std::string phase);
  ~PhaseTimer() { stop(); }
  PhaseTimer(const PhaseTimer&) = delete;
  PhaseTimer& operator=(const PhaseTimer&) = delete;
  /// Reports now rather than at the end of the scope; later calls do nothing.
  void stop();

 private:
  std::string phase_;
  std::chrono::steady_clock::time_point start_;
  bool running_ = true;
};

/// Whether timings are printed ($SUSPENDFIX_TIMINGS, or debug logging).
bool timings_enabled();

}  // namespace suspendfix
