// odoo-prober: synthetic business-transaction probes for Odoo.
//
// main() only parses the command line and calls the subcommand: each is a Command here (its
// options, then a call into runners/), so adding one is a class and a line in Commands().
#include <curl/curl.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cctype>
#include <csignal>
#include <iostream>
#include <memory>
#include <optional>
#include <vector>

#include "config/config.h"
#include "runners/commands.h"
#include "runners/daemon.h"
#include "runners/provision.h"
#include "runners/tls_command.h"

#ifndef ODOO_PROBER_VERSION
#define ODOO_PROBER_VERSION "0.0.0"
#endif

namespace {

using namespace odoo_prober;

constexpr const char* kExitCodes =
    "Exit codes:\n"
    "  0  every journey succeeded\n"
    "  1  at least one journey failed (or could not clean up)\n"
    "  2  usage or configuration error\n"
    "  3  internal error, or a report that could not be written or pushed";

// One subcommand: its options (Add), and what it does once they are parsed (Run).
class Command {
 public:
  virtual ~Command() = default;
  virtual CLI::App* Add(CLI::App& app) = 0;
  virtual int Run() = 0;
};

// A duration option ("30m", "7d") in the unit the options want; nullopt when malformed.
template <typename Unit>
std::optional<Unit> DurationArg(const std::string& text) {
  auto d = config::ParseDuration(text);
  return d ? std::optional<Unit>(std::chrono::duration_cast<Unit>(*d)) : std::nullopt;
}

class Version final : public Command {
 public:
  CLI::App* Add(CLI::App& app) override {
    return app.add_subcommand("version", "Print the version and exit")->footer(kExitCodes);
  }
  int Run() override {
    std::cout << "odoo-prober " << ODOO_PROBER_VERSION << " (" << curl_version() << ")\n";
    return runners::kExitOk;
  }
};

class Validate final : public Command {
 public:
  CLI::App* Add(CLI::App& app) override {
    auto* c = app.add_subcommand("validate", "Check a configuration file and show what would run");
    c->add_option("CONFIG", path_, "Configuration file (YAML)")->required();
    c->add_flag("--online", online_,
                "Also check on each target that every journey's parameters resolve (its "
                "lookups, read-only) and that the Odoo settings it needs are on");
    c->footer(
        "Exit codes:\n  0  valid (and with --online: everything found on every target)\n"
        "  1  with --online: a parameter does not resolve or a setting is off on a target\n"
        "  2  usage or configuration error\n  3  internal error");
    return c;
  }
  int Run() override { return runners::RunValidate(path_, online_, std::cout, std::cerr); }

 private:
  std::string path_;
  bool online_ = false;
};

class Provision final : public Command {
 public:
  CLI::App* Add(CLI::App& app) override {
    auto* c = app.add_subcommand(
        "provision",
        "Find or create the probe master data the built-in journeys need (never changes settings)");
    c->add_option("CONFIG", o_.config_path, "Configuration file (YAML)")->required();
    c->add_option("--target", o_.targets, "Only this target (repeatable)");
    c->add_flag("--dry-run", o_.dry_run, "Only search, and say what would be created");
    c->footer(
        "Exit codes:\n  0  the probe data is there (or could be created: --dry-run)\n"
        "  1  something is missing that provision must not create (a setting, a module), or a "
        "call failed\n  2  usage or configuration error\n  3  internal error");
    return c;
  }
  int Run() override { return runners::RunProvision(o_, std::cout, std::cerr); }

 private:
  runners::ProvisionOptions o_;
};

class Once final : public Command {
 public:
  explicit Once(const std::string& log_level) : log_level_(log_level) {}
  CLI::App* Add(CLI::App& app) override {
    auto* c = app.add_subcommand("once", "Run every configured journey on every target once");
    c->add_option("CONFIG", o_.config_path, "Configuration file (YAML)")->required();
    c->add_option("--journey", o_.journeys, "Only this journey: its id or its name (repeatable)");
    c->add_option("--target", o_.targets, "Only this target (repeatable)");
    c->add_option("--output", output_, "Output: table (default) or json (one JSON object per line)")
        ->check(CLI::IsMember({"table", "json"}));
    c->add_option("--junit", o_.junit_file, "Also write JUnit XML to this file");
    c->add_option("--json", o_.json_file, "Also write the results as a JSON array to this file");
    c->add_option("--concurrency", o_.concurrency,
                  "Journeys at the same time (default: the config's concurrency; "
                  "per_target_concurrency holds too)")
        ->check(CLI::Range(1, 256));
    c->add_option("--pushgateway", o_.pushgateway,
                  "Also push the metrics to this Prometheus Pushgateway (http://host:9091), "
                  "grouped by job, instance and region; a failed push exits 3");
    return c->footer(kExitCodes);
  }
  int Run() override {
    o_.version = ODOO_PROBER_VERSION;
    o_.output = output_ == "json" ? runners::OnceOptions::Output::kJson
                                  : runners::OnceOptions::Output::kTable;
    o_.live_progress = isatty(STDERR_FILENO) && log_level_ != "debug" && log_level_ != "trace";
    return runners::RunOnce(o_, std::cout, std::cerr);
  }

 private:
  const std::string& log_level_;
  runners::OnceOptions o_;
  std::string output_ = "table";
};

class Compare final : public Command {
 public:
  explicit Compare(const std::string& log_level) : log_level_(log_level) {}
  CLI::App* Add(CLI::App& app) override {
    auto* c = app.add_subcommand(
        "compare",
        "Pre-cutover migration check: the same journeys on a baseline and a candidate target, "
        "interleaved; functional parity, environment fingerprint and latency verdicts");
    c->add_option("CONFIG", o_.config_path, "Configuration file (YAML)")->required();
    c->add_option("--baseline", o_.baseline, "The environment in use today (a target)");
    c->add_option("--candidate", o_.candidate, "The environment to switch to (a target)")
        ->required();
    c->add_option("--journey", o_.journeys,
                  "Only this journey: its id or its name (repeatable; default: every journey the "
                  "config runs on the candidate)");
    auto* runs = c->add_option("--runs", o_.runs,
                               "Rounds; each runs every journey once on each side (default 20)")
                     ->check(CLI::Range(1, 100000));
    c->add_option("--duration", duration_,
                  "Instead of --runs: start rounds until this much time has passed (e.g. 30m)")
        ->excludes(runs);
    c->add_option("--interval", interval_,
                  "Rounds start at least this far apart, to bound the load on both sides "
                  "(default 1s)");
    c->add_option("--seed", seed_,
                  "Seed of the run order and the bootstrap (default: random, printed to repeat)");
    c->add_option("--baseline-history", o_.baseline_history,
                  "Take the baseline from this results history (results.sqlite written by run)");
    c->add_option("--baseline-target", o_.baseline_target,
                  "The baseline's target name in that history");
    c->add_option("--json", o_.json_file, "Also write the comparison as JSON to this file");
    c->add_option("--junit", o_.junit_file,
                  "Also write JUnit XML (a test case per journey x check) to this file");
    c->add_option("--html", o_.html_file,
                  "Also write a self-contained HTML report (distributions, parity, fingerprint)");
    c->add_option("--concurrency", o_.concurrency,
                  "Journeys at the same time (default: the config's; per_target_concurrency "
                  "holds too)")
        ->check(CLI::Range(1, 256));
    c->add_option("--pushgateway", o_.pushgateway,
                  "Also push both sides' metrics (env=baseline|candidate) to this Pushgateway");
    c->add_flag("--strict", o_.strict, "An inconclusive latency verdict exits 1 too");
    return c->footer(
        "Exit codes:\n"
        "  0  pass (inconclusive latency verdicts included, unless --strict)\n"
        "  1  a latency regression, a parity failure or an unexpected fingerprint difference\n"
        "  2  usage or configuration error\n"
        "  3  a report could not be written or pushed");
  }
  int Run() override {
    o_.version = ODOO_PROBER_VERSION;
    if (!duration_.empty()) {
      auto d = config::ParseDuration(duration_);
      if (!d || d->count() <= 0) {
        std::cerr << "--duration: not a duration: " << duration_ << " (e.g. 30m)\n";
        return runners::kExitUsage;
      }
      o_.duration = std::chrono::duration_cast<std::chrono::seconds>(*d);
      if (o_.duration.count() == 0) o_.duration = std::chrono::seconds(1);
    }
    if (auto d = config::ParseDuration(interval_)) {
      o_.round_interval = *d;
    } else {
      std::cerr << "--interval: not a duration: " << interval_ << " (e.g. 2s)\n";
      return runners::kExitUsage;
    }
    if (seed_) o_.seed = *seed_;
    o_.live_progress = isatty(STDERR_FILENO) && log_level_ != "debug" && log_level_ != "trace";
    return runners::RunCompare(o_, std::cout, std::cerr);
  }

 private:
  const std::string& log_level_;
  runners::CompareOptions o_;
  std::string duration_;
  std::string interval_ = "1s";
  std::optional<uint64_t> seed_;
};

class Report final : public Command {
 public:
  CLI::App* Add(CLI::App& app) override {
    auto* c = app.add_subcommand(
        "report", "SLO report over the results history (results.sqlite): SLIs, budget, burn rates");
    c->add_option("CONFIG", o_.config_path, "Configuration file (YAML)")->required();
    c->add_option("--window", o_.window,
                  "The span before --until to report on (default: the config's objectives.window, "
                  "28d)");
    c->add_option("--since", o_.since,
                  "Start (UTC: 2026-11-01 or 2026-11-01T06:30:00Z); overrides --window");
    c->add_option("--until", o_.until, "End (UTC, same forms; default: now)");
    c->add_option("--format", o_.format,
                  "table (default), json, csv, or html (one self-contained page with charts)")
        ->check(CLI::IsMember({"table", "json", "csv", "html"}));
    return c->footer(
        "Runs outside a plant's business hours (plants.<plant>.business_hours) or inside a "
        "target's maintenance do not count; maintenance is shown as unmonitored time.\n"
        "Exit codes:\n  0  the report was written\n  2  usage or configuration error, or no "
        "history to read");
  }
  int Run() override { return runners::RunReport(o_, std::cout, std::cerr); }

 private:
  runners::ReportOptions o_;
};

class Daemon final : public Command {
 public:
  CLI::App* Add(CLI::App& app) override {
    auto* c = app.add_subcommand(
        "run", "Run the daemon: scheduled probes, /metrics, /status, results history");
    c->add_option("CONFIG", o_.config_path, "Configuration file (YAML)")->required();
    c->add_option("--listen", o_.listen,
                  "Admin server address:port (overrides admin.listen; port 0 picks one)");
    c->add_option("--grace", grace_seconds_,
                  "Seconds in-flight journeys get to finish on SIGTERM; then their calls are "
                  "cancelled")
        ->capture_default_str()
        ->check(CLI::Range(0, 3600));
    return c->footer(kExitCodes);
  }
  int Run() override {
    o_.version = ODOO_PROBER_VERSION;
    o_.grace = std::chrono::seconds(grace_seconds_);
    return runners::RunDaemon(o_, std::cout, std::cerr);
  }

 private:
  runners::RunOptions o_;
  int grace_seconds_ = 60;
};

class Tls final : public Command {
 public:
  CLI::App* Add(CLI::App& app) override {
    auto* c =
        app.add_subcommand("tls", "Inspect one TLS endpoint: chain, expiry, host name, findings");
    c->add_option("ENDPOINT", o_.endpoint, "https://host[:port] or host:port")->required();
    c->add_option("--ca", o_.ca_file, "Trust this CA bundle instead of the system store");
    c->add_option("--servername", o_.servername,
                  "Name for SNI and the host-name check (default: the host)");
    c->add_option("--output", output_, "Output: table (default) or json (one JSON object)")
        ->check(CLI::IsMember({"table", "json"}));
    c->add_option("--timeout", timeout_, "Deadline for connect and handshake")
        ->capture_default_str();
    c->add_option("--critical", critical_, "Expiry closer than this is critical")
        ->capture_default_str();
    c->add_option("--warning", warning_, "Expiry closer than this is a warning")
        ->capture_default_str();
    return c->footer(
        "Exit codes:\n  0  no critical or warning finding\n  1  at least one critical or "
        "warning finding\n  2  usage error\n  3  internal error");
  }
  int Run() override {
    const auto timeout = DurationArg<std::chrono::milliseconds>(timeout_);
    const auto critical = DurationArg<std::chrono::hours>(critical_);
    const auto warning = DurationArg<std::chrono::hours>(warning_);
    if (!timeout || !critical || !warning) {
      std::cerr << "--timeout, --critical and --warning take durations such as 10s, 7d, 30d\n";
      return runners::kExitUsage;
    }
    o_.timeout = *timeout;
    o_.thresholds = {*critical, *warning};
    o_.json = output_ == "json";
    return runners::RunTls(o_, std::cout, std::cerr);
  }

 private:
  runners::TlsOptions o_;
  std::string output_ = "table", timeout_ = "10s", critical_ = "7d", warning_ = "30d";
};

class Journeys final : public Command {
 public:
  CLI::App* Add(CLI::App& app) override {
    auto* c = app.add_subcommand(
        "journeys", "List the built-in journeys (and the config's) with their parameters");
    c->add_option("CONFIG", config_, "Configuration file (YAML) naming journey_dirs");
    return c->footer(kExitCodes);
  }
  int Run() override {
    return runners::RunJourneys(config_.empty() ? std::nullopt : std::optional(config_), std::cout,
                                std::cerr);
  }

 private:
  std::string config_;
};

class Sweep final : public Command {
 public:
  CLI::App* Add(CLI::App& app) override {
    auto* c = app.add_subcommand(
        "sweep", "Find and neutralise probe records left behind (older than --older-than)");
    c->add_option("CONFIG", o_.config_path, "Configuration file (YAML)")->required();
    c->add_option("--older-than", older_than_,
                  "Only records created before this long ago (e.g. 30m, 2h)")
        ->capture_default_str();
    c->add_option("--recheck", recheck_,
                  "Also read back records that look final and were created within this span "
                  "before --older-than, with their recipe's checks (0 turns it off)")
        ->capture_default_str();
    c->add_flag("--dry-run", o_.dry_run, "Only list what would be neutralised");
    c->add_option("--target", o_.targets, "Only this target (repeatable)");
    return c->footer(kExitCodes);
  }
  int Run() override {
    const auto age = DurationArg<std::chrono::seconds>(older_than_);
    const auto span = recheck_ == "0" ? std::optional(std::chrono::seconds(0))
                                      : DurationArg<std::chrono::seconds>(recheck_);
    if (!age) {
      std::cerr << "--older-than: not a duration: " << older_than_ << " (e.g. 30m, 2h)\n";
      return runners::kExitUsage;
    }
    if (!span) {
      std::cerr << "--recheck: not a duration: " << recheck_ << " (e.g. 2h, 30d, or 0)\n";
      return runners::kExitUsage;
    }
    o_.older_than = *age;
    o_.recheck = *span;
    return runners::RunSweep(o_, std::cout, std::cerr);
  }

 private:
  runners::SweepOptions o_;
  std::string older_than_ = "1h", recheck_ = "2h";
};

// Logging on stderr, libcurl, the command, and their cleanup; exceptions are internal errors.
int Execute(Command& command, const std::string& log_level) {
  spdlog::set_default_logger(spdlog::stderr_color_mt("odoo-prober"));
  spdlog::set_level(spdlog::level::from_str(log_level));
  if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
    std::cerr << "internal error: curl_global_init failed\n";
    return runners::kExitInternal;
  }
  int rc = runners::kExitInternal;
  try {
    rc = command.Run();
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
  app.footer(kExitCodes);
  app.require_subcommand(1);
  std::string log_level;  // default: info for the daemon (its log is its record), else warn
  app.add_option("--log-level", log_level,
                 "Log level on stderr: trace, debug, info, warn, error, off (default: info for "
                 "run, warn for the other commands)")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "off"}));
  runners::Identity identity;
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
  std::vector<std::unique_ptr<Command>> commands;
  commands.push_back(std::make_unique<Version>());
  commands.push_back(std::make_unique<Validate>());
  commands.push_back(std::make_unique<Provision>());
  commands.push_back(std::make_unique<Once>(log_level));
  commands.push_back(std::make_unique<Daemon>());
  commands.push_back(std::make_unique<Tls>());
  commands.push_back(std::make_unique<Journeys>());
  commands.push_back(std::make_unique<Sweep>());
  commands.push_back(std::make_unique<Report>());
  commands.push_back(std::make_unique<Compare>(log_level));
  std::vector<CLI::App*> subcommands;
  for (auto& c : commands) subcommands.push_back(c->Add(app));
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);  // prints help or the error
    return code == 0 ? runners::kExitOk : runners::kExitUsage;
  }
  runners::SetIdentity(identity);
  for (size_t i = 0; i < commands.size(); ++i) {
    if (!subcommands[i]->parsed()) continue;
    if (log_level.empty()) log_level = subcommands[i]->get_name() == "run" ? "info" : "warn";
    return Execute(*commands[i], log_level);
  }
  return runners::kExitUsage;
}
