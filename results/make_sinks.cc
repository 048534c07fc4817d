#include "results/make_sinks.h"

#include "results/jsonl_sink.h"
#include "results/sqlite_sink.h"

namespace odoo_prober::results {

prober::Result<std::vector<std::unique_ptr<ResultSink>>> MakeSinks(
    const config::ProberConfig& config, Metrics& metrics, StatusBoard& board) {
  std::vector<std::unique_ptr<ResultSink>> sinks;
  sinks.push_back(CreateMetricsSink(metrics));
  sinks.push_back(CreateStatusSink(board));
  if (!config.results_jsonl.empty()) {
    auto s = CreateJsonLinesSink(
        {config.results_jsonl, config.results_jsonl_max_bytes, config.results_jsonl_keep});
    if (!s.ok()) return s.status();
    sinks.push_back(std::move(*s));
  }
  if (!config.results_sqlite.empty()) {
    auto s = CreateSqliteSink({config.results_sqlite, config.retention_days});
    if (!s.ok()) return s.status();
    sinks.push_back(std::move(*s));
  }
  return sinks;
}

}  // namespace odoo_prober::results
