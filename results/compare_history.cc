// A compare baseline read from the SQLite results history (results/compare.h).
#include <algorithm>
#include <cmath>
#include <map>

#include "results/compare.h"
#include "results/internal/sqlite_db.h"

namespace odoo_prober::results {

using internal::Column;
using internal::Stmt;

namespace {

std::chrono::system_clock::time_point UnixTime(double seconds) {
  return std::chrono::system_clock::time_point(
      std::chrono::duration_cast<std::chrono::system_clock::duration>(
          std::chrono::duration<double>(seconds)));
}

prober::Result<Stmt> Prepare(sqlite3* db, const std::string& path, const char* sql) {
  sqlite3_stmt* s = nullptr;
  if (sqlite3_prepare_v2(db, sql, -1, &s, nullptr) != SQLITE_OK) {
    sqlite3_finalize(s);
    return prober::Status::InvalidArgument(
        path + ": not an odoo-prober results history: " + sqlite3_errmsg(db));
  }
  return Stmt(s);
}

// The run at the row `s` stands on (runs: id, run_id, journey, started_at, duration_seconds,
// outcome, failed_step, detail, protocol, server_major, cleanup_ok), with its steps.
JourneyResult RunAt(sqlite3_stmt* s, sqlite3_stmt* steps, const std::string& target) {
  JourneyResult r;
  r.journey = Column(s, 2);
  r.run_id = Column(s, 1);
  r.target = target;
  r.started_at = UnixTime(sqlite3_column_double(s, 3));
  r.duration_us = std::llround(sqlite3_column_double(s, 4) * 1e6);
  r.outcome = prober::ParseOutcome(Column(s, 5)).value_or(prober::Outcome::kTransport);
  r.failed_step = Column(s, 6);
  r.detail = Column(s, 7);
  r.protocol = Column(s, 8);
  r.server_major = sqlite3_column_int(s, 9);
  if (sqlite3_column_int(s, 10) == 0) r.records.push_back({"", 0, "failed", "cleanup", ""});
  sqlite3_reset(steps);
  sqlite3_bind_int64(steps, 1, sqlite3_column_int64(s, 0));
  while (sqlite3_step(steps) == SQLITE_ROW) {
    StepResult step;
    step.name = Column(steps, 0);
    step.outcome = prober::ParseOutcome(Column(steps, 1)).value_or(prober::Outcome::kTransport);
    step.timings.total_us = std::llround(sqlite3_column_double(steps, 2) * 1e6);
    r.steps.push_back(std::move(step));
  }
  return r;
}

// What a history can tell of the baseline's fingerprint: the major version most runs saw and
// the TLS chain's expiry; the rest is unknown, with why.
void HistoryFingerprint(sqlite3* db, const std::string& path, const std::string& target,
                        const std::map<int, int>& majors, Fingerprint& f) {
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
  auto tls = Prepare(
      db, path,
      "SELECT chain_expiry FROM tls_checks WHERE target = ? ORDER BY checked_at DESC LIMIT 1");
  if (!tls.ok()) return;
  sqlite3_bind_text(tls->get(), 1, target.c_str(), -1, SQLITE_TRANSIENT);
  if (sqlite3_step(tls->get()) == SQLITE_ROW && sqlite3_column_type(tls->get(), 0) != SQLITE_NULL) {
    f.https = true;
    f.tls_expiry = UnixTime(sqlite3_column_double(tls->get(), 0));
  }
}

}  // namespace

prober::Result<HistoryBaseline> ReadHistoryBaseline(const std::string& path,
                                                    const std::string& target,
                                                    const std::vector<std::string>& journeys,
                                                    std::chrono::system_clock::time_point since,
                                                    size_t max_runs) {
  auto db = internal::OpenHistory(path);
  if (!db.ok()) return db.status();
  sqlite3* d = db->get();
  auto runs = Prepare(
      d, path,
      "SELECT id, run_id, journey, started_at, duration_seconds, outcome, "
      "coalesce(failed_step, ''), coalesce(detail, ''), coalesce(protocol, ''), "
      "coalesce(server_major, 0), cleanup_ok FROM runs WHERE target = ? AND started_at >= ? "
      "ORDER BY started_at DESC");
  if (!runs.ok()) return runs.status();
  auto steps = Prepare(d, path,
                       "SELECT name, outcome, coalesce(total_seconds, 0) FROM steps WHERE "
                       "run_id = ? ORDER BY position");
  if (!steps.ok()) return steps.status();
  sqlite3_stmt* s = runs->get();
  sqlite3_bind_text(s, 1, target.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_double(s, 2, std::chrono::duration<double>(since.time_since_epoch()).count());
  HistoryBaseline out;
  std::map<int, int> majors;            // server major -> runs
  std::map<std::string, size_t> taken;  // journey -> runs kept (the latest first)
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    const std::string journey = Column(s, 2);
    if (!journeys.empty() && std::find(journeys.begin(), journeys.end(), journey) == journeys.end())
      continue;
    if (++taken[journey] > max_runs) continue;
    out.runs.push_back(RunAt(s, steps->get(), target));
    if (out.runs.back().server_major > 0) ++majors[out.runs.back().server_major];
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
  HistoryFingerprint(d, path, target, majors, out.fingerprint);
  return out;
}

}  // namespace odoo_prober::results
