// SPDX-License-Identifier: GPL-2.0-or-later
#include "error.hpp"

#include <cstring>

namespace suspendfix {
namespace {

std::string join_parts(const std::string& context, const std::string& object,
                       const std::string& reason) {
  std::string out;
  for (const std::string* part : {&context, &object, &reason}) {
    if (part->empty()) continue;
    if (!out.empty()) out += ": ";
    out += *part;
  }
  return out;
}

std::string place(const std::string& file, int line, int column) {
  std::string out = file;
  if (line > 0) out += ":" + std::to_string(line);
  if (line > 0 && column > 0) out += ":" + std::to_string(column);
  return out;
}

}  // namespace

Error::Error(std::string context, std::string object, std::string reason)
    : std::runtime_error(join_parts(context, object, reason)),
      context_(std::move(context)),
      object_(std::move(object)),
      reason_(std::move(reason)) {}

FileError::FileError(std::string file, int line, int column, std::string reason)
    : Error("", place(file, line, column), std::move(reason)),
      file_(std::move(file)),
      line_(line),
      column_(column) {}

ModuleError::ModuleError(std::string action, std::string module, int errno_value)
    : Error("could not " + action + " '" + module + "'", "", errno_string(errno_value)),
      errno_(errno_value) {}

std::string errno_string(int errno_value) {
  // strerrordesc_np is glibc >= 2.32: no locale, no static buffer.
  const char* text = strerrordesc_np(errno_value);
  return text ? text : "error " + std::to_string(errno_value);
}

}  // namespace suspendfix
