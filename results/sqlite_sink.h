// SqliteSink: the local results history, the embedded default for SLO reports. WAL mode; one
// transaction per run (a crash loses at most the run being written); tables `runs` and
// `steps`, indexed on journey, target and start time; rows older than the retention are pruned
// as writes go on.
//
// Schema:
//   runs(id, run_id, journey, target, region, plant, env, service, started_at REAL (unix seconds),
//        started_at_iso, duration_seconds, outcome, failed_step, detail, protocol, server_major,
//        cleanup_ok)
//   steps(run_id -> runs.id, position, name, outcome, total_seconds, dns_seconds,
//         connect_seconds, tls_seconds, first_byte_seconds, http_status, odoo_error, detail)
//
// Thread-safety: used by one fan-out thread.
#pragma once

#include <memory>
#include <string>

#include "results/sink.h"

namespace odoo_prober::results {

struct SqliteOptions {
  std::string path;
  int retention_days = 30;
};

// Opens (creating) the database. Fails with InvalidArgument when it cannot be opened or its
// schema created.
prober::Result<std::unique_ptr<ResultSink>> CreateSqliteSink(const SqliteOptions& options);

}  // namespace odoo_prober::results
