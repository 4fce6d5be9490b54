// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace suspendfix {

/// Cuts a byte stream into lines without ever holding more than one line (at most max_length
/// bytes of it: the rest of a longer line is skipped, and the line reported as cut), so that
/// a 1 GB log costs as little memory as a short one.
class LineSplitter {
 public:
  /// Called with each line, without its end of line, and whether it was cut.
  using Sink = std::function<void(std::string_view line, bool cut)>;

  LineSplitter(size_t max_length, Sink sink) : max_length_(max_length), sink_(std::move(sink)) {}
  void push(std::string_view bytes);
  /// The last line, when the stream does not end with a newline.
  void finish();

 private:
  size_t max_length_;
  Sink sink_;
  std::string line_;
  bool cut_ = false;
};

struct StreamSummary {
  uint64_t bytes = 0;
  /// The stream is not text: a NUL byte within its first block (a journal file, a gzip
  /// archive, an executable). Nothing was fed.
  bool binary = false;
  uint64_t binary_offset = 0;
};

/// Reads fd to its end (a file, a pipe, stdin), in blocks, and hands each line to sink.
/// Throws Error naming `name` when reading fails.
StreamSummary read_log_stream(int fd, const std::string& name, size_t max_length,
                              const LineSplitter::Sink& sink);

}  // namespace suspendfix
