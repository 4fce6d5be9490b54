// SPDX-License-Identifier: GPL-2.0-or-later
#include "diagnose/failure.hpp"

#include <cerrno>
#include <cstring>

#include "enum_names.hpp"

namespace suspendfix {

constexpr EnumName<FailureKind> kFailureKindNames[] = {
    {FailureKind::kDevice, "device"}, {FailureKind::kPrepare, "prepare"},
    {FailureKind::kFreeze, "freeze"}, {FailureKind::kWakeup, "wakeup"},
    {FailureKind::kHook, "hook"},     {FailureKind::kUnknown, "unknown"},
};

const char* failure_kind_name(FailureKind kind) { return name_of(kFailureKindNames, kind); }

std::string errno_name(int error) {
  if (error < 0) error = -error;
  struct Name {
    int value;
    const char* name;
  };
  // The errors drivers return from PM callbacks, and the kernel-internal ones
  // (include/linux/errno.h) that reach the log but no libc knows.
  static constexpr Name kNames[] = {
      {EPERM, "EPERM"},           {ENOENT, "ENOENT"},
      {EINTR, "EINTR"},           {EIO, "EIO"},
      {ENXIO, "ENXIO"},           {E2BIG, "E2BIG"},
      {EAGAIN, "EAGAIN"},         {ENOMEM, "ENOMEM"},
      {EACCES, "EACCES"},         {EFAULT, "EFAULT"},
      {EBUSY, "EBUSY"},           {EEXIST, "EEXIST"},
      {ENODEV, "ENODEV"},         {EINVAL, "EINVAL"},
      {ENOSPC, "ENOSPC"},         {ERANGE, "ERANGE"},
      {EDEADLK, "EDEADLK"},       {ENOSYS, "ENOSYS"},
      {ENODATA, "ENODATA"},       {ETIME, "ETIME"},
      {EPROTO, "EPROTO"},         {EBADMSG, "EBADMSG"},
      {EOVERFLOW, "EOVERFLOW"},   {EREMOTEIO, "EREMOTEIO"},
      {EOPNOTSUPP, "EOPNOTSUPP"}, {ECONNRESET, "ECONNRESET"},
      {ESHUTDOWN, "ESHUTDOWN"},   {ETIMEDOUT, "ETIMEDOUT"},
      {EALREADY, "EALREADY"},     {EINPROGRESS, "EINPROGRESS"},
      {ECANCELED, "ECANCELED"},   {ENOMEDIUM, "ENOMEDIUM"},
      {ENOLINK, "ENOLINK"},       {ENOTCONN, "ENOTCONN"},
      {EILSEQ, "EILSEQ"},         {512, "ERESTARTSYS"},
      {513, "ERESTARTNOINTR"},    {514, "ERESTARTNOHAND"},
      {515, "ENOIOCTLCMD"},       {517, "EPROBE_DEFER"},
      {524, "ENOTSUPP"},          {526, "EIOCBQUEUED"},
  };
  for (const Name& name : kNames)
    if (name.value == error) return name.name;
  return {};
}

std::optional<int> errno_from_text(const std::string& text) {
  if (text.empty()) return std::nullopt;
  for (int error = 1; error < 134; ++error) {
    const char* description = std::strerror(error);
    if (description && text == description) return error;
  }
  return std::nullopt;
}

}  // namespace suspendfix
