// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <stdexcept>
#include <string>

namespace suspendfix {

/// The one error family of the project. what() reads "context: object: reason" (USBGuard),
/// with empty parts left out, so a message can be printed as it is.
class Error : public std::runtime_error {
 public:
  Error(std::string context, std::string object, std::string reason);

  const std::string& context() const { return context_; }
  const std::string& object() const { return object_; }
  const std::string& reason() const { return reason_; }

 private:
  std::string context_;
  std::string object_;
  std::string reason_;
};

/// A file that cannot be used: unreadable, refused (not root's, a FIFO, too large), or wrong
/// inside, with the place. what() reads "file:line:column: reason"; line and column count
/// from 1, 0 means unknown.
class FileError : public Error {
 public:
  FileError(std::string file, int line, int column, std::string reason);

  const std::string& file() const { return file_; }
  int line() const { return line_; }
  int column() const { return column_; }

 private:
  std::string file_;
  int line_;
  int column_;
};

/// What a profile or configuration file says is wrong (a bad key, a bad id, a bad value).
class ProfileError : public FileError {
 public:
  using FileError::FileError;
};

/// A kernel module operation failed; errno_value is positive (EBUSY, not -EBUSY).
class ModuleError : public Error {
 public:
  ModuleError(std::string action, std::string module, int errno_value);
  int errno_value() const { return errno_; }

 private:
  int errno_;
};

/// Devices could not be read (libudev or sysfs).
class HardwareError : public Error {
 public:
  using Error::Error;
};

/// Bad command-line usage; main() turns it into exit code 2.
class UsageError : public Error {
 public:
  explicit UsageError(std::string reason) : Error("", "", std::move(reason)) {}
};

/// strerror() in a thread-safe and locale-independent spelling.
std::string errno_string(int errno_value);

}  // namespace suspendfix
