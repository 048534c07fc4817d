// odoo-prober: synthetic business-transaction probes for Odoo.
//
// main() parses the command line and runs the subcommand the user named: every subcommand is a
// Command of its own file in runners/cli/ (command.h), listed by Commands().
#include <curl/curl.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <csignal>
#include <iostream>

#include "config/config.h"
#include "runners/cli/command.h"
#include "runners/engine/exit_codes.h"

#ifndef ODOO_PROBER_VERSION
#define ODOO_PROBER_VERSION "0.0.0"
#endif

namespace {

using namespace odoo_prober;

// Logging on stderr, libcurl, the command, and their cleanup; exceptions are internal errors.
int Execute(runners::cli::Command& command, const runners::cli::Context& context) {
  spdlog::set_default_logger(spdlog::stderr_color_mt("odoo-prober"));
  spdlog::set_level(spdlog::level::from_str(context.log_level));
  if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
    std::cerr << "internal error: curl_global_init failed\n";
    return runners::kExitInternal;
  }
  int rc = runners::kExitInternal;
  try {
    rc = command.Run(context);
  } catch (const std::exception& e) {
    std::cerr << "internal error: " << e.what() << "\n";
  }
  spdlog::shutdown();
  curl_global_cleanup();
  return rc;
}

}  // namespace

int main(int argc, char** argv) {
  // A file-size limit (ulimit -f) must not kill the prober: the write fails with EFBIG instead,
  // and the sink counts the lost result as on a full disk.
  std::signal(SIGXFSZ, SIG_IGN);
  CLI::App app{
      "odoo-prober: can we transact with Odoo, and how fast?\n"
      "Runs scripted Odoo business journeys over RPC and reports outcome and timings.",
      "odoo-prober"};
  app.footer(runners::cli::kExitCodes);
  app.require_subcommand(1);
  // --version as GNU tools have it (help2man writes the man page from --help and --version);
  // the `version` command says libcurl's too.
  app.set_version_flag("--version", std::string("odoo-prober ") + ODOO_PROBER_VERSION,
                       "Print the version and exit");
  std::string log_level;  // default: info for the daemon (its log is its record), else warn
  app.add_option("--log-level", log_level,
                 "Log level on stderr: trace, debug, info, warn, error, off (default: info for "
                 "run, warn for the other commands)")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "off"}));
  config::Identity identity;
  app.add_option("--region", identity.region,
                 "The region this instance probes from: loads <regions_dir>/REGION.yaml over the "
                 "config (its plants, targets and journeys)")
      ->envname("ODOO_PROBER_REGION");
  app.add_option("--instance", identity.instance,
                 "This instance's name (label `instance`; default: the config's, else the host "
                 "name)")
      ->envname("ODOO_PROBER_INSTANCE")
      ->check([](const std::string& v) {
        return config::IsLabelValue(v) ? std::string() : std::string(config::kLabelValueRule);
      });
  app.fallthrough();  // --region and --instance may follow the subcommand
  auto commands = runners::cli::Commands();
  std::vector<CLI::App*> subcommands;
  for (auto& c : commands) subcommands.push_back(c->Add(app));
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);  // prints help or the error
    return code == 0 ? runners::kExitOk : runners::kExitUsage;
  }
  for (size_t i = 0; i < commands.size(); ++i) {
    if (!subcommands[i]->parsed()) continue;
    if (log_level.empty()) log_level = subcommands[i]->get_name() == "run" ? "info" : "warn";
    const runners::cli::Context context{
        identity, ODOO_PROBER_VERSION, log_level, isatty(STDERR_FILENO) != 0, std::cout, std::cerr};
    return Execute(*commands[i], context);
  }
  return runners::kExitUsage;
}
