// SPDX-License-Identifier: GPL-2.0-or-later
#include "trusted_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <filesystem>

#include "enum_names.hpp"
#include "error.hpp"
#include "text_file.hpp"

namespace suspendfix {
namespace {

namespace fs = std::filesystem;

constexpr EnumName<TrustedEntry> kEntryNouns[] = {{TrustedEntry::kFile, "a file"},
                                                  {TrustedEntry::kDirectory, "a directory"},
                                                  {TrustedEntry::kAncestor, "a directory above it"},
                                                  {TrustedEntry::kLink, "a symbolic link"}};
const char* noun(TrustedEntry entry) { return name_of(kEntryNouns, entry); }

void require_trusted(const std::string& path, const struct stat& info, TrustRule rule,
                     TrustedEntry entry) {
  const std::string reason = untrusted_reason(info, rule, entry);
  if (!reason.empty())
    throw FileError(path, 0, 0, std::string("refusing ") + noun(entry) + " " + reason);
}

/// Each directory from / down to `path` (the last one a kDirectory), by lstat.
void check_chain(const fs::path& path, TrustRule rule) {
  fs::path prefix;
  for (auto part = path.begin(); part != path.end(); ++part) {
    prefix /= *part;
    struct stat info {};
    if (lstat(prefix.c_str(), &info) != 0)
      throw FileError(prefix.string(), 0, 0, "could not check: " + errno_string(errno));
    if (S_ISLNK(info.st_mode)) {
      require_trusted(prefix.string(), info, rule, TrustedEntry::kLink);
      continue;  // what it leads to is checked along the resolved path
    }
    if (!S_ISDIR(info.st_mode)) throw FileError(prefix.string(), 0, 0, "not a directory");
    const bool last = std::next(part) == path.end();
    require_trusted(prefix.string(), info, rule,
                    last ? TrustedEntry::kDirectory : TrustedEntry::kAncestor);
  }
}

std::string resolved_path(const std::string& path) {
  char* resolved = realpath(path.c_str(), nullptr);
  if (!resolved) throw FileError(path, 0, 0, "could not resolve: " + errno_string(errno));
  std::string out(resolved);
  std::free(resolved);
  return out;
}

std::string parent_directory(const std::string& path) {
  const fs::path parent = fs::path(path).parent_path();
  return parent.empty() ? "." : parent.string();
}

}  // namespace

std::string untrusted_reason(const struct stat& info, TrustRule rule, TrustedEntry entry) {
  if (info.st_uid != 0 && info.st_uid != rule.owner)
    return "owned by uid " + std::to_string(info.st_uid) + ", not by root" +
           (rule.owner == 0 ? "" : " or uid " + std::to_string(rule.owner));
  if (entry == TrustedEntry::kLink || (info.st_mode & (S_IWGRP | S_IWOTH)) == 0) return "";
  switch (entry) {
    case TrustedEntry::kFile:
      return "writable by group or others";
    case TrustedEntry::kDirectory:
      return "writable by group or others: anyone could add a file to it, sticky bit or not";
    case TrustedEntry::kAncestor:
      return (info.st_mode & S_ISVTX) ? ""
                                      : "writable by group or others, without the sticky bit: "
                                        "anyone could replace what it holds";
    case TrustedEntry::kLink:
      break;
  }
  return "";
}

void check_trusted_directory(const std::string& directory, TrustRule rule) {
  check_chain(fs::absolute(directory), rule);
  check_chain(resolved_path(directory), rule);
}

std::string read_trusted_file(const std::string& path, const TrustedRead& how) {
  struct stat before {};
  if (lstat(path.c_str(), &before) != 0)
    throw FileError(path, 0, 0, "could not open: " + errno_string(errno));
  if (how.rule && how.check_directories) check_trusted_directory(parent_directory(path), *how.rule);
  if (S_ISLNK(before.st_mode)) {
    if (!how.follow_link) throw FileError(path, 0, 0, "refusing a symbolic link");
    if (how.rule) require_trusted(path, before, *how.rule, TrustedEntry::kLink);
    TrustedRead target = how;
    target.follow_link = false;
    target.check_directories = true;  // the target may be anywhere
    return read_trusted_file(resolved_path(path), target);
  }
  // Never open what is not a regular file: a device node may act on open.
  if (!S_ISREG(before.st_mode)) throw FileError(path, 0, 0, "not a regular file");
  const int fd = open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) throw FileError(path, 0, 0, "could not open: " + errno_string(errno));
  try {
    struct stat info {};
    if (fstat(fd, &info) != 0)
      throw FileError(path, 0, 0, "could not stat: " + errno_string(errno));
    if (!S_ISREG(info.st_mode) || info.st_dev != before.st_dev || info.st_ino != before.st_ino)
      throw FileError(path, 0, 0, "replaced while being opened");
    if (how.rule) require_trusted(path, info, *how.rule, TrustedEntry::kFile);
    std::string text = read_open_file(fd, path, info, how.limit);
    close(fd);
    return text;
  } catch (...) {
    close(fd);
    throw;
  }
}

}  // namespace suspendfix
