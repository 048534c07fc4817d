#include "runners/engine/tls_checks.h"

#include <ctime>
#include <set>
#include <sstream>

#include "prober/text.h"
#include "runners/engine/dependencies.h"

namespace odoo_prober::runners {

bool ParseEndpoint(const std::string& endpoint, std::string* host, uint16_t* port) {
  std::string rest = endpoint;
  uint16_t default_port = 443;
  if (rest.rfind("https://", 0) == 0) {
    rest = rest.substr(8);
  } else if (rest.find("://") != std::string::npos) {
    return false;
  }
  rest = rest.substr(0, rest.find('/'));
  if (rest.empty()) return false;
  std::string port_text;
  if (rest[0] == '[') {  // [v6]:port
    const auto close = rest.find(']');
    if (close == std::string::npos) return false;
    *host = rest.substr(1, close - 1);
    if (close + 1 < rest.size() && rest[close + 1] == ':') port_text = rest.substr(close + 2);
  } else if (const auto colon = rest.rfind(':'); colon != std::string::npos) {
    *host = rest.substr(0, colon);
    port_text = rest.substr(colon + 1);
  } else {
    *host = rest;
  }
  if (host->empty()) return false;
  if (port_text.empty()) {
    *port = default_port;
    return true;
  }
  if (port_text.size() > 5 || port_text.find_first_not_of("0123456789") != std::string::npos)
    return false;
  const unsigned long p = std::stoul(port_text);
  if (p == 0 || p > 65535) return false;
  *port = static_cast<uint16_t>(p);
  return true;
}

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
  // The https dependencies this instance checks, under their own name.
  for (const auto& d : PlanDependencies(config)) {
    const auto& probe = d.config->probe;
    if (probe.kind != prober::DependencyKind::kHttp || probe.url.rfind("https://", 0) != 0 ||
        !probe.tls.verify)
      continue;
    TlsEndpoint e;
    if (!ParseEndpoint(probe.url, &e.host, &e.port)) continue;
    e.target = d.config->name;
    e.labels = d.labels;
    e.ca_file = probe.tls.ca_file;
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
