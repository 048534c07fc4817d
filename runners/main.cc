// odoo-prober: synthetic business-transaction probes for Odoo.
#include <curl/curl.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <iostream>
#include <optional>

#include "config/config.h"
#include "runners/commands.h"
#include "runners/daemon.h"
#include "runners/provision.h"
#include "runners/tls_command.h"

#ifndef ODOO_PROBER_VERSION
#define ODOO_PROBER_VERSION "0.0.0"
#endif

namespace {

constexpr const char* kExitCodes =
    "Exit codes:\n"
    "  0  every journey succeeded\n"
    "  1  at least one journey failed (or could not clean up)\n"
    "  2  usage or configuration error\n"
    "  3  internal error";

}  // namespace

int main(int argc, char** argv) {
  using namespace odoo_prober;
  CLI::App app{
      "odoo-prober: can we transact with Odoo, and how fast?\n"
      "Runs scripted Odoo business journeys over RPC and reports outcome and timings.",
      "odoo-prober"};
  app.footer(kExitCodes);
  app.require_subcommand(1);
  std::string log_level = "warn";
  app.add_option("--log-level", log_level,
                 "Log level on stderr: trace, debug, info, warn, error, off")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "off"}));

  auto* version = app.add_subcommand("version", "Print the version and exit");
  version->footer(kExitCodes);

  std::string validate_path;
  bool validate_online = false;
  auto* validate =
      app.add_subcommand("validate", "Check a configuration file and show what would run");
  validate->add_option("CONFIG", validate_path, "Configuration file (YAML)")->required();
  validate->add_flag("--online", validate_online,
                     "Also check on each target that every journey's parameters resolve (its "
                     "lookups, read-only) and that the Odoo settings it needs are on");
  validate->footer(
      "Exit codes:\n  0  valid (and with --online: everything found on every target)\n"
      "  1  with --online: a parameter does not resolve or a setting is off on a target\n"
      "  2  usage or configuration error\n  3  internal error");

  runners::ProvisionOptions provision_opts;
  auto* provision = app.add_subcommand(
      "provision",
      "Find or create the probe master data the built-in journeys need (never changes settings)");
  provision->add_option("CONFIG", provision_opts.config_path, "Configuration file (YAML)")
      ->required();
  provision->add_option("--target", provision_opts.targets, "Only this target (repeatable)");
  provision->add_flag("--dry-run", provision_opts.dry_run,
                      "Only search, and say what would be created");
  provision->footer(
      "Exit codes:\n  0  the probe data is there (or could be created: --dry-run)\n"
      "  1  something is missing that provision must not create (a setting, a module), or a "
      "call failed\n  2  usage or configuration error\n  3  internal error");

  runners::OnceOptions once_opts;
  std::string output = "table";
  auto* once = app.add_subcommand("once", "Run every configured journey on every target once");
  once->add_option("CONFIG", once_opts.config_path, "Configuration file (YAML)")->required();
  once->add_option("--journey", once_opts.journeys, "Only this journey (repeatable)");
  once->add_option("--target", once_opts.targets, "Only this target (repeatable)");
  once->add_option("--output", output, "Output: table (default) or json (one JSON object per line)")
      ->check(CLI::IsMember({"table", "json"}));
  once->add_option("--junit", once_opts.junit_file, "Also write JUnit XML to this file");
  once->add_option("--json", once_opts.json_file,
                   "Also write the results as a JSON array to this file");
  once->add_option("--concurrency", once_opts.concurrency,
                   "Journeys at the same time (default: the config's concurrency; per_target_concurrency holds too)")
      ->check(CLI::Range(1, 256));
  once->footer(kExitCodes);

  runners::RunOptions run_opts;
  run_opts.version = ODOO_PROBER_VERSION;
  int grace_seconds = 60;
  auto* run = app.add_subcommand(
      "run", "Run the daemon: scheduled probes, /metrics, /status, results history");
  run->add_option("CONFIG", run_opts.config_path, "Configuration file (YAML)")->required();
  run->add_option("--listen", run_opts.listen,
                  "Admin server address:port (overrides admin.listen; port 0 picks one)");
  run->add_option("--grace", grace_seconds, "Seconds in-flight journeys get to finish on SIGTERM; then their calls are cancelled")
      ->capture_default_str()
      ->check(CLI::Range(0, 3600));
  run->footer(kExitCodes);

  runners::TlsOptions tls_opts;
  std::string tls_timeout = "10s", tls_critical = "7d", tls_warning = "30d";
  auto* tls =
      app.add_subcommand("tls", "Inspect one TLS endpoint: chain, expiry, host name, findings");
  tls->add_option("ENDPOINT", tls_opts.endpoint, "https://host[:port] or host:port")->required();
  tls->add_option("--ca", tls_opts.ca_file, "Trust this CA bundle instead of the system store");
  tls->add_option("--servername", tls_opts.servername,
                  "Name for SNI and the host-name check (default: the host)");
  std::string tls_output = "table";
  tls->add_option("--output", tls_output, "Output: table (default) or json (one JSON object)")
      ->check(CLI::IsMember({"table", "json"}));
  tls->add_option("--timeout", tls_timeout, "Deadline for connect and handshake")
      ->capture_default_str();
  tls->add_option("--critical", tls_critical, "Expiry closer than this is critical")
      ->capture_default_str();
  tls->add_option("--warning", tls_warning, "Expiry closer than this is a warning")
      ->capture_default_str();
  tls->footer(
      "Exit codes:\n  0  no critical or warning finding\n  1  at least one critical or warning "
      "finding\n"
      "  2  usage error\n  3  internal error");

  std::string journeys_config;
  auto* journeys = app.add_subcommand(
      "journeys", "List the built-in journeys (and the config's) with their parameters");
  journeys->add_option("CONFIG", journeys_config, "Configuration file (YAML) naming journey_dirs");
  journeys->footer(kExitCodes);

  runners::SweepOptions sweep_opts;
  std::string older_than = "1h";
  auto* sweep = app.add_subcommand(
      "sweep", "Find and neutralise probe records left behind (older than --older-than)");
  sweep->add_option("CONFIG", sweep_opts.config_path, "Configuration file (YAML)")->required();
  sweep
      ->add_option("--older-than", older_than,
                   "Only records created before this long ago (e.g. 30m, 2h)")
      ->capture_default_str();
  std::string recheck = "2h";
  sweep
      ->add_option("--recheck", recheck,
                   "Also read back records that look final and were created within this span "
                   "before --older-than, with their recipe's checks (0 turns it off)")
      ->capture_default_str();
  sweep->add_flag("--dry-run", sweep_opts.dry_run, "Only list what would be neutralised");
  sweep->add_option("--target", sweep_opts.targets, "Only this target (repeatable)");
  sweep->footer(kExitCodes);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);  // prints help or the error
    return code == 0 ? runners::kExitOk : runners::kExitUsage;
  }

  auto logger = spdlog::stderr_color_mt("odoo-prober");
  spdlog::set_default_logger(logger);
  spdlog::set_level(spdlog::level::from_str(log_level));

  if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
    std::cerr << "internal error: curl_global_init failed\n";
    return runners::kExitInternal;
  }
  int rc = runners::kExitInternal;
  try {
    if (*version) {
      std::cout << "odoo-prober " << ODOO_PROBER_VERSION << " (" << curl_version() << ")\n";
      rc = runners::kExitOk;
    } else if (*validate) {
      rc = runners::RunValidate(validate_path, validate_online, std::cout, std::cerr);
    } else if (*provision) {
      rc = runners::RunProvision(provision_opts, std::cout, std::cerr);
    } else if (*once) {
      once_opts.output = output == "json" ? runners::OnceOptions::Output::kJson
                                          : runners::OnceOptions::Output::kTable;
      once_opts.live_progress =
          isatty(STDERR_FILENO) && log_level != "debug" && log_level != "trace";
      rc = runners::RunOnce(once_opts, std::cout, std::cerr);
    } else if (*run) {
      run_opts.grace = std::chrono::seconds(grace_seconds);
      rc = runners::RunDaemon(run_opts, std::cout, std::cerr);
    } else if (*tls) {
      auto days = [](const std::string& text) -> std::optional<std::chrono::hours> {
        auto d = config::ParseDuration(text);  // 7d, 30d, 12h
        return d ? std::optional(std::chrono::duration_cast<std::chrono::hours>(*d)) : std::nullopt;
      };
      auto timeout = config::ParseDuration(tls_timeout);
      auto critical = days(tls_critical), warning = days(tls_warning);
      if (!timeout || !critical || !warning) {
        std::cerr << "--timeout, --critical and --warning take durations such as 10s, 7d, 30d\n";
        rc = runners::kExitUsage;
      } else {
        tls_opts.timeout = *timeout;
        tls_opts.thresholds = {*critical, *warning};
        tls_opts.json = tls_output == "json";
        rc = runners::RunTls(tls_opts, std::cout, std::cerr);
      }
    } else if (*journeys) {
      rc = runners::RunJourneys(
          journeys_config.empty() ? std::nullopt : std::optional<std::string>(journeys_config),
          std::cout, std::cerr);
    } else if (*sweep) {
      auto age = config::ParseDuration(older_than);
      auto span = recheck == "0" ? std::optional<std::chrono::milliseconds>(0)
                                 : config::ParseDuration(recheck);
      if (!age) {
        std::cerr << "--older-than: not a duration: " << older_than << " (e.g. 30m, 2h)\n";
        rc = runners::kExitUsage;
      } else if (!span) {
        std::cerr << "--recheck: not a duration: " << recheck << " (e.g. 2h, 30d, or 0)\n";
        rc = runners::kExitUsage;
      } else {
        sweep_opts.older_than = std::chrono::duration_cast<std::chrono::seconds>(*age);
        sweep_opts.recheck = std::chrono::duration_cast<std::chrono::seconds>(*span);
        rc = runners::RunSweep(sweep_opts, std::cout, std::cerr);
      }
    }
  } catch (const std::exception& e) {
    std::cerr << "internal error: " << e.what() << "\n";
    rc = runners::kExitInternal;
  }
  spdlog::shutdown();
  curl_global_cleanup();
  return rc;
}
