// SPDX-License-Identifier: GPL-2.0-or-later
#include "profiles/cache_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>

#include "error.hpp"
#include "log.hpp"

namespace suspendfix {

namespace fs = std::filesystem;

bool prepare_cache_directory(const std::string& directory, TrustRule rule) {
  fs::path prefix;
  for (const fs::path& part : fs::absolute(directory)) {
    prefix /= part;
    struct stat info {};
    if (lstat(prefix.c_str(), &info) == 0 || errno != ENOENT) continue;
    // mkdir's mode is masked by the umask: set it again, explicitly.
    if ((mkdir(prefix.c_str(), 0755) != 0 && errno != EEXIST) || chmod(prefix.c_str(), 0755) != 0) {
      log_debug("could not create the profile cache directory " + prefix.string() + ": " +
                errno_string(errno));
      return false;
    }
  }
  try {
    check_trusted_directory(directory, rule);
  } catch (const FileError& error) {
    log_warning(std::string(error.what()) + "; not using the profile cache");
    return false;
  }
  return true;
}

std::optional<std::string> read_cache_file(const std::string& path, TrustRule rule) {
  struct stat info {};
  if (lstat(path.c_str(), &info) != 0 && errno == ENOENT) return std::nullopt;
  TrustedRead how;
  how.limit = 256 << 20;
  how.rule = rule;
  how.follow_link = false;
  try {
    return read_trusted_file(path, how);
  } catch (const FileError& error) {
    log_warning(std::string(error.what()) + ", ignoring the profile cache");
    return std::nullopt;
  }
}

void write_cache_file(const std::string& path, const std::string& bytes) {
  const std::string temporary = path + ".tmp";
  unlink(temporary.c_str());
  const int fd =
      open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
  if (fd < 0) {
    log_debug("could not write the profile cache " + path + ": " + errno_string(errno));
    return;
  }
  const bool written = fchmod(fd, 0644) == 0 &&
                       write(fd, bytes.data(), bytes.size()) == static_cast<ssize_t>(bytes.size());
  close(fd);
  if (!written || rename(temporary.c_str(), path.c_str()) != 0) {
    unlink(temporary.c_str());
    log_debug("could not write the profile cache " + path);
    return;
  }
  log_debug("wrote the profile cache " + path);
}

}  // namespace suspendfix
