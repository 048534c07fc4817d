// The command line's parts: one Command per subcommand, each in a file of its own
// (runners/cli/<name>.cc) holding its options, its CLI11 definition and what it runs. main.cc
// only builds the application from Commands() and runs the one the user named.
//
// Adding a command: a file here with a Command and its New<Name>() factory, declared below and
// listed in Commands() (commands.cc). Nothing outside runners/cli/ includes these headers.
#pragma once

#include <CLI/CLI.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "config/config.h"

namespace odoo_prober::runners::cli {

// What every command runs with, known once the whole command line is parsed.
struct Context {
  config::Identity identity;  // --region, --instance
  std::string version;        // the build's, for build_info and `version`
  std::string log_level;      // --log-level, or the command's default
  bool terminal = false;      // stderr is a terminal
  std::ostream& out;
  std::ostream& err;
  // Progress redrawn in place: on a terminal, unless debug logs are interleaved.
  bool LiveProgress() const { return terminal && log_level != "debug" && log_level != "trace"; }
};

// One subcommand: its options (Add), and what it does once they are parsed (Run).
class Command {
 public:
  virtual ~Command() = default;
  virtual CLI::App* Add(CLI::App& app) = 0;
  // The exit code (runners/engine/exit_codes.h).
  virtual int Run(const Context& context) = 0;
};

// The exit codes most commands share, for their --help.
inline constexpr const char* kExitCodes =
    "Exit codes:\n"
    "  0  every journey succeeded\n"
    "  1  at least one journey failed (or could not clean up)\n"
    "  2  usage or configuration error\n"
    "  3  internal error, or a report that could not be written or pushed";

// A duration option ("30m", "7d") in the unit the options want; nullopt when malformed.
template <typename Unit>
std::optional<Unit> DurationArg(const std::string& text) {
  auto d = config::ParseDuration(text);
  return d ? std::optional<Unit>(std::chrono::duration_cast<Unit>(*d)) : std::nullopt;
}

std::unique_ptr<Command> NewVersion();
std::unique_ptr<Command> NewValidate();
std::unique_ptr<Command> NewProvision();
std::unique_ptr<Command> NewOnce();
std::unique_ptr<Command> NewRun();
std::unique_ptr<Command> NewTls();
std::unique_ptr<Command> NewJourneys();
std::unique_ptr<Command> NewSweep();
std::unique_ptr<Command> NewReport();
std::unique_ptr<Command> NewCompare();

// Every command, in the order --help lists them.
std::vector<std::unique_ptr<Command>> Commands();

}  // namespace odoo_prober::runners::cli
