// SPDX-License-Identifier: GPL-2.0-or-later
#include "sleep/state_store.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <sstream>
#include <thread>

#include "log.hpp"

namespace suspendfix {
namespace {

constexpr char kHeader[] = "# suspendfix state 1: what 'pre' did and 'post' or 'restore' must undo";
constexpr size_t kMaxStateBytes = 1024 * 1024;

std::optional<StateRecord::Kind> kind_from_name(const std::string& name) {
  for (auto kind :
       {StateRecord::Kind::kModule, StateRecord::Kind::kUnbind, StateRecord::Kind::kRemove})
    if (name == state_kind_name(kind)) return kind;
  return std::nullopt;
}

bool is_safe_word(const std::string& word) {
  if (word.empty() || word.size() > 128) return false;
  for (char c : word)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.' ||
          c == ':' || c == ','))
      return false;
  return true;
}

}  // namespace

const char* state_kind_name(StateRecord::Kind kind) {
  switch (kind) {
    case StateRecord::Kind::kModule:
      return "module";
    case StateRecord::Kind::kUnbind:
      return "unbind";
    case StateRecord::Kind::kRemove:
      return "remove";
  }
  return "?";
}

ParsedState parse_state(std::string_view text, const std::string& origin) {
  ParsedState state;
  std::istringstream lines{std::string(text)};
  std::string line;
  int number = 0;
  while (std::getline(lines, line)) {
    ++number;
    if (line.empty() || line[0] == '#') continue;
    std::istringstream words(line);
    std::string kind, object, driver, sleep, time, profiles, extra;
    words >> kind >> object >> driver >> sleep >> time >> profiles >> extra;
    StateRecord record;
    const auto parsed_kind = kind_from_name(kind);
    const auto parsed_sleep = sleep_type_from_name(sleep);
    char* end = nullptr;
    const long long seconds = std::strtoll(time.c_str(), &end, 10);
    const bool ok = parsed_kind && parsed_sleep && is_safe_word(object) && is_safe_word(driver) &&
                    !time.empty() && *end == '\0' && is_safe_word(profiles) && extra.empty() &&
                    (*parsed_kind != StateRecord::Kind::kModule || is_valid_module_name(object));
    if (!ok) {
      state.errors.emplace_back(origin, number, 0,
                                "unreadable record '" + line.substr(0, 80) + "'");
      continue;
    }
    record.kind = *parsed_kind;
    record.object = object;
    record.driver = driver == "-" ? "" : driver;
    record.sleep = *parsed_sleep;
    record.time = seconds;
    record.profiles = profiles == "-" ? "" : profiles;
    state.records.push_back(record);
  }
  return state;
}

std::string format_state(const std::vector<StateRecord>& records) {
  std::string out = std::string(kHeader) + "\n";
  for (const StateRecord& record : records) {
    out += std::string(state_kind_name(record.kind)) + " " + record.object + " " +
           (record.driver.empty() ? "-" : record.driver) + " " + sleep_type_name(record.sleep) +
           " " + std::to_string(record.time) + " " +
           (record.profiles.empty() ? "-" : record.profiles) + "\n";
  }
  return out;
}

StateStore::StateStore(std::filesystem::path directory) : directory_(std::move(directory)) {}

StateStore::~StateStore() {
  if (lock_fd_ >= 0) close(lock_fd_);  // closing drops the flock
  if (directory_fd_ >= 0) close(directory_fd_);
}

void StateStore::open_directory(bool create) {
  const std::string name = directory_.string();
  if (create && mkdir(name.c_str(), 0700) != 0 && errno != EEXIST)
    throw Error("could not create state directory", name, errno_string(errno));
  directory_fd_ = open(name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (directory_fd_ < 0) throw Error("could not open state directory", name, errno_string(errno));
  struct stat info {};
  if (fstat(directory_fd_, &info) != 0)
    throw Error("could not stat state directory", name, errno_string(errno));
  if (info.st_uid != geteuid())
    throw Error("refusing state directory", name, "owned by uid " + std::to_string(info.st_uid));
  if ((info.st_mode & 077) != 0 && fchmod(directory_fd_, 0700) != 0)
    throw Error("could not make state directory private", name, errno_string(errno));
}

bool StateStore::open_for_reading() {
  struct stat info {};
  if (lstat(directory_.c_str(), &info) != 0 && errno == ENOENT) return false;
  open_directory(false);
  return true;
}

void StateStore::lock(std::chrono::steady_clock::time_point deadline) {
  open_directory(true);
  lock_fd_ = openat(directory_fd_, "lock", O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (lock_fd_ < 0)
    throw Error("could not open lock", (directory_ / "lock").string(), errno_string(errno));
  while (flock(lock_fd_, LOCK_EX | LOCK_NB) != 0) {
    if (errno != EWOULDBLOCK && errno != EINTR)
      throw Error("could not lock", (directory_ / "lock").string(), errno_string(errno));
    if (std::chrono::steady_clock::now() >= deadline)
      throw Error("could not lock", (directory_ / "lock").string(),
                  "another suspendfix holds it (timed out)");
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

std::vector<StateRecord> StateStore::read() {
  const int fd = openat(directory_fd_, "state", O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0 && errno == ENOENT) return {};
  if (fd < 0)
    throw Error("refusing state file", path(),
                errno == ELOOP ? "it is a symbolic link" : errno_string(errno));
  struct stat info {};
  std::string text;
  const bool regular = fstat(fd, &info) == 0 && S_ISREG(info.st_mode);
  if (regular && static_cast<size_t>(info.st_size) <= kMaxStateBytes) {
    text.resize(static_cast<size_t>(info.st_size));
    const ssize_t got = pread(fd, text.data(), text.size(), 0);
    text.resize(got > 0 ? static_cast<size_t>(got) : 0);
  }
  close(fd);
  if (!regular) throw Error("refusing state file", path(), "not a regular file");
  if (static_cast<size_t>(info.st_size) > kMaxStateBytes)
    throw Error("refusing state file", path(), "too large");
  ParsedState state = parse_state(text, path());
  for (const ProfileError& error : state.errors)
    log_error(std::string(error.what()) + ", ignoring it");
  if (!state.errors.empty()) {
    // Keep the evidence: a person may still need to know what that line named.
    const int copy = openat(directory_fd_, "state.corrupt",
                            O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (copy >= 0) {
      ssize_t ignored = ::write(copy, text.data(), text.size());
      (void)ignored;
      close(copy);
      log_error("kept the unreadable state file as " + (directory_ / "state.corrupt").string());
    }
  }
  return state.records;
}

void StateStore::write(const std::vector<StateRecord>& records) {
  if (records.empty()) {
    if (unlinkat(directory_fd_, "state", 0) != 0 && errno != ENOENT)
      throw Error("could not remove", path(), errno_string(errno));
    fsync(directory_fd_);
    return;
  }
  const std::string text = format_state(records);
  unlinkat(directory_fd_, "state.tmp", 0);  // a leftover of a killed writer, or a planted link
  const int fd = openat(directory_fd_, "state.tmp",
                        O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) throw Error("could not write", path(), errno_string(errno));
  size_t done = 0;
  while (done < text.size()) {
    const ssize_t wrote = ::write(fd, text.data() + done, text.size() - done);
    if (wrote < 0 && errno == EINTR) continue;
    if (wrote <= 0) {
      const int saved = errno;
      close(fd);
      throw Error("could not write", path(), errno_string(saved));
    }
    done += static_cast<size_t>(wrote);
  }
  if (fsync(fd) != 0) {
    const int saved = errno;
    close(fd);
    throw Error("could not write", path(), errno_string(saved));
  }
  close(fd);
  if (renameat(directory_fd_, "state.tmp", directory_fd_, "state") != 0)
    throw Error("could not write", path(), errno_string(errno));
  fsync(directory_fd_);
}

}  // namespace suspendfix
