// SPDX-License-Identifier: GPL-2.0-or-later
// A sleep through a sleep system's own client: systemctl, loginctl, pm-suspend.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "error.hpp"
#include "sleeptest/os_side.hpp"

namespace suspendfix {
namespace {

constexpr int64_t kPollNs = 20'000'000;
constexpr int64_t kSecond = 1'000'000'000;
/// A client that has not returned after this long is left alone and reported.
constexpr int64_t kClientBoundNs = 600 * kSecond;
/// How long systemd may take to finish its sleep service after the post.
constexpr int64_t kSettleBoundNs = 60 * kSecond;
constexpr size_t kOutputKept = 2048;

struct Child {
  pid_t pid = -1;
  int output = -1;  // read end of the child's stdout and stderr
};

/// Starts argv[0] (a full path) in its own process group, stdin from /dev/null.
Child start(const std::vector<std::string>& argv) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) throw Error("could not run", argv[0], errno_string(errno));
  const pid_t pid = fork();
  if (pid < 0) {
    const int error = errno;
    close(fds[0]);
    close(fds[1]);
    throw Error("could not run", argv[0], errno_string(error));
  }
  if (pid == 0) {
    setpgid(0, 0);  // Ctrl-C on the terminal reaches `test`, never a client half-way
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    const int null = open("/dev/null", O_RDONLY);
    if (null >= 0) dup2(null, STDIN_FILENO);
    dup2(fds[1], STDOUT_FILENO);
    dup2(fds[1], STDERR_FILENO);
    std::vector<char*> args;
    for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
    args.push_back(nullptr);
    execv(args[0], args.data());
    const std::string message = argv[0] + ": " + std::strerror(errno) + "\n";
    ssize_t ignored = write(STDERR_FILENO, message.data(), message.size());
    (void)ignored;
    _exit(127);
  }
  close(fds[1]);
  fcntl(fds[0], F_SETFL, O_NONBLOCK);
  return {pid, fds[0]};
}

void drain(int fd, std::string& kept) {
  char buffer[1024];
  for (;;) {
    const ssize_t got = read(fd, buffer, sizeof buffer);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) return;
    kept.append(buffer, static_cast<size_t>(got));
    if (kept.size() > 2 * kOutputKept) kept.erase(0, kept.size() - kOutputKept);
  }
}

/// The last lines of what the client printed, without a trailing newline.
std::string tail(std::string text) {
  if (text.size() > kOutputKept) {
    text.erase(0, text.size() - kOutputKept);
    text.erase(0, text.find('\n') + 1);
  }
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  return text;
}

class ClientSleep : public SleepBackend {
 public:
  ClientSleep(SleepPath path, const std::string& mode, TestClock& clock)
      : path_(path),
        command_(sleep_path_command(path, mode)),
        clock_(clock),
        service_(mode == "disk" ? "systemd-hibernate.service" : "systemd-suspend.service") {}

  SleepOutcome sleep(const SleepCallbacks& callbacks) override {
    SleepOutcome outcome;
    std::vector<std::string> argv = command_;
    argv[0] = find_program(command_[0]);
    if (argv[0].empty()) throw Error("could not run", command_[0], "not found in PATH");
    callbacks.about_to_sleep();
    const Child child = start(argv);
    std::string output;
    int status = 0;
    const int64_t deadline = clock_.monotonic_ns() + kClientBoundNs;
    for (;;) {
      drain(child.output, output);
      const pid_t done = waitpid(child.pid, &status, WNOHANG);
      if (done == child.pid || (done < 0 && errno != EINTR)) break;
      if (clock_.monotonic_ns() >= deadline) {
        outcome.timed_out = true;
        outcome.timed_out_what = "'" + command_[0] + "' did not return within " +
                                 std::to_string(kClientBoundNs / kSecond) + " s (left running)";
        close(child.output);
        return outcome;
      }
      callbacks.poll();
      clock_.pause_ns(kPollNs);
    }
    drain(child.output, output);
    close(child.output);
    outcome.exit_status = WIFEXITED(status)     ? WEXITSTATUS(status)
                          : WIFSIGNALED(status) ? 128 + WTERMSIG(status)
                                                : -1;
    outcome.output = tail(output);
    return outcome;
  }

  bool returns_early() const override { return path_ == SleepPath::kSystemd; }

  /// systemctl returned before the sleep; its service ends after the post. A new sleep asked
  /// while it runs would be refused as one already in progress.
  void settle(const std::function<void()>& poll) override {
    if (path_ != SleepPath::kSystemd) return;
    const std::string systemctl = find_program("systemctl");
    if (systemctl.empty()) return;
    const int64_t deadline = clock_.monotonic_ns() + kSettleBoundNs;
    while (clock_.monotonic_ns() < deadline) {
      const Child child = start({systemctl, "show", "-P", "ActiveState", service_});
      std::string state;
      int status = 0;
      while (waitpid(child.pid, &status, 0) < 0 && errno == EINTR) {
      }
      drain(child.output, state);
      close(child.output);
      state = tail(state);
      if (state == "inactive" || state == "failed" || !WIFEXITED(status) ||
          WEXITSTATUS(status) != 0)
        return;
      for (int64_t waited = 0; waited < 250'000'000; waited += kPollNs) {
        poll();
        clock_.pause_ns(kPollNs);
      }
    }
  }

 private:
  SleepPath path_;
  std::vector<std::string> command_;
  TestClock& clock_;
  std::string service_;
};

}  // namespace

std::unique_ptr<SleepBackend> make_client_sleep(SleepPath path, const std::string& mode,
                                                TestClock& clock) {
  return std::make_unique<ClientSleep>(path, mode, clock);
}

}  // namespace suspendfix
