#include "runners/tls_command.h"

#include <ctime>

#include "prober/text.h"
#include "runners/commands.h"

namespace odoo_prober::runners {

int RunTls(const TlsOptions& options, std::ostream& out, std::ostream& err) {
  prober::TlsInspectOptions o;
  if (!ParseEndpoint(options.endpoint, &o.host, &o.port)) {
    err << options.endpoint << ": not an endpoint; give https://host[:port] or host:port\n";
    return kExitUsage;
  }
  o.servername = options.servername;
  o.ca_file = options.ca_file;
  o.timeout = options.timeout;
  const auto inspection = prober::InspectTls(o);
  const auto now = prober::RealClock().Now();
  const auto findings = results::EvaluateTls(inspection, now, options.thresholds);
  bool serious = false;
  for (const auto& f : findings) serious = serious || f.severity != results::Severity::kInfo;
  if (options.json) {
    auto j = results::ToJson(inspection, findings);
    j["endpoint"] = o.host + ":" + std::to_string(o.port);
    out << j.dump() << "\n";
  } else {
    out << o.host << ":" << o.port << "  " << prober::OutcomeName(inspection.outcome);
    if (inspection.outcome == prober::Outcome::kOk) {
      out << "  " << inspection.tls_version << " " << inspection.cipher
          << (inspection.trusted ? "  trusted" : "  NOT trusted")
          << (inspection.hostname_ok ? "" : "  NAME MISMATCH")
          << (inspection.ocsp_stapled ? "  OCSP stapled" : "");
    }
    out << "\n";
    if (const int64_t expiry = results::ChainExpiry(inspection); expiry > 0) {
      out << "  chain expires "
          << prober::FormatUtc(std::chrono::system_clock::from_time_t(expiry),
                               "%Y-%m-%d %H:%M:%S UTC")
          << "\n";
    }
    for (const auto& c : inspection.presented) {
      out << "  presented: " << c.subject << " (" << c.key_type << " " << c.key_bits << ", "
          << c.signature_algorithm << ")\n";
    }
    if (findings.empty()) out << "  no findings\n";
    for (const auto& f : findings) {
      out << "  " << results::SeverityName(f.severity) << "  " << f.kind
          << (f.certificate.empty() ? "" : "  " + f.certificate) << ": " << f.detail << "\n";
    }
  }
  return serious ? kExitJourneyFailed : kExitOk;
}

}  // namespace odoo_prober::runners
