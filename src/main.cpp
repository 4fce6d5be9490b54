// SPDX-License-Identifier: GPL-2.0-or-later
// argv -> command table, the one top-level catch, the exit code.
#include <fcntl.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cerrno>
#include <cstdlib>
#include <iostream>
#include <sstream>
#include <string_view>

#include "cli/commands.hpp"
#include "config.hpp"
#include "error.hpp"
#include "log.hpp"
#include "text_safety.hpp"
#include "timing.hpp"

namespace {

/// A sleep manager may start the hook with stdin, stdout or stderr closed. The next files
/// opened would take those numbers, and log lines would land in the lock or the state file:
/// give each closed one /dev/null before anything else is opened (systemd and fwupd do too).
void open_standard_descriptors() {
  bool closed[3] = {};
  bool any = false;
  for (int fd = STDIN_FILENO; fd <= STDERR_FILENO; ++fd)
    any |= closed[fd] = fcntl(fd, F_GETFD) < 0 && errno == EBADF;
  if (!any) return;
  // Noted first, then filled by dup2: opening /dev/null may open other files (a preload
  // library's socket) that would take the remaining numbers.
  const int null = open("/dev/null", O_RDWR);
  if (null < 0) _exit(1);
  for (int fd = STDIN_FILENO; fd <= STDERR_FILENO; ++fd)
    if (closed[fd] && fd != null) dup2(null, fd);
  if (null > STDERR_FILENO) close(null);
}

/// CLI11's messages quote the command line: escape them as every other message is.
int exit_with(const CLI::App& app, const CLI::Error& error) {
  std::ostringstream out, err;
  const int code = app.exit(error, out, err);
  std::cout << out.str();
  std::istringstream lines(err.str());
  for (std::string line; std::getline(lines, line);)
    std::cerr << suspendfix::escape_for_terminal(line) << "\n";
  return code;
}

/// The command argv names, when it names one and asks for no top-level help: then only that
/// command's options are set up. A hook runs on every sleep and wake, and setting up all the
/// commands cost it 15-20 ms of its ~100 ms start under QEMU/TCG (bench/vm). The top-level
/// options are all flags, so the first word that is not an option is the command.
const suspendfix::Command* named_command(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view word = argv[i];
    if (word == "-h" || word == "--help" || word == "--version" || word == "--") return nullptr;
    if (!word.empty() && word[0] == '-') continue;
    for (const suspendfix::Command& command : suspendfix::kCommands)
      if (word == command.name) return &command;
    return nullptr;
  }
  return nullptr;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace suspendfix;
  open_standard_descriptors();
  PhaseTimer total("main");  // from main() to its return; bench/vm takes process start from it
  CLI::App app{"suspendfix: unload the kernel modules that break suspend, and bring them back"};
  app.name("suspendfix");
  app.set_version_flag("--version", std::string("suspendfix ") + kVersion);
  bool verbose = false;
  bool debug = std::getenv("SUSPENDFIX_DEBUG") != nullptr;
  bool use_syslog = false;
  app.add_flag("-v,--verbose", verbose, "Also print informational messages");
  app.add_flag("--debug", debug, "Print debugging messages (also $SUSPENDFIX_DEBUG)");
  app.add_flag("--syslog", use_syslog, "Also log to syslog");
  app.require_subcommand(0, 1);
  app.fallthrough();
  int exit_code = 0;
  PhaseTimer table_timer("command table");
  if (const Command* named = named_command(argc, argv)) {
    named->setup(*app.add_subcommand(named->name, named->summary), &exit_code);
  } else {
    for (const Command& command : kCommands)
      command.setup(*app.add_subcommand(command.name, command.summary), &exit_code);
  }
  table_timer.stop();
  app.parse_complete_callback([&] {
    LogOptions options;
    options.threshold = debug ? LogLevel::kDebug : verbose ? LogLevel::kInfo : LogLevel::kNotice;
    options.syslog = use_syslog;
    log_setup(options);
  });

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& help) {
    return app.exit(help);
  } catch (const CLI::CallForVersion& version) {
    return app.exit(version);
  } catch (const CLI::ParseError& error) {
    exit_with(app, error);
    return 2;
  } catch (const UsageError& error) {
    std::cerr << "suspendfix: " << escape_for_terminal(error.what()) << "\n";
    return 2;
  } catch (const std::exception& error) {
    log_error(error.what());
    return 1;
  }
  if (app.get_subcommands().empty()) {
    std::cout << app.help();
    return 0;
  }
  return exit_code;
}
