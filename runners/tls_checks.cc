#include "runners/tls_checks.h"

#include <ctime>
#include <set>
#include <sstream>

#include "prober/text.h"
#include "runners/tls_command.h"

namespace odoo_prober::runners {

std::vector<TlsEndpoint> TlsEndpoints(const config::ProberConfig& config) {
  std::vector<TlsEndpoint> out;
  std::set<std::string> seen;
  for (const auto& t : config.targets) {
    if (t.client.base_url.rfind("https://", 0) != 0) continue;
    TlsEndpoint e;
    if (!ParseEndpoint(t.client.base_url, &e.host, &e.port)) continue;
    e.target = t.name;
    e.labels = t.labels;
    e.ca_file = t.client.tls.ca_file;
    e.thresholds = {t.tls_expiry_critical, t.tls_expiry_warning};
    if (seen.insert(e.key() + "|" + e.ca_file).second) out.push_back(e);
  }
  return out;
}

results::TlsReport CheckTls(const TlsEndpoint& e, std::chrono::milliseconds timeout,
                            const prober::Clock& clock) {
  prober::TlsInspectOptions o;
  o.host = e.host;
  o.port = e.port;
  o.ca_file = e.ca_file;
  o.timeout = timeout;
  results::TlsReport r;
  r.target = e.target;
  r.endpoint = e.key();
  r.labels = e.labels;
  r.checked_at = clock.Now();
  r.inspection = prober::InspectTls(o);
  r.findings = results::EvaluateTls(r.inspection, r.checked_at, e.thresholds);
  return r;
}

std::string FormatTlsTable(const std::vector<results::TlsReport>& reports) {
  std::ostringstream out;
  for (const auto& r : reports) {
    out << "TLS " << r.endpoint << " (" << r.target << "): ";
    if (const int64_t expiry = results::ChainExpiry(r.inspection); expiry > 0) {
      out << "chain expires "
          << prober::FormatUtc(std::chrono::system_clock::from_time_t(expiry), "%Y-%m-%d");
    } else {
      out << prober::OutcomeName(r.inspection.outcome);
    }
    out << (r.findings.empty() ? ", no findings" : "") << "\n";
    for (const auto& f : r.findings) {
      out << "  " << results::SeverityName(f.severity) << "  " << f.kind
          << (f.certificate.empty() ? "" : "  " + f.certificate) << ": " << f.detail << "\n";
    }
  }
  return out.str();
}

}  // namespace odoo_prober::runners
