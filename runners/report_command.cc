// `odoo-prober report CONFIG`: the SLO report over the results history (results/report.h).
#include <cstdio>
#include <ctime>
#include <optional>

#include "results/report.h"
#include "runners/commands.h"

namespace odoo_prober::runners {
namespace {

using Clock = std::chrono::system_clock;

// "2026-11-01" (midnight UTC) or "2026-11-01T06:30:00Z".
std::optional<Clock::time_point> ParseUtc(const std::string& text) {
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
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return Clock::from_time_t(timegm(&tm));
}

// Sets `to` from the option's `text` when given; false (and what to write) when it is no time.
bool TimeOption(const char* name, const std::string& text, Clock::time_point& to,
                std::ostream& err) {
  if (text.empty()) return true;
  auto t = ParseUtc(text);
  if (!t) {
    err << name << " " << text << ": not a UTC time; write 2026-11-01 or 2026-11-01T06:30:00Z\n";
    return false;
  }
  to = *t;
  return true;
}

}  // namespace

int RunReport(const ReportOptions& options, std::ostream& out, std::ostream& err) {
  auto loaded = LoadChecked(options.config_path, err);
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

}  // namespace odoo_prober::runners
