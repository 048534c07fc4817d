// The TLS endpoints of a configuration and their checks: each distinct https endpoint (host,
// port, SNI name, CA bundle) is inspected once, whatever the number of journeys or targets
// using it, and reported under the first target that names it; an https dependency's endpoint
// (one this instance checks, its certificate verified) under the dependency's name.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "config/config.h"
#include "prober/clock.h"
#include "results/tls_findings.h"

namespace odoo_prober::runners {

struct TlsEndpoint {
  std::string target;
  config::Labels labels;
  std::string host;
  uint16_t port = 443;
  std::string ca_file;
  results::TlsThresholds thresholds;
  std::string key() const { return host + ":" + std::to_string(port); }
};

std::vector<TlsEndpoint> TlsEndpoints(const config::ProberConfig& config);

// Inspects one endpoint (deadline: the target's call timeout) and evaluates its findings.
// Parses "https://host:port/path", "host:port" or "host" (port 443) into host and port.
bool ParseEndpoint(const std::string& endpoint, std::string* host, uint16_t* port);

results::TlsReport CheckTls(const TlsEndpoint& endpoint, std::chrono::milliseconds timeout,
                            const prober::Clock& clock = prober::RealClock());

// The table `once` prints after the journeys.
std::string FormatTlsTable(const std::vector<results::TlsReport>& reports);

}  // namespace odoo_prober::runners
