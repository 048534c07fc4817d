// `odoo-prober report CONFIG`: the SLO report over the results history (results/report.h).
#include "results/report.h"

#include <cstdio>
#include <ctime>
#include <optional>

#include "runners/cli/command.h"
#include "runners/engine/exit_codes.h"
#include "runners/engine/plan.h"

namespace odoo_prober::runners::cli {
namespace {

struct ReportOptions {
  std::string config_path;
  std::string window;            // before `until`, unless `since` is given; "": objectives.window
  std::string since, until;      // "2026-11-01" or "2026-11-01T06:30:00Z" (UTC); until: now
  std::string format = "table";  // table, json, csv, html
};

using Clock = std::chrono::system_clock;

// "2026-11-01" (midnight UTC) or "2026-11-01T06:30:00Z"; `why` says what is wrong when it is
// neither, or names a day or time that does not exist (2026-02-30, 25:00).
std::optional<Clock::time_point> ParseUtc(const std::string& text, std::string& why) {
  why = "not a UTC time";
  std::tm tm{};
  char tail = 0;
  int used = 0;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &used) !=
      3) {
    return std::nullopt;
  }
  if (static_cast<size_t>(used) != text.size() &&
      (std::sscanf(text.c_str() + used, "T%2d:%2d:%2d%c", &tm.tm_hour, &tm.tm_min, &tm.tm_sec,
                   &tail) != 4 ||
       tail != 'Z' || text.size() != static_cast<size_t>(used) + 10)) {
    return std::nullopt;
  }
  const std::tm asked = tm;
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  const std::time_t t = timegm(&tm);
  // timegm carries an impossible field over (February 30th becomes March 2nd): refused instead.
  std::tm back{};
  gmtime_r(&t, &back);
  if (back.tm_year + 1900 != asked.tm_year || back.tm_mon + 1 != asked.tm_mon ||
      back.tm_mday != asked.tm_mday || back.tm_hour != asked.tm_hour ||
      back.tm_min != asked.tm_min || back.tm_sec != asked.tm_sec) {
    why = "no such UTC date or time (a month, day, hour, minute or second out of range)";
    return std::nullopt;
  }
  return Clock::from_time_t(t);
}

// Sets `to` from the option's `text` when given; false (and what to write) when it is no time.
bool TimeOption(const char* name, const std::string& text, Clock::time_point& to,
                std::ostream& err) {
  if (text.empty()) return true;
  std::string why;
  auto t = ParseUtc(text, why);
  if (!t) {
    err << name << " " << text << ": " << why << "; write 2026-11-01 or 2026-11-01T06:30:00Z\n";
    return false;
  }
  to = *t;
  return true;
}

// The SLO report over the config's results.sqlite history; exit 2 when there is none or an
// option is wrong.
int RunReport(const ReportOptions& options, const Context& context) {
  std::ostream& out = context.out;
  std::ostream& err = context.err;
  auto loaded = LoadChecked(options.config_path, context.identity, err);
  if (!loaded.ok()) return kExitUsage;
  const auto& cfg = loaded->config;
  if (cfg.results_sqlite.empty()) {
    err << options.config_path
        << ": results.sqlite is not set; the report reads the history `run` keeps there "
           "(results: {sqlite: history.db})\n";
    return kExitUsage;
  }
  Clock::time_point until = Clock::now(), since;
  if (!TimeOption("--until", options.until, until, err) ||
      !TimeOption("--since", options.since, since, err)) {
    return kExitUsage;
  }
  if (options.since.empty()) {  // the window before --until
    const auto window =
        options.window.empty()
            ? std::optional<std::chrono::milliseconds>(cfg.objectives.defaults.window)
            : config::ParseDuration(options.window);
    if (!window || window->count() <= 0) {
      err << "--window " << options.window << ": not a duration; write 28d, 7d or 24h\n";
      return kExitUsage;
    }
    since = until - *window;
  }
  if (since >= until) {
    err << "--since must be before --until\n";
    return kExitUsage;
  }
  auto report = results::BuildReport(cfg.results_sqlite, cfg, since, until);
  if (!report.ok()) {
    err << report.status().message() << "\n";
    return kExitUsage;
  }
  if (options.format == "json") {
    out << results::ReportJson(*report).dump(2, ' ', false,
                                             nlohmann::json::error_handler_t::replace)
        << "\n";
  } else if (options.format == "csv") {
    out << results::ReportCsv(*report);
  } else if (options.format == "html") {
    out << results::ReportHtml(*report);
  } else {
    out << results::ReportTable(*report);
  }
  return kExitOk;
}

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
  int Run(const Context& context) override { return RunReport(o_, context); }

 private:
  ReportOptions o_;
};

}  // namespace

std::unique_ptr<Command> NewReport() { return std::make_unique<Report>(); }

}  // namespace odoo_prober::runners::cli
