// SPDX-License-Identifier: GPL-2.0-or-later
// argv -> command table, the one top-level catch, the exit code.
#include <CLI/CLI.hpp>
#include <cstdlib>
#include <iostream>

#include "cli/commands.hpp"
#include "config.hpp"
#include "error.hpp"
#include "log.hpp"

int main(int argc, char** argv) {
  using namespace suspendfix;
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
  for (const Command& command : kCommands)
    command.setup(*app.add_subcommand(command.name, command.summary), &exit_code);
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
    app.exit(error);
    return 2;
  } catch (const UsageError& error) {
    std::cerr << "suspendfix: " << error.what() << "\n";
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
