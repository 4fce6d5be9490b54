// SPDX-License-Identifier: GPL-2.0-or-later
#include "timing.hpp"

#include <cstdio>
#include <cstdlib>

#include "log.hpp"

namespace suspendfix {

bool timings_enabled() {
  static const bool asked = std::getenv("SUSPENDFIX_TIMINGS") != nullptr;
  return asked || log_enabled(LogLevel::kDebug);
}

PhaseTimer::PhaseTimer(std::string phase)
    : phase_(std::move(phase)), start_(std::chrono::steady_clock::now()) {}

void PhaseTimer::stop() {
  if (!running_) return;
  running_ = false;
  if (!timings_enabled()) return;
  const std::chrono::duration<double, std::milli> took = std::chrono::steady_clock::now() - start_;
  char figure[32];
  std::snprintf(figure, sizeof figure, " %.3f ms", took.count());
  // Notice, not debug: $SUSPENDFIX_TIMINGS alone must print them.
  log_message(LogLevel::kNotice, "timing: " + phase_ + figure);
}

}  // namespace suspendfix
