// StatusBoard: the recent history of every journey x target pair, for the /status page: last
// outcome, last success, p50/p95 over the last hour, a sparkline of recent runs. Fed as a sink.
//
// Thread-safety: all methods may be called from any thread (mu_ guards the history).
#pragma once

#include <chrono>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "results/sink.h"
#include "results/tls_findings.h"

namespace odoo_prober::results {

class StatusBoard {
 public:
  // Declares a pair (so it shows before its first run) and whether it is in maintenance.
  void Declare(const std::string& journey, const std::string& target, bool in_maintenance);
  void Record(const JourneyResult& result);
  void RecordTls(const TlsReport& report);
  // The HTML page: self-contained (inline CSS and SVG, no scripts, no external assets).
  std::string RenderHtml(std::chrono::system_clock::time_point now,
                         const std::string& instance) const;

 private:
  struct Run {
    std::chrono::system_clock::time_point at;
    double seconds;
    std::string outcome;
  };
  struct Pair {
    std::deque<Run> runs;  // newest last, at most kKeep
    std::chrono::system_clock::time_point last_success{};
    std::string last_detail;
    bool in_maintenance = false;
  };
  static constexpr size_t kKeep = 720;
  mutable std::mutex mu_;
  std::map<std::pair<std::string, std::string>, Pair> pairs_;
  std::map<std::string, TlsReport> tls_;  // by endpoint
};

std::unique_ptr<ResultSink> CreateStatusSink(StatusBoard& board);

}  // namespace odoo_prober::results
