// InspectTls: what a TLS endpoint presents, and whether it holds up. A handshake with SNI under
// a deadline (verification is done afterwards, so an untrusted or expired chain is still seen),
// then chain building against the system trust store or a CA bundle, host-name matching (SAN
// rules, wildcards), the negotiated version and cipher, and OCSP stapling.
//
// Expiry is judged on the chain that verifies (results/tls_findings.h): a presented certificate
// that no verified chain needs is reported separately, never as the endpoint's expiry.
//
// Thread-safety: a pure function; call it from any thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "prober/outcome.h"

namespace odoo_prober::prober {

struct CertInfo {
  std::string subject;
  std::string issuer;
  std::string serial;  // hex
  std::string sha256;  // hex fingerprint of the DER
  std::chrono::system_clock::time_point not_before;
  std::chrono::system_clock::time_point not_after;
  std::string key_type;  // RSA, EC, ED25519, ...
  int key_bits = 0;
  std::string signature_algorithm;  // "sha256WithRSAEncryption", "ecdsa-with-SHA256", ...
  bool is_ca = false;
  bool self_signed = false;
  // Where its issuer's certificate can be fetched (Authority Information Access, caIssuers):
  // public CAs name it on what they issue; "" when absent, as from most private CAs.
  std::string ca_issuers_url;
};

struct TlsInspectOptions {
  std::string host;  // where to connect (name or address)
  uint16_t port = 443;
  std::string servername;  // SNI and the name to check; empty: host
  std::string ca_file;     // trust this bundle instead of the system store
  std::chrono::milliseconds timeout{10000};
};

struct TlsInspection {
  // kOk when the handshake completed (whatever the certificates); kTimeout, kTransport or kTls
  // (handshake refused) otherwise, with `detail`.
  Outcome outcome = Outcome::kOk;
  std::string detail;
  std::string tls_version;  // "TLSv1.3"
  std::string cipher;
  bool ocsp_stapled = false;
  std::vector<CertInfo> presented;  // as the server sent them, leaf first
  std::vector<CertInfo> verified;   // the chain that verifies, leaf to trust anchor; empty if none
  bool trusted = false;
  int verify_error = 0;  // OpenSSL's X509_V_ERR_*, 0 when trusted
  std::string verify_error_text;
  bool hostname_ok = false;
  int64_t handshake_us = 0;
};

TlsInspection InspectTls(const TlsInspectOptions& options);

}  // namespace odoo_prober::prober
