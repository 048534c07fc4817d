// Pushgateway: `once --pushgateway URL` publishes a one-shot run's metrics, as `run` exposes
// them on /metrics, for Prometheus to scrape from the gateway (CronJobs, CI pipelines,
// migration checks).
//
// One group per region of the targets that ran, under the grouping key job="odoo-prober",
// instance (the config's instance or the host name) and region; each push replaces what its
// group held (HTTP PUT), so a group always shows the last run. prometheus-cpp's Gateway is not
// used: the version Debian ships sets no timeout on its calls, and a gateway that does not
// answer would hang the run. The text comes from prometheus-cpp's serializer; the PUT is
// libcurl with a deadline.
#pragma once

#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "config/config.h"
#include "prober/status.h"
#include "results/journey_result.h"
#include "results/tls_findings.h"

namespace odoo_prober::runners {

// The Pushgateway's path for a grouping key: /metrics/job@base64/.../instance@base64/...
// (every value base64url-encoded, so that any value, "/" and "" included, is allowed).
std::string GroupingPath(const std::vector<std::pair<std::string, std::string>>& key);

struct PushOptions {
  std::string url;  // http(s)://host:port of the Pushgateway
  std::string instance;
  std::string version;
  std::chrono::milliseconds timeout{10000};
};

// Pushes the runs' and the TLS checks' metrics, one group per region. The error names the
// gateway, the group and what it answered.
prober::Status PushMetrics(const PushOptions& options, const config::ProberConfig& config,
                           const std::vector<results::JourneyResult>& results,
                           const std::vector<results::TlsReport>& tls);

}  // namespace odoo_prober::runners
