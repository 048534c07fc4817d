// MakeSinks: every result sink a configuration asks for, built in one place: the metrics and
// the status board always, the JSON-lines file and the SQLite store when configured. A new sink
// is a line here and a config key.
//
// Thread-safety: call once per daemon; `metrics` and `board` must outlive the sinks.
#pragma once

#include <memory>
#include <vector>

#include "config/config.h"
#include "prober/status.h"
#include "results/metrics.h"
#include "results/sink.h"
#include "results/status_board.h"

namespace odoo_prober::results {

// Fails (InvalidArgument, naming the file and what to do) when a file sink cannot be opened.
prober::Result<std::vector<std::unique_ptr<ResultSink>>> MakeSinks(
    const config::ProberConfig& config, Metrics& metrics, StatusBoard& board);

}  // namespace odoo_prober::results
