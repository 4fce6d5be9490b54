// SPDX-License-Identifier: GPL-2.0-or-later
#include "diagnose/log_stream.hpp"

#include <unistd.h>

#include <cerrno>
#include <vector>

#include "error.hpp"

namespace suspendfix {

void LineSplitter::push(std::string_view bytes) {
  while (!bytes.empty()) {
    const size_t newline = bytes.find('\n');
    const std::string_view part = bytes.substr(0, newline);
    if (line_.size() < max_length_) {
      const size_t room = max_length_ - line_.size();
      line_.append(part.substr(0, room));
      if (part.size() > room) cut_ = true;
    } else if (!part.empty()) {
      cut_ = true;
    }
    if (newline == std::string_view::npos) return;
    sink_(line_, cut_);
    line_.clear();
    cut_ = false;
    bytes.remove_prefix(newline + 1);
  }
}

void LineSplitter::finish() {
  if (line_.empty() && !cut_) return;
  sink_(line_, cut_);
  line_.clear();
  cut_ = false;
}

StreamSummary read_log_stream(int fd, const std::string& name, size_t max_length,
                              const LineSplitter::Sink& sink) {
  StreamSummary summary;
  LineSplitter splitter(max_length, sink);
  std::vector<char> block(64 * 1024);
  bool first = true;
  for (;;) {
    const ssize_t got = read(fd, block.data(), block.size());
    if (got < 0) {
      if (errno == EINTR) continue;
      throw Error("could not read the log", name, errno_string(errno));
    }
    if (got == 0) break;
    const std::string_view bytes(block.data(), static_cast<size_t>(got));
    if (first) {
      first = false;
      if (const size_t nul = bytes.find('\0'); nul != std::string_view::npos) {
        summary.binary = true;
        summary.binary_offset = nul;
        return summary;
      }
    }
    summary.bytes += static_cast<uint64_t>(got);
    splitter.push(bytes);
  }
  splitter.finish();
  return summary;
}

}  // namespace suspendfix
