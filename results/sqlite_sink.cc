#include "results/sqlite_sink.h"

#include <sqlite3.h>

#include <array>
#include <chrono>
#include <string>

#include "prober/text.h"
#include "results/internal/sqlite_db.h"

namespace odoo_prober::results {
namespace {

constexpr const char* kSchema = R"sql(
PRAGMA journal_mode=WAL;
PRAGMA synchronous=NORMAL;
PRAGMA foreign_keys=ON;
BEGIN;
CREATE TABLE IF NOT EXISTS runs (
  id INTEGER PRIMARY KEY,
  run_id TEXT NOT NULL,
  journey TEXT NOT NULL,
  target TEXT NOT NULL,
  region TEXT, plant TEXT, env TEXT,
  service TEXT, instance TEXT,
  definition TEXT,
  started_at REAL NOT NULL,
  started_at_iso TEXT NOT NULL,
  duration_seconds REAL NOT NULL,
  outcome TEXT NOT NULL,
  failed_step TEXT, detail TEXT, protocol TEXT, server_major INTEGER,
  cleanup_ok INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS runs_by_pair ON runs(journey, target, started_at);
CREATE INDEX IF NOT EXISTS runs_by_time ON runs(started_at);
CREATE TABLE IF NOT EXISTS steps (
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  name TEXT NOT NULL,
  outcome TEXT NOT NULL,
  total_seconds REAL, dns_seconds REAL, connect_seconds REAL, tls_seconds REAL,
  first_byte_seconds REAL, http_status INTEGER, odoo_error TEXT, detail TEXT,
  local_address TEXT, server_address TEXT);
CREATE INDEX IF NOT EXISTS steps_by_run ON steps(run_id);
CREATE TABLE IF NOT EXISTS tls_checks (
  id INTEGER PRIMARY KEY,
  checked_at REAL NOT NULL,
  target TEXT NOT NULL,
  endpoint TEXT NOT NULL,
  outcome TEXT NOT NULL,
  chain_expiry REAL,
  tls_version TEXT,
  trusted INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS tls_checks_by_endpoint ON tls_checks(endpoint, checked_at);
CREATE TABLE IF NOT EXISTS tls_findings (
  check_id INTEGER NOT NULL REFERENCES tls_checks(id) ON DELETE CASCADE,
  kind TEXT NOT NULL, severity TEXT NOT NULL, certificate TEXT, detail TEXT);
CREATE TABLE IF NOT EXISTS dependency_checks (
  id INTEGER PRIMARY KEY,
  dependency TEXT NOT NULL,
  kind TEXT NOT NULL,
  used_by TEXT NOT NULL,
  region TEXT, plant TEXT, env TEXT, instance TEXT,
  started_at REAL NOT NULL,
  started_at_iso TEXT NOT NULL,
  duration_seconds REAL NOT NULL,
  outcome TEXT NOT NULL,
  detail TEXT, http_status INTEGER,
  dns_seconds REAL, connect_seconds REAL, tls_seconds REAL, first_byte_seconds REAL,
  server_address TEXT);
CREATE INDEX IF NOT EXISTS dependency_checks_by_name ON dependency_checks(dependency, started_at);
CREATE TABLE IF NOT EXISTS events (
  id INTEGER PRIMARY KEY,
  at REAL NOT NULL,
  at_iso TEXT NOT NULL,
  target TEXT NOT NULL,
  region TEXT, plant TEXT, env TEXT, instance TEXT,
  kind TEXT NOT NULL,
  item TEXT, before TEXT, after TEXT, summary TEXT);
CREATE INDEX IF NOT EXISTS events_by_time ON events(at);
COMMIT;
)sql";

using internal::Db;
using internal::Stmt;

using nlohmann::json;

// Columns added after the first release, for databases created before them: (table, column,
// declaration).
constexpr std::array<std::array<const char*, 3>, 5> kAddedColumns = {{
    {"runs", "service", "TEXT"},
    {"runs", "instance", "TEXT"},
    {"runs", "definition", "TEXT"},
    {"steps", "local_address", "TEXT"},
    {"steps", "server_address", "TEXT"},
}};

// Adds the kAddedColumns a database lacks; "" or the error.
std::string Migrate(sqlite3* db) {
  for (const auto& [table, column, type] : kAddedColumns) {
    const std::string probe = std::string("SELECT ") + column + " FROM " + table + " LIMIT 0";
    sqlite3_stmt* s = nullptr;
    const bool has = sqlite3_prepare_v2(db, probe.c_str(), -1, &s, nullptr) == SQLITE_OK;
    sqlite3_finalize(s);
    if (has) continue;
    const std::string add =
        std::string("ALTER TABLE ") + table + " ADD COLUMN " + column + " " + type;
    if (sqlite3_exec(db, add.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK)
      return add + ": " + sqlite3_errmsg(db);
    // Runs stored before journeys had ids: their journey was the definition's name. Filled
    // once, when the column is added (not a scan of the history at every start).
    if (std::string(column) == "definition") {
      const char* fill = "UPDATE runs SET definition = journey";
      if (sqlite3_exec(db, fill, nullptr, nullptr, nullptr) != SQLITE_OK)
        return std::string(fill) + ": " + sqlite3_errmsg(db);
    }
  }
  return "";
}

double Secs(int64_t us) { return static_cast<double>(us) / 1e6; }

class SqliteSink final : public ResultSink {
 public:
  SqliteSink(SqliteOptions options, Db db) : options_(std::move(options)), db_(std::move(db)) {}

  prober::Status Prepare() {
    insert_run_ = Compile(
        "INSERT INTO runs (run_id, journey, target, region, plant, env, started_at, "
        "started_at_iso, "
        "duration_seconds, outcome, failed_step, detail, protocol, server_major, cleanup_ok, "
        "service, instance, definition) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
    insert_step_ = Compile(
        "INSERT INTO steps (run_id, position, name, outcome, total_seconds, dns_seconds, "
        "connect_seconds, "
        "tls_seconds, first_byte_seconds, http_status, odoo_error, detail, local_address, "
        "server_address) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
    prune_ = Compile("DELETE FROM runs WHERE started_at < ?");
    prune_dependencies_ = Compile("DELETE FROM dependency_checks WHERE started_at < ?");
    insert_event_ = Compile(
        "INSERT INTO events (at, at_iso, target, region, plant, env, instance, kind, item, before, "
        "after, summary) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)");
    insert_check_ = Compile(
        "INSERT INTO tls_checks (checked_at, target, endpoint, outcome, chain_expiry, tls_version, "
        "trusted) "
        "VALUES (?,?,?,?,?,?,?)");
    insert_finding_ = Compile(
        "INSERT INTO tls_findings (check_id, kind, severity, certificate, detail) VALUES "
        "(?,?,?,?,?)");
    insert_dependency_ = Compile(
        "INSERT INTO dependency_checks (dependency, kind, used_by, region, plant, env, instance, "
        "started_at, started_at_iso, duration_seconds, outcome, detail, http_status, dns_seconds, "
        "connect_seconds, tls_seconds, first_byte_seconds, server_address) VALUES "
        "(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
    if (!insert_run_ || !insert_step_ || !prune_ || !insert_check_ || !insert_finding_ ||
        !insert_dependency_ || !prune_dependencies_ || !insert_event_) {
      return Error("cannot prepare statements");
    }
    return prober::Status::Ok();
  }

  prober::Status Write(const JourneyResult& r) override {
    if (!Exec("BEGIN")) return Error("begin");
    sqlite3_stmt* s = insert_run_.get();
    sqlite3_reset(s);
    const json j = ToJson(r);
    const double started = std::chrono::duration<double>(r.started_at.time_since_epoch()).count();
    Text(s, 1, r.run_id);
    Text(s, 2, r.journey);
    Text(s, 3, r.target);
    Text(s, 4, r.labels.region);
    Text(s, 5, r.labels.plant);
    Text(s, 6, r.labels.env);
    sqlite3_bind_double(s, 7, started);
    Text(s, 8, j["started_at"].get<std::string>());
    sqlite3_bind_double(s, 9, Secs(r.duration_us));
    Text(s, 10, std::string(prober::OutcomeName(r.outcome)));
    Text(s, 11, r.failed_step);
    Text(s, 12, r.detail);
    Text(s, 13, r.protocol);
    sqlite3_bind_int(s, 14, r.server_major);
    sqlite3_bind_int(s, 15, r.CleanedUp() ? 1 : 0);
    Text(s, 16, r.service);
    Text(s, 17, r.instance);
    Text(s, 18, r.definition.empty() ? r.journey : r.definition);
    if (sqlite3_step(s) != SQLITE_DONE) return Rollback("insert run");
    const int64_t row = sqlite3_last_insert_rowid(db_.get());
    int position = 0;
    for (const auto& step : r.steps) {
      sqlite3_stmt* t = insert_step_.get();
      sqlite3_reset(t);
      sqlite3_bind_int64(t, 1, row);
      sqlite3_bind_int(t, 2, position++);
      Text(t, 3, step.name);
      Text(t, 4, std::string(prober::OutcomeName(step.outcome)));
      sqlite3_bind_double(t, 5, Secs(step.timings.total_us));
      sqlite3_bind_double(t, 6, Secs(step.timings.dns_us));
      sqlite3_bind_double(t, 7, Secs(step.timings.connect_us));
      sqlite3_bind_double(t, 8, Secs(step.timings.tls_us));
      sqlite3_bind_double(t, 9, Secs(step.timings.first_byte_us));
      sqlite3_bind_int(t, 10, static_cast<int>(step.http_status));
      Text(t, 11, step.odoo_error);
      Text(t, 12, step.detail);
      Text(t, 13, step.connection.local);
      Text(t, 14, step.connection.server);
      if (sqlite3_step(t) != SQLITE_DONE) return Rollback("insert step");
    }
    // Retention: pruned as writes go on, once every 100 runs, in this (background) thread.
    if (++writes_ % 100 == 0 && options_.retention_days > 0) {
      sqlite3_reset(prune_.get());
      sqlite3_bind_double(prune_.get(), 1, started - options_.retention_days * 86400.0);
      if (sqlite3_step(prune_.get()) != SQLITE_DONE) return Rollback("prune");
    }
    if (!Exec("COMMIT")) return Rollback("commit");
    return prober::Status::Ok();
  }

  prober::Status WriteTls(const TlsReport& r) override {
    if (!Exec("BEGIN")) return Error("begin");
    sqlite3_stmt* s = insert_check_.get();
    sqlite3_reset(s);
    sqlite3_bind_double(s, 1,
                        std::chrono::duration<double>(r.checked_at.time_since_epoch()).count());
    Text(s, 2, r.target);
    Text(s, 3, r.endpoint);
    Text(s, 4, std::string(prober::OutcomeName(r.inspection.outcome)));
    sqlite3_bind_double(s, 5, static_cast<double>(ChainExpiry(r.inspection)));
    Text(s, 6, r.inspection.tls_version);
    sqlite3_bind_int(s, 7, r.inspection.trusted ? 1 : 0);
    if (sqlite3_step(s) != SQLITE_DONE) return Rollback("insert tls check");
    const int64_t id = sqlite3_last_insert_rowid(db_.get());
    for (const auto& f : r.findings) {
      sqlite3_stmt* t = insert_finding_.get();
      sqlite3_reset(t);
      sqlite3_bind_int64(t, 1, id);
      Text(t, 2, f.kind);
      Text(t, 3, std::string(SeverityName(f.severity)));
      Text(t, 4, f.certificate);
      Text(t, 5, f.detail);
      if (sqlite3_step(t) != SQLITE_DONE) return Rollback("insert tls finding");
    }
    if (!Exec("COMMIT")) return Rollback("commit");
    return prober::Status::Ok();
  }

  prober::Status WriteDependency(const DependencyResult& r) override {
    sqlite3_stmt* s = insert_dependency_.get();
    sqlite3_reset(s);
    const auto& o = r.outcome;
    const double started = std::chrono::duration<double>(r.started_at.time_since_epoch()).count();
    Text(s, 1, r.dependency);
    Text(s, 2, std::string(prober::DependencyKindName(r.kind)));
    Text(s, 3, prober::Join(r.used_by, ","));
    Text(s, 4, r.labels.region);
    Text(s, 5, r.labels.plant);
    Text(s, 6, r.labels.env);
    Text(s, 7, r.instance);
    sqlite3_bind_double(s, 8, started);
    Text(s, 9, ToJson(r).at("started_at").get<std::string>());
    sqlite3_bind_double(s, 10, static_cast<double>(o.timings.total_us) / 1e6);
    Text(s, 11, std::string(prober::OutcomeName(o.outcome)));
    Text(s, 12, o.detail);
    sqlite3_bind_int64(s, 13, o.http_status);
    sqlite3_bind_double(s, 14, static_cast<double>(o.timings.dns_us) / 1e6);
    sqlite3_bind_double(s, 15, static_cast<double>(o.timings.connect_us) / 1e6);
    sqlite3_bind_double(s, 16, static_cast<double>(o.timings.tls_us) / 1e6);
    sqlite3_bind_double(s, 17, static_cast<double>(o.timings.first_byte_us) / 1e6);
    Text(s, 18, o.connection.server);
    if (sqlite3_step(s) != SQLITE_DONE) return Error("insert dependency check");
    // Retention, as for the runs: pruned once every 100 checks.
    if (++dependency_writes_ % 100 == 0 && options_.retention_days > 0) {
      sqlite3_stmt* p = prune_dependencies_.get();
      sqlite3_reset(p);
      sqlite3_bind_double(p, 1, started - options_.retention_days * 86400.0);
      if (sqlite3_step(p) != SQLITE_DONE) return Error("prune dependency checks");
    }
    return prober::Status::Ok();
  }

  // Events are few (a release, a rotation): kept for good, like the TLS checks.
  prober::Status WriteChange(const ChangeEvent& e) override {
    sqlite3_stmt* s = insert_event_.get();
    sqlite3_reset(s);
    const auto j = ToJson(e);
    sqlite3_bind_double(s, 1, j.at("at_seconds").get<double>());
    Text(s, 2, j.at("at").get<std::string>());
    Text(s, 3, e.target);
    Text(s, 4, e.labels.region);
    Text(s, 5, e.labels.plant);
    Text(s, 6, e.labels.env);
    Text(s, 7, e.instance);
    Text(s, 8, e.kind);
    Text(s, 9, e.item);
    Text(s, 10, e.before);
    Text(s, 11, e.after);
    Text(s, 12, e.Summary());
    if (sqlite3_step(s) != SQLITE_DONE) return Error("insert event");
    return prober::Status::Ok();
  }

  prober::Status Flush() override {
    if (!Exec("PRAGMA wal_checkpoint(PASSIVE)")) return Error("checkpoint");
    return prober::Status::Ok();
  }

  std::string name() const override { return "sqlite"; }

 private:
  Stmt Compile(const char* sql) {
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v2(db_.get(), sql, -1, &s, nullptr) != SQLITE_OK) return nullptr;
    return Stmt(s);
  }
  static void Text(sqlite3_stmt* s, int i, const std::string& v) {
    sqlite3_bind_text(s, i, v.c_str(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
  }
  bool Exec(const char* sql) {
    return sqlite3_exec(db_.get(), sql, nullptr, nullptr, nullptr) == SQLITE_OK;
  }
  prober::Status Error(const std::string& what) {
    return prober::Status::Unavailable(options_.path + ": " + what + ": " +
                                       sqlite3_errmsg(db_.get()));
  }
  prober::Status Rollback(const std::string& what) {
    auto st = Error(what);
    Exec("ROLLBACK");
    return st;
  }

  const SqliteOptions options_;
  Db db_;
  Stmt insert_run_, insert_step_, prune_, insert_check_, insert_finding_, insert_dependency_,
      prune_dependencies_, insert_event_;
  uint64_t dependency_writes_ = 0;
  uint64_t writes_ = 0;
};

}  // namespace

prober::Result<std::unique_ptr<ResultSink>> CreateSqliteSink(const SqliteOptions& options) {
  sqlite3* raw = nullptr;
  const int rc =
      sqlite3_open_v2(options.path.c_str(), &raw,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  Db db(raw);
  if (rc != SQLITE_OK) {
    return prober::Status::InvalidArgument(options.path + ": cannot open the results database: " +
                                           (raw ? sqlite3_errmsg(raw) : "out of memory"));
  }
  sqlite3_busy_timeout(db.get(), 5000);
  char* err = nullptr;
  if (sqlite3_exec(db.get(), kSchema, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : "unknown error";
    sqlite3_free(err);
    return prober::Status::InvalidArgument(options.path + ": cannot create the schema: " + msg);
  }
  if (auto wrong = Migrate(db.get()); !wrong.empty()) {
    return prober::Status::InvalidArgument(options.path + ": cannot upgrade the schema: " + wrong);
  }
  auto sink = std::make_unique<SqliteSink>(options, std::move(db));
  if (auto st = sink->Prepare(); !st.ok()) return prober::Status::InvalidArgument(st.message());
  return std::unique_ptr<ResultSink>(std::move(sink));
}

}  // namespace odoo_prober::results
