// SPDX-License-Identifier: GPL-2.0-or-later
#include "profiles/profile_database.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <map>
#include <set>

#include "config.hpp"
#include "log.hpp"
#include "profiles/cache_file.hpp"
#include "profiles/profile_cache.hpp"
#include "profiles/profile_parser.hpp"

namespace suspendfix {
namespace {

namespace fs = std::filesystem;

constexpr size_t kMaxProfileBytes = 256 * 1024;

struct Candidate {
  fs::path path;
  bool system = false;
};

/// The rule for a candidate: system directories only, and only when trust is asked for.
std::optional<TrustRule> rule_for(bool system, const LoadOptions& options) {
  return system ? options.trust : std::nullopt;
}

/// A link to /dev/null, absolute or relative (systemd's and hwdb's mask).
bool is_masked(const fs::path& path) {
  struct stat link {
  }, target{}, null{};
  return lstat(path.c_str(), &link) == 0 && S_ISLNK(link.st_mode) &&
         stat(path.c_str(), &target) == 0 && S_ISCHR(target.st_mode) &&
         stat("/dev/null", &null) == 0 && target.st_rdev == null.st_rdev;
}

/// Collects relative name -> file for one directory; "" for a missing directory. Under a rule,
/// the directory, every directory above it and every directory below it must be trusted; a
/// directory that is not is an error and nothing in it is read (it could mask or add profiles).
void collect(const ProfileDirectory& directory, const std::optional<TrustRule>& rule,
             std::map<std::string, Candidate>& files, std::vector<FileError>& errors) {
  std::error_code error;
  if (!fs::exists(directory.path, error)) return;
  if (!fs::is_directory(directory.path, error)) {
    errors.emplace_back(directory.path.string(), 0, 0, "not a directory");
    return;
  }
  try {
    if (rule) check_trusted_directory(directory.path.string(), *rule);
  } catch (const FileError& refused) {
    errors.push_back(refused);
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
    struct stat info {};
    if (rule && it->is_directory(error) && !it->is_symlink(error) &&
        lstat(path.c_str(), &info) == 0) {
      if (const std::string why = untrusted_reason(info, *rule, TrustedEntry::kDirectory);
          !why.empty()) {
        errors.emplace_back(path.string(), 0, 0, "refusing a directory " + why);
        it.disable_recursion_pending();
      }
      continue;
    }
    if (path.extension() != ".yaml") continue;
    if (it->is_directory(error)) continue;
    files[path.lexically_relative(directory.path).generic_string()] = {path, directory.system};
  }
}

std::string read_profile_file(const Candidate& candidate, const LoadOptions& options) {
  TrustedRead how;
  how.limit = kMaxProfileBytes;
  how.rule = rule_for(candidate.system, options);
  how.check_directories = false;  // collect() checked the whole tree
  return read_trusted_file(candidate.path.string(), how);
}

/// A mask is honoured only when whoever made the link was trusted.
bool masked(const Candidate& candidate, const LoadOptions& options) {
  if (!is_masked(candidate.path)) return false;
  const auto rule = rule_for(candidate.system, options);
  struct stat link {};
  if (rule && lstat(candidate.path.c_str(), &link) == 0) {
    if (const std::string why = untrusted_reason(link, *rule, TrustedEntry::kLink); !why.empty())
      throw FileError(candidate.path.string(), 0, 0, "refusing a mask " + why);
  }
  return true;
}

void load_files(const std::map<std::string, Candidate>& files, const LoadOptions& options,
                ProfileDatabase& database) {
  std::map<std::string, std::string> id_origin;
  for (const auto& [relative, candidate] : files) {
    try {
      if (masked(candidate, options)) continue;
    } catch (const FileError& error) {
      database.errors.push_back(error);
      continue;
    }
    ++database.files_read;
    try {
      std::vector<ProfileError> warnings;
      Profile profile =
          parse_profile(read_profile_file(candidate, options), candidate.path.string(), &warnings);
      auto& sink = options.strict ? database.errors : database.warnings;
      sink.insert(sink.end(), warnings.begin(), warnings.end());
      if (options.strict && !warnings.empty()) continue;
      const auto [first, inserted] = id_origin.emplace(profile.id, profile.origin);
      if (!inserted)
        throw ProfileError(profile.origin, 0, 0,
                           "duplicate id '" + profile.id + "', first defined in " + first->second);
      profile.relative_name = relative;
      database.profiles.push_back(std::move(profile));
    } catch (const FileError& error) {
      database.errors.push_back(error);
    }
  }
}

}  // namespace

namespace {

int64_t nanoseconds(const struct timespec& time) {
  return static_cast<int64_t>(time.tv_sec) * 1000000000 + time.tv_nsec;
}

/// The cache's view of the search path: what would change if a file were edited, replaced,
/// masked or given another owner or mode.
std::vector<CacheSource> cache_sources(const std::map<std::string, Candidate>& files) {
  std::vector<CacheSource> sources;
  for (const auto& [relative, candidate] : files) {
    CacheSource source;
    source.relative = relative;
    source.path = candidate.path.string();
    // One lstat for a plain file (the hook pays for each call before it unloads anything);
    // a link is followed, and a link to /dev/null is a mask.
    struct stat info {};
    bool found = lstat(source.path.c_str(), &info) == 0;
    if (found && S_ISLNK(info.st_mode))
      found = !is_masked(candidate.path) && stat(source.path.c_str(), &info) == 0;
    if (found) {
      source.size = static_cast<uint64_t>(info.st_size);
      // ctime too: an edit in place that keeps the size and puts the mtime back still moves
      // it, and nobody can set it back.
      source.mtime_ns = nanoseconds(info.st_mtim);
      source.ctime_ns = nanoseconds(info.st_ctim);
      source.inode = info.st_ino;
      source.mode = info.st_mode;
      source.uid = info.st_uid;
    }  // else masked or gone: all zero
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

}  // namespace

ProfileDatabase load_profile_database(const std::vector<ProfileDirectory>& directories,
                                      const LoadOptions& options) {
  ProfileDatabase database;
  std::map<std::string, Candidate> files;
  for (const ProfileDirectory& directory : directories)
    collect(directory, rule_for(directory.system, options), files, database.errors);
  // A cache is the user's own file: root's, or the effective user's when not root.
  const TrustRule cache_rule = options.trust.value_or(TrustRule{geteuid()});
  if (options.cache_directory.empty() || !database.errors.empty() ||
      !prepare_cache_directory(options.cache_directory, cache_rule)) {
    load_files(files, options, database);
    return database;
  }
  const std::vector<CacheSource> sources = cache_sources(files);
  const std::string key = std::string("trust=") +
                          (options.trust ? std::to_string(options.trust->owner) : "none") +
                          " strict=" + (options.strict ? "1" : "0");
  const std::string path = cache_file(directories, options.cache_directory);
  if (const auto bytes = read_cache_file(path, cache_rule)) {
    if (auto cached = deserialize_database(*bytes, sources, key)) {
      cached->from_cache = true;
      log_debug("read " + std::to_string(cached->profiles.size()) + " profiles from the cache " +
                path);
      return std::move(*cached);
    }
    log_debug("the profile cache " + path + " is stale, rebuilding it");
  }
  load_files(files, options, database);
  write_cache_file(path, serialize_database(database, sources, key));
  return database;
}

ProfileDatabase load_profile_paths(const std::vector<fs::path>& paths) {
  ProfileDatabase database;
  std::map<std::string, Candidate> files;
  for (const fs::path& path : paths) {
    std::error_code error;
    if (path.empty()) {
      database.errors.emplace_back("''", 0, 0, "empty path: name a profile file or directory");
    } else if (fs::is_directory(path, error)) {
      std::map<std::string, Candidate> below;
      const size_t errors = database.errors.size();
      collect({path, false}, std::nullopt, below, database.errors);
      if (below.empty() && database.errors.size() == errors)
        database.errors.emplace_back(path.string(), 0, 0,
                                     "no profiles found: no file ending in .yaml below it");
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
