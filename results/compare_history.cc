// A compare baseline read from the SQLite results history (results/compare.h).
#include <algorithm>
#include <cmath>

#include "results/compare.h"
#include "results/internal/sqlite_db.h"

namespace odoo_prober::results {

using internal::Column;
using internal::Stmt;

prober::Result<HistoryBaseline> ReadHistoryBaseline(const std::string& path,
                                                    const std::string& target,
                                                    const std::vector<std::string>& journeys,
                                                    std::chrono::system_clock::time_point since,
                                                    size_t max_runs) {
  auto db = internal::OpenHistory(path);
  if (!db.ok()) return db.status();
  sqlite3* d = db->get();
  auto prepare = [&](const char* sql) -> prober::Result<Stmt> {
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v2(d, sql, -1, &s, nullptr) != SQLITE_OK) {
      sqlite3_finalize(s);
      return prober::Status::InvalidArgument(
          path + ": not an odoo-prober results history: " + sqlite3_errmsg(d));
    }
    return Stmt(s);
  };
  auto runs = prepare(
      "SELECT id, run_id, journey, started_at, duration_seconds, outcome, "
      "coalesce(failed_step, ''), coalesce(detail, ''), coalesce(protocol, ''), "
      "coalesce(server_major, 0), cleanup_ok FROM runs WHERE target = ? AND started_at >= ? "
      "ORDER BY started_at DESC");
  if (!runs.ok()) return runs.status();
  auto steps = prepare(
      "SELECT name, outcome, coalesce(total_seconds, 0) FROM steps WHERE run_id = ? "
      "ORDER BY position");
  if (!steps.ok()) return steps.status();
  sqlite3_stmt* s = runs->get();
  sqlite3_bind_text(s, 1, target.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_double(s, 2, std::chrono::duration<double>(since.time_since_epoch()).count());
  HistoryBaseline out;
  std::map<int, int> majors;            // server major -> runs
  std::map<std::string, size_t> taken;  // journey -> runs kept (the latest first)
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    JourneyResult r;
    r.journey = Column(s, 2);
    if (!journeys.empty() &&
        std::find(journeys.begin(), journeys.end(), r.journey) == journeys.end())
      continue;
    if (++taken[r.journey] > max_runs) continue;
    r.run_id = Column(s, 1);
    r.target = target;
    r.started_at = std::chrono::system_clock::time_point(
        std::chrono::duration_cast<std::chrono::system_clock::duration>(
            std::chrono::duration<double>(sqlite3_column_double(s, 3))));
    r.duration_us = std::llround(sqlite3_column_double(s, 4) * 1e6);
    r.outcome = prober::ParseOutcome(Column(s, 5)).value_or(prober::Outcome::kTransport);
    r.failed_step = Column(s, 6);
    r.detail = Column(s, 7);
    r.protocol = Column(s, 8);
    r.server_major = sqlite3_column_int(s, 9);
    if (r.server_major > 0) ++majors[r.server_major];
    if (sqlite3_column_int(s, 10) == 0) r.records.push_back({"", 0, "failed", "cleanup", ""});
    sqlite3_stmt* st = steps->get();
    sqlite3_reset(st);
    sqlite3_bind_int64(st, 1, sqlite3_column_int64(s, 0));
    while (sqlite3_step(st) == SQLITE_ROW) {
      StepResult step;
      step.name = Column(st, 0);
      step.outcome = prober::ParseOutcome(Column(st, 1)).value_or(prober::Outcome::kTransport);
      step.timings.total_us = std::llround(sqlite3_column_double(st, 2) * 1e6);
      r.steps.push_back(std::move(step));
    }
    out.runs.push_back(std::move(r));
  }
  if (rc != SQLITE_DONE) {
    return prober::Status::InvalidArgument(path + ": cannot read the runs: " + sqlite3_errmsg(d));
  }
  std::reverse(out.runs.begin(), out.runs.end());
  if (out.runs.empty()) {
    return prober::Status::InvalidArgument(
        path + ": no run of target " + target +
        (journeys.empty() ? "" : " for the selected journeys") +
        " in the history; --baseline-target names a target as `run` recorded it");
  }
  Fingerprint& f = out.fingerprint;
  // The major version most runs saw.
  int best = 0;
  for (const auto& [major, n] : majors) {
    if (n > best) {
      best = n;
      f.server_version = std::to_string(major);
    }
  }
  f.unknown["server_version_minor"] = "the history keeps the major version only";
  for (const char* item :
       {"modules", "currency", "country", "user_lang", "user_tz", "tls_issuer", "tls_key"})
    f.unknown[item] = "the history does not keep it";
  if (auto tls = prepare(
          "SELECT chain_expiry FROM tls_checks WHERE target = ? ORDER BY checked_at DESC LIMIT 1");
      tls.ok()) {
    sqlite3_bind_text(tls->get(), 1, target.c_str(), -1, SQLITE_TRANSIENT);
    if (sqlite3_step(tls->get()) == SQLITE_ROW &&
        sqlite3_column_type(tls->get(), 0) != SQLITE_NULL) {
      f.https = true;
      f.tls_expiry = std::chrono::system_clock::time_point(
          std::chrono::duration_cast<std::chrono::system_clock::duration>(
              std::chrono::duration<double>(sqlite3_column_double(tls->get(), 0))));
    }
  }
  return out;
}

}  // namespace odoo_prober::results
