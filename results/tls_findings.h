// TLS findings: what an SRE must act on about an endpoint's certificates, with a severity.
//
// Expiry is judged on the chain that verifies (leaf to trust anchor), never on every
// certificate the server presents: an expired cross-sign sent alongside a valid chain is its
// own, low-severity finding (`unneeded_expired_certificate`), not an outage warning.
//
// Thread-safety: pure functions over values.
#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "config/config.h"
#include "prober/tls_inspector.h"

namespace odoo_prober::results {

enum class Severity { kCritical, kWarning, kInfo };
std::string_view SeverityName(Severity s);

struct TlsFinding {
  // expired, not_yet_valid, expiring_critical, expiring_warning, hostname_mismatch,
  // untrusted_chain, self_signed, incomplete_chain, weak_key, sha1_signature, old_tls,
  // unneeded_expired_certificate, handshake_timeout, handshake_failed
  std::string kind;
  Severity severity = Severity::kWarning;
  std::string certificate;  // the subject concerned, if any
  std::string detail;
};

struct TlsThresholds {
  std::chrono::hours critical{24 * 7};
  std::chrono::hours warning{24 * 30};
};

std::vector<TlsFinding> EvaluateTls(const prober::TlsInspection& inspection,
                                    std::chrono::system_clock::time_point now,
                                    const TlsThresholds& thresholds = {});

// The earliest notAfter of the verified chain (the endpoint's real expiry), in unix seconds;
// 0 when no chain verifies.
int64_t ChainExpiry(const prober::TlsInspection& inspection);

nlohmann::json ToJson(const prober::TlsInspection& inspection,
                      const std::vector<TlsFinding>& findings);

// One check of one endpoint, as the sinks receive it.
struct TlsReport {
  std::string target;    // the first target using the endpoint
  std::string endpoint;  // host:port
  config::Labels labels;
  std::chrono::system_clock::time_point checked_at;
  prober::TlsInspection inspection;
  std::vector<TlsFinding> findings;
};
nlohmann::json ToJson(const TlsReport& report);

}  // namespace odoo_prober::results
