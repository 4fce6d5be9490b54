// SPDX-License-Identifier: GPL-2.0-or-later
#include "diagnose/profile_install.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <iterator>
#include <string>

#include "error.hpp"

namespace suspendfix {
namespace {

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

void make_directories(const std::filesystem::path& directory) {
  std::filesystem::path path;
  const size_t parts = static_cast<size_t>(std::distance(directory.begin(), directory.end()));
  size_t index = 0;
  for (const auto& part : directory) {
    path /= part;
    const bool checked = ++index + 2 > parts;  // the profile directory and local/ below it
    if (mkdir(path.c_str(), 0755) != 0 && errno != EEXIST)
      throw Error("could not create", path.string(), errno_string(errno));
    struct stat info {};
    if (lstat(path.c_str(), &info) != 0)
      throw Error("could not read", path.string(), errno_string(errno));
    if (!S_ISDIR(info.st_mode) && !S_ISLNK(info.st_mode))
      throw Error("could not install the profile", path.string(), "not a directory");
    // Root installs a profile only where only root can change what the hook will read.
    if (checked && geteuid() == 0 && S_ISDIR(info.st_mode) &&
        (info.st_uid != 0 || (info.st_mode & (S_IWGRP | S_IWOTH))))
      throw Error("refusing to install a profile below", path.string(),
                  "not owned by root, or writable by group or others");
  }
}

void write_all(int fd, const std::string& text, const std::string& path) {
  size_t done = 0;
  while (done < text.size()) {
    const ssize_t wrote = write(fd, text.data() + done, text.size() - done);
    if (wrote < 0) {
      if (errno == EINTR) continue;
      throw Error("could not write", path, errno_string(errno));
    }
    done += static_cast<size_t>(wrote);
  }
}

}  // namespace

InstallResult install_profile(const std::string& directory, const std::string& file_name,
                              const std::string& text) {
  if (file_name.empty() || file_name.find('/') != std::string::npos || file_name[0] == '.')
    throw Error("could not install the profile", file_name, "not a plain file name");
  InstallResult result;
  result.path = (std::filesystem::path(directory) / file_name).string();
  make_directories(directory);
  Fd dir(open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir.get() < 0) throw Error("could not open", directory, errno_string(errno));
  if (faccessat(dir.get(), file_name.c_str(), F_OK, AT_SYMLINK_NOFOLLOW) == 0) {
    result.existed = true;
    return result;
  }
  const std::string temporary = "." + file_name + "." + std::to_string(getpid()) + ".tmp";
  Fd file(openat(dir.get(), temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                 0644));
  if (file.get() < 0)
    throw Error("could not create", directory + "/" + temporary, errno_string(errno));
  try {
    write_all(file.get(), text, result.path);
    if (fchmod(file.get(), 0644) != 0)  // whatever the umask
      throw Error("could not set the mode of", result.path, errno_string(errno));
    if (geteuid() == 0 && fchown(file.get(), 0, 0) != 0)
      throw Error("could not give to root", result.path, errno_string(errno));
    if (fsync(file.get()) != 0) throw Error("could not write", result.path, errno_string(errno));
    if (linkat(dir.get(), temporary.c_str(), dir.get(), file_name.c_str(), 0) != 0) {
      if (errno != EEXIST) throw Error("could not install", result.path, errno_string(errno));
      result.existed = true;  // created meanwhile: never replaced
    }
  } catch (...) {
    unlinkat(dir.get(), temporary.c_str(), 0);
    throw;
  }
  unlinkat(dir.get(), temporary.c_str(), 0);
  fsync(dir.get());
  return result;
}

}  // namespace suspendfix
