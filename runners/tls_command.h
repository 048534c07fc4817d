// `odoo-prober tls URL|HOST:PORT`: inspects one TLS endpoint ad hoc and prints its findings.
// Exit 0 when nothing critical or warning was found, 1 otherwise, 2 for usage errors.
#pragma once

#include <chrono>
#include <ostream>
#include <string>

#include "prober/tls_inspector.h"
#include "results/tls_findings.h"

namespace odoo_prober::runners {

struct TlsOptions {
  std::string endpoint;  // https://host[:port][/...] or host:port
  std::string ca_file;
  std::string servername;  // SNI and the name checked; default: the host
  bool json = false;
  std::chrono::milliseconds timeout{10000};
  results::TlsThresholds thresholds;
};

// Parses "https://host:port/path", "host:port" or "host" (port 443) into host and port.
bool ParseEndpoint(const std::string& endpoint, std::string* host, uint16_t* port);

int RunTls(const TlsOptions& options, std::ostream& out, std::ostream& err);

}  // namespace odoo_prober::runners
