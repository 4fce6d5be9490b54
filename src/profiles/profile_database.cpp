// SPDX-License-Identifier: GPL-2.0-or-later
#include "profiles/profile_database.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <map>
#include <set>

#include "config.hpp"
#include "log.hpp"
#include "profiles/profile_cache.hpp"
#include "profiles/profile_parser.hpp"
#include "text_file.hpp"

namespace suspendfix {
namespace {

namespace fs = std::filesystem;

constexpr size_t kMaxProfileBytes = 256 * 1024;

struct Candidate {
  fs::path path;
  bool system = false;
};

bool is_masked(const fs::path& path) {
  std::error_code error;
  return fs::is_symlink(path, error) && fs::read_symlink(path, error) == "/dev/null";
}

/// Collects relative name -> file for one directory; "" for a missing directory.
void collect(const ProfileDirectory& directory, std::map<std::string, Candidate>& files,
             std::vector<ProfileError>& errors) {
  std::error_code error;
  if (!fs::exists(directory.path, error)) return;
  if (!fs::is_directory(directory.path, error)) {
    errors.emplace_back(directory.path.string(), 0, 0, "not a directory");
    return;
  }
  fs::recursive_directory_iterator it(directory.path, fs::directory_options::none, error);
  if (error) {
    errors.emplace_back(directory.path.string(), 0, 0,
                        "could not read directory: " + error.message());
    return;
  }
  for (; it != fs::recursive_directory_iterator(); it.increment(error)) {
    if (error) {
      errors.emplace_back(directory.path.string(), 0, 0,
                          "could not read directory: " + error.message());
      return;
    }
    const fs::path& path = it->path();
    if (path.extension() != ".yaml") continue;
    if (it->is_directory(error)) continue;
    files[path.lexically_relative(directory.path).generic_string()] = {path, directory.system};
  }
}

/// Refuses, when running as root, a file in a system directory that someone else could have
/// written: a profile decides which drivers are removed from the kernel.
void check_system_file(const std::string& name, const struct stat& info, void*) {
  if (info.st_uid != 0)
    throw ProfileError(name, 0, 0,
                       "refusing a profile owned by uid " + std::to_string(info.st_uid) +
                           " in a system directory, not by root");
  if (info.st_mode & (S_IWGRP | S_IWOTH))
    throw ProfileError(name, 0, 0,
                       "refusing a profile writable by group or others in a system directory");
}

std::string read_profile_file(const Candidate& candidate, bool check_ownership) {
  return read_text_file(candidate.path.string(), kMaxProfileBytes,
                        check_ownership && candidate.system ? check_system_file : nullptr);
}

void load_files(const std::map<std::string, Candidate>& files, const LoadOptions& options,
                ProfileDatabase& database) {
  std::map<std::string, std::string> id_origin;
  for (const auto& [relative, candidate] : files) {
    if (is_masked(candidate.path)) continue;
    ++database.files_read;
    try {
      std::vector<ProfileError> warnings;
      Profile profile = parse_profile(read_profile_file(candidate, options.check_ownership),
                                      candidate.path.string(), &warnings);
      auto& sink = options.strict ? database.errors : database.warnings;
      sink.insert(sink.end(), warnings.begin(), warnings.end());
      if (options.strict && !warnings.empty()) continue;
      const auto [first, inserted] = id_origin.emplace(profile.id, profile.origin);
      if (!inserted)
        throw ProfileError(profile.origin, 0, 0,
                           "duplicate id '" + profile.id + "', first defined in " + first->second);
      profile.relative_name = relative;
      database.profiles.push_back(std::move(profile));
    } catch (const ProfileError& error) {
      database.errors.push_back(error);
    }
  }
}

}  // namespace

namespace {

/// The cache's view of the search path: what would change if a file were edited, replaced,
/// masked or given another owner or mode.
std::vector<CacheSource> cache_sources(const std::map<std::string, Candidate>& files) {
  std::vector<CacheSource> sources;
  for (const auto& [relative, candidate] : files) {
    CacheSource source;
    source.relative = relative;
    source.path = candidate.path.string();
    struct stat info {};
    if (is_masked(candidate.path)) {
      source.mode = 0;  // masked
    } else if (stat(source.path.c_str(), &info) == 0) {
      source.size = static_cast<uint64_t>(info.st_size);
      source.mtime_ns =
          static_cast<int64_t>(info.st_mtim.tv_sec) * 1000000000 + info.st_mtim.tv_nsec;
      source.inode = info.st_ino;
      source.mode = info.st_mode;
      source.uid = info.st_uid;
    }
    sources.push_back(source);
  }
  return sources;
}

std::string cache_file(const std::vector<ProfileDirectory>& directories,
                       const std::string& cache_directory) {
  std::string joined;
  for (const ProfileDirectory& directory : directories)
    joined += directory.path.string() + (directory.system ? ":system\n" : ":user\n");
  char name[40];
  std::snprintf(name, sizeof name, "profiles-%016llx.cache",
                static_cast<unsigned long long>(fnv1a(joined)));
  return cache_directory + "/" + name;
}

/// A cache that someone other than root could have written would decide, as root, which
/// drivers leave the kernel: refuse it as a profile would be refused.
void check_cache_file(const std::string& name, const struct stat& info, void*) {
  if (geteuid() == 0 && (info.st_uid != 0 || (info.st_mode & (S_IWGRP | S_IWOTH))))
    throw ProfileError(name, 0, 0, "refusing a cache not owned by root or writable by others");
}

void write_cache(const std::string& path, const std::string& bytes) {
  const fs::path directory = fs::path(path).parent_path();
  std::error_code error;
  fs::create_directories(directory, error);
  const std::string temporary = path + ".tmp";
  unlink(temporary.c_str());
  const int fd =
      open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
  if (fd < 0) {
    log_debug("could not write the profile cache " + path + ": " + errno_string(errno));
    return;
  }
  const bool written = write(fd, bytes.data(), bytes.size()) == static_cast<ssize_t>(bytes.size());
  close(fd);
  if (!written || rename(temporary.c_str(), path.c_str()) != 0) {
    unlink(temporary.c_str());
    log_debug("could not write the profile cache " + path);
    return;
  }
  log_debug("wrote the profile cache " + path);
}

}  // namespace

ProfileDatabase load_profile_database(const std::vector<ProfileDirectory>& directories,
                                      const LoadOptions& options) {
  ProfileDatabase database;
  std::map<std::string, Candidate> files;
  for (const ProfileDirectory& directory : directories) collect(directory, files, database.errors);
  if (options.cache_directory.empty() || !database.errors.empty()) {
    load_files(files, options, database);
    return database;
  }
  const std::vector<CacheSource> sources = cache_sources(files);
  const std::string key = std::string("ownership=") + (options.check_ownership ? "1" : "0") +
                          " strict=" + (options.strict ? "1" : "0");
  const std::string path = cache_file(directories, options.cache_directory);
  struct stat info {};
  if (lstat(path.c_str(), &info) == 0) {
    try {
      if (auto cached = deserialize_database(read_text_file(path, 256 << 20, check_cache_file),
                                             sources, key)) {
        cached->from_cache = true;
        log_debug("read " + std::to_string(cached->profiles.size()) + " profiles from the cache " +
                  path);
        return std::move(*cached);
      }
      log_debug("the profile cache " + path + " is stale, rebuilding it");
    } catch (const ProfileError& error) {
      log_warning(std::string(error.what()) + ", ignoring it");
    }
  }
  load_files(files, options, database);
  write_cache(path, serialize_database(database, sources, key));
  return database;
}

ProfileDatabase load_profile_paths(const std::vector<fs::path>& paths) {
  ProfileDatabase database;
  std::map<std::string, Candidate> files;
  for (const fs::path& path : paths) {
    std::error_code error;
    if (fs::is_directory(path, error)) {
      std::map<std::string, Candidate> below;
      collect({path, false}, below, database.errors);
      for (auto& [relative, candidate] : below) files[candidate.path.string()] = candidate;
    } else if (fs::exists(path, error) || fs::is_symlink(path, error)) {
      files[path.string()] = {path, false};
    } else {
      database.errors.emplace_back(path.string(), 0, 0, "no such file or directory");
    }
  }
  LoadOptions strict;
  strict.strict = true;
  load_files(files, strict, database);
  return database;
}

std::vector<ProfileDirectory> default_profile_directories() {
  return {{kVendorProfileDir, true}, {kSysconfProfileDir, true}};
}

}  // namespace suspendfix
