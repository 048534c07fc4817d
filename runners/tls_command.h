// `odoo-prober tls URL|HOST:PORT`: inspects one TLS endpoint ad hoc and prints its findings.
// Exit 0 when nothing critical or warning was found, 1 otherwise, 2 for usage errors.
#pragma once

#include <chrono>
#include <ostream>
#include <string>

#include "prober/tls_inspector.h"
#include "results/tls_findings.h"
#include "runners/tls_checks.h"

namespace odoo_prober::runners {

struct TlsOptions {
  std::string endpoint;  // https://host[:port][/...] or host:port
  std::string ca_file;
  std::string servername;  // SNI and the name checked; default: the host
  bool json = false;
  std::chrono::milliseconds timeout{10000};
  results::TlsThresholds thresholds;
};

int RunTls(const TlsOptions& options, std::ostream& out, std::ostream& err);

}  // namespace odoo_prober::runners
