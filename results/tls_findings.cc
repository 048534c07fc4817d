#include "results/tls_findings.h"

#include <openssl/x509_vfy.h>

#include <algorithm>
#include <set>

namespace odoo_prober::results {

using nlohmann::json;
using prober::CertInfo;

std::string_view SeverityName(Severity s) {
  switch (s) {
    case Severity::kCritical:
      return "critical";
    case Severity::kWarning:
      return "warning";
    case Severity::kInfo:
      return "info";
  }
  return "unknown";
}

namespace {

std::string Days(std::chrono::system_clock::duration d) {
  const double days = std::chrono::duration<double>(d).count() / 86400.0;
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f days", days);
  return buf;
}

int64_t Unix(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

}  // namespace

int64_t ChainExpiry(const prober::TlsInspection& in) {
  if (in.verified.empty()) return 0;
  auto earliest = in.verified.front().not_after;
  for (const auto& c : in.verified) earliest = std::min(earliest, c.not_after);
  return Unix(earliest);
}

namespace {

constexpr const char* kTrustHint =
    "; if it is your own (private) CA, give its certificate: the target's tls.ca_file, or "
    "odoo-prober tls --ca FILE";

// Why the chain is not trusted: self-signed, a missing intermediate, or an issuer the trust
// store does not hold. A missing intermediate is told from an unknown (private) root by what
// the last presented certificate says: a leaf whose issuer publishes its certificate (AIA
// caIssuers, as public CAs' intermediates do) lacks an intermediate the server should send; a
// chain that ends in a CA certificate, or a leaf with no such pointer, ends at a root this
// trust store does not know.
TlsFinding TrustFinding(const prober::TlsInspection& in) {
  if (in.verify_error == X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT) {
    return {"self_signed", Severity::kCritical, in.presented.front().subject,
            "the certificate is self-signed; no trusted CA vouches for it"};
  }
  const bool issuer_missing = in.verify_error == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY ||
                              in.verify_error == X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE;
  if (issuer_missing && !in.presented.empty() && !in.presented.back().self_signed) {
    const CertInfo& last = in.presented.back();
    if (!last.is_ca && !last.ca_issuers_url.empty()) {
      return {"incomplete_chain", Severity::kCritical, last.subject,
              "the server does not send the intermediate certificate '" + last.issuer +
                  "' that issued '" + last.subject + "' (published at " + last.ca_issuers_url +
                  "); clients without it cached fail: add it to the server's chain"};
    }
    return {"untrusted_chain", Severity::kCritical, in.presented.front().subject,
            "issued by '" + last.issuer + "', which the trust store does not hold" + kTrustHint +
                " (" + in.verify_error_text + ")"};
  }
  if (in.verify_error == X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN) {
    return {"untrusted_chain", Severity::kCritical, in.presented.front().subject,
            "the chain ends at '" + in.presented.back().subject +
                "', a root the trust store does not hold" + kTrustHint};
  }
  return {"untrusted_chain", Severity::kCritical, in.presented.front().subject,
          in.verify_error_text};
}

// A certificate's dates against `now` and the thresholds, its key and its signature.
void CertFindings(const CertInfo& c, std::chrono::system_clock::time_point now,
                  const TlsThresholds& t, std::vector<TlsFinding>& out) {
  if (c.not_after <= now) {
    out.push_back(
        {"expired", Severity::kCritical, c.subject, "expired " + Days(now - c.not_after) + " ago"});
  } else if (c.not_before > now) {
    out.push_back({"not_yet_valid", Severity::kCritical, c.subject,
                   "valid only in " + Days(c.not_before - now)});
  } else if (c.not_after - now <= t.critical) {
    out.push_back({"expiring_critical", Severity::kCritical, c.subject,
                   "expires in " + Days(c.not_after - now)});
  } else if (c.not_after - now <= t.warning) {
    out.push_back({"expiring_warning", Severity::kWarning, c.subject,
                   "expires in " + Days(c.not_after - now)});
  }
  if (!c.self_signed &&
      ((c.key_type == "RSA" && c.key_bits < 2048) || (c.key_type == "EC" && c.key_bits < 256))) {
    out.push_back({"weak_key", Severity::kWarning, c.subject,
                   c.key_type + " " + std::to_string(c.key_bits) + " bits"});
  }
  if (!c.self_signed && c.signature_algorithm.find("sha1") != std::string::npos) {
    out.push_back({"sha1_signature", Severity::kWarning, c.subject, c.signature_algorithm});
  }
}

// Expired certificates the server presents that the verified chain does not need.
void UnneededFindings(const prober::TlsInspection& in, std::chrono::system_clock::time_point now,
                      std::vector<TlsFinding>& out) {
  std::set<std::string> used;
  for (const auto& c : in.verified) used.insert(c.sha256);
  for (const auto& c : in.presented) {
    if (!used.count(c.sha256) && c.not_after <= now) {
      out.push_back({"unneeded_expired_certificate", Severity::kInfo, c.subject,
                     "presented but not needed by the verified chain; expired " +
                         Days(now - c.not_after) + " ago (issuer '" + c.issuer +
                         "'); remove it from the server's chain"});
    }
  }
}

}  // namespace

std::vector<TlsFinding> EvaluateTls(const prober::TlsInspection& in,
                                    std::chrono::system_clock::time_point now,
                                    const TlsThresholds& t) {
  std::vector<TlsFinding> out;
  if (in.outcome != prober::Outcome::kOk) {
    out.push_back(
        {in.outcome == prober::Outcome::kTimeout ? "handshake_timeout" : "handshake_failed",
         Severity::kCritical, "", in.detail});
    return out;
  }
  if (!in.trusted) out.push_back(TrustFinding(in));
  if (!in.hostname_ok && !in.presented.empty()) {
    out.push_back({"hostname_mismatch", Severity::kCritical, in.presented.front().subject,
                   "the certificate does not cover the name the prober connects to"});
  }
  // Dates: on the verified chain, or on what was presented when nothing verifies.
  for (const auto& c : in.trusted ? in.verified : in.presented) CertFindings(c, now, t, out);
  if (in.trusted) UnneededFindings(in, now, out);
  if (in.tls_version == "TLSv1" || in.tls_version == "TLSv1.1" || in.tls_version == "SSLv3") {
    out.push_back({"old_tls", Severity::kWarning, "",
                   "negotiated " + in.tls_version + "; require TLS 1.2 or later"});
  }
  return out;
}

json ToJson(const prober::TlsInspection& in, const std::vector<TlsFinding>& findings) {
  auto cert = [](const CertInfo& c) {
    return json{{"subject", c.subject},
                {"issuer", c.issuer},
                {"serial", c.serial},
                {"sha256", c.sha256},
                {"not_before", Unix(c.not_before)},
                {"not_after", Unix(c.not_after)},
                {"key", c.key_type + " " + std::to_string(c.key_bits)},
                {"signature_algorithm", c.signature_algorithm}};
  };
  json out = {{"outcome", prober::OutcomeName(in.outcome)},
              {"tls_version", in.tls_version},
              {"cipher", in.cipher},
              {"ocsp_stapled", in.ocsp_stapled},
              {"trusted", in.trusted},
              {"hostname_ok", in.hostname_ok},
              {"chain_expiry_timestamp_seconds", ChainExpiry(in)},
              {"presented", json::array()},
              {"verified", json::array()},
              {"findings", json::array()}};
  if (!in.detail.empty()) out["detail"] = in.detail;
  for (const auto& c : in.presented) out["presented"].push_back(cert(c));
  for (const auto& c : in.verified) out["verified"].push_back(cert(c));
  for (const auto& f : findings) {
    out["findings"].push_back({{"kind", f.kind},
                               {"severity", SeverityName(f.severity)},
                               {"certificate", f.certificate},
                               {"detail", f.detail}});
  }
  return out;
}

json ToJson(const TlsReport& r) {
  json j = ToJson(r.inspection, r.findings);
  j["type"] = "tls";
  j["target"] = r.target;
  j["endpoint"] = r.endpoint;
  j["labels"] = {{"region", r.labels.region}, {"plant", r.labels.plant}, {"env", r.labels.env}};
  j["checked_at"] = Unix(r.checked_at);
  return j;
}

}  // namespace odoo_prober::results
