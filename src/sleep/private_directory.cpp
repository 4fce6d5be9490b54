// SPDX-License-Identifier: GPL-2.0-or-later
#include "sleep/private_directory.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

#include "error.hpp"

namespace suspendfix {
namespace {

std::string open_problem(int error) {
  return error == ELOOP ? "it is a symbolic link" : errno_string(error);
}

std::string octal_mode(mode_t mode) {
  char text[8];
  std::snprintf(text, sizeof text, "%04o", static_cast<unsigned>(mode & 07777));
  return text;
}

}  // namespace

PrivateDirectory::PrivateDirectory(std::filesystem::path path) : path_(std::move(path)) {}

PrivateDirectory::~PrivateDirectory() {
  if (fd_ >= 0) close(fd_);
}

void PrivateDirectory::check_private(const struct stat& info, const std::string& path,
                                     const char* what) {
  const std::string context = std::string("refusing ") + what;
  if (info.st_uid != geteuid())
    throw Error(context, path,
                "it is owned by uid " + std::to_string(info.st_uid) + ", not by uid " +
                    std::to_string(geteuid()) +
                    " who runs suspendfix; another user could plant "
                    "records there");
  if ((info.st_mode & 022) != 0)
    throw Error(context, path,
                "group or others may write it (mode " + octal_mode(info.st_mode) +
                    "); another user could plant records there (chmod go-w fixes it)");
}

bool PrivateDirectory::open(bool create) {
  if (fd_ >= 0) return true;
  const std::string name = path_.string();
  if (create && mkdir(name.c_str(), 0700) != 0 && errno != EEXIST)
    throw Error("could not create state directory", name, errno_string(errno));
  const int fd = ::open(name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0 && errno == ENOENT && !create) return false;
  if (fd < 0)
    throw Error("refusing state directory", name,
                errno == ELOOP || errno == ENOTDIR ? "it is a symbolic link or not a directory"
                                                   : errno_string(errno));
  struct stat info {};
  if (fstat(fd, &info) != 0) {
    const int saved = errno;
    close(fd);
    throw Error("could not stat state directory", name, errno_string(saved));
  }
  try {
    check_private(info, name, "state directory");
  } catch (...) {
    close(fd);
    throw;
  }
  fd_ = fd;
  return true;
}

std::optional<std::string> PrivateDirectory::read(const std::string& name, size_t limit,
                                                  const std::string& what) const {
  const std::string path = path_of(name);
  const std::string refusing = "refusing " + what;
  const int fd =
      openat(fd_, name.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
  if (fd < 0 && errno == ENOENT) return std::nullopt;
  if (fd < 0) throw Error(refusing, path, open_problem(errno));
  std::string text;
  try {
    struct stat info {};
    if (fstat(fd, &info) != 0) throw Error("could not stat", path, errno_string(errno));
    if (!S_ISREG(info.st_mode)) throw Error(refusing, path, "it is not a regular file");
    check_private(info, path, what.c_str());
    if (static_cast<size_t>(info.st_size) > limit)
      throw Error(refusing, path,
                  "it is " + std::to_string(info.st_size) + " bytes, more than the limit of " +
                      std::to_string(limit));
    char buffer[8192];
    for (;;) {
      const ssize_t got = ::read(fd, buffer, sizeof buffer);
      if (got < 0 && errno == EINTR) continue;
      if (got < 0) throw Error("could not read", path, errno_string(errno));
      if (got == 0) break;
      text.append(buffer, static_cast<size_t>(got));
      if (text.size() > limit) throw Error(refusing, path, "it grew past the size limit");
    }
  } catch (...) {
    close(fd);
    throw;
  }
  close(fd);
  return text;
}

void PrivateDirectory::replace(const std::string& name, const std::string& text) const {
  const std::string temporary = name + ".tmp";
  // A leftover of a killed writer, or a planted link: removed, never written through.
  unlinkat(fd_, temporary.c_str(), 0);
  const int fd = openat(fd_, temporary.c_str(),
                        O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0600);
  if (fd < 0) throw Error("could not write", path_of(name), errno_string(errno));
  int error = 0;
  for (size_t done = 0; done < text.size() && error == 0;) {
    const ssize_t wrote = ::write(fd, text.data() + done, text.size() - done);
    if (wrote < 0 && errno == EINTR) continue;
    if (wrote <= 0)
      error = wrote < 0 ? errno : EIO;
    else
      done += static_cast<size_t>(wrote);
  }
  if (error == 0 && fsync(fd) != 0) error = errno;
  if (close(fd) != 0 && error == 0) error = errno;
  if (error == 0 && renameat(fd_, temporary.c_str(), fd_, name.c_str()) != 0) error = errno;
  if (error != 0) {
    unlinkat(fd_, temporary.c_str(), 0);  // a full tmpfs must not keep a half-written copy
    throw Error("could not write", path_of(name), errno_string(error));
  }
  fsync(fd_);
}

void PrivateDirectory::remove(const std::string& name) const {
  if (unlinkat(fd_, name.c_str(), 0) != 0 && errno != ENOENT)
    throw Error("could not remove", path_of(name), errno_string(errno));
  fsync(fd_);
}

int PrivateDirectory::open_lock(const std::string& name) const {
  const std::string path = path_of(name);
  const int fd =
      openat(fd_, name.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0600);
  if (fd < 0) throw Error("could not open lock", path, open_problem(errno));
  struct stat info {};
  try {
    if (fstat(fd, &info) != 0) throw Error("could not stat", path, errno_string(errno));
    if (!S_ISREG(info.st_mode)) throw Error("refusing lock", path, "it is not a regular file");
    check_private(info, path, "lock");
  } catch (...) {
    close(fd);
    throw;
  }
  return fd;
}

}  // namespace suspendfix
