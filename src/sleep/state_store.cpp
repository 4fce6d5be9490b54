// SPDX-License-Identifier: GPL-2.0-or-later
#include "sleep/state_store.hpp"

#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <thread>

#include "error.hpp"
#include "log.hpp"
#include "timing.hpp"

namespace suspendfix {
namespace {

constexpr size_t kMaxStateBytes = 1024 * 1024;

}  // namespace

StateStore::StateStore(std::filesystem::path directory) : directory_(std::move(directory)) {}

StateStore::~StateStore() {
  if (lock_fd_ >= 0) close(lock_fd_);  // closing drops the flock
}

bool StateStore::open_for_reading() { return directory_.open(false); }

void StateStore::lock(std::chrono::steady_clock::time_point deadline) {
  directory_.open(true);
  if (lock_fd_ >= 0) return;
  lock_fd_ = directory_.open_lock("lock");
  const std::string lock_path = directory_.path_of("lock");
  while (flock(lock_fd_, LOCK_EX | LOCK_NB) != 0) {
    if (errno != EWOULDBLOCK && errno != EINTR)
      throw Error("could not lock", lock_path, errno_string(errno));
    if (std::chrono::steady_clock::now() >= deadline)
      throw Error("could not lock", lock_path, "another suspendfix holds it (timed out)");
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

ParsedState StateStore::read_parsed(std::string* raw) {
  if (!directory_.is_open()) return {};
  const auto text = directory_.read("state", kMaxStateBytes, "state file");
  if (raw) *raw = text.value_or("");
  if (!text) return {};
  return parse_state(*text, path());
}

StateFile StateStore::read() {
  PhaseTimer timer("state read");
  ParsedState state = read_parsed();
  if (state.foreign())
    throw Error("refusing state file", path(),
                "it is state format " + std::to_string(state.version) + ", this suspendfix " +
                    "reads format " + std::to_string(kStateVersion) + "; it is left as it is: " +
                    "see 'suspendfix status', bring back what it names by hand, then remove it");
  for (const ProfileError& error : state.errors) log_warning(error.what());
  return std::move(state.file);
}

void StateStore::write(const StateFile& file) {
  PhaseTimer timer("state write");
  if (file.records.empty()) {
    directory_.remove("state");
    return;
  }
  directory_.replace("state", format_state(file));
}

}  // namespace suspendfix
