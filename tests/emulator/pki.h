// Test PKI: a CA, a server certificate it signs (for localhost and 127.0.0.1), a self-signed
// certificate nobody trusts, an expired one and one for another host name, generated with OpenSSL
// into a folder. Used by the tests and by scripts/demo (through `odoo-emulator --pki-dir`); nothing
// is checked in.
//
// Thread-safety: a plain function; concurrent calls must use different folders.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "prober/status.h"

namespace odoo_prober::emulator {

struct Pki {
  std::string ca_cert;         // ca.pem: trust this
  std::string server_cert;     // server.pem: leaf signed by the CA
  std::string server_key;      // server.key
  std::string untrusted_cert;  // self-signed.pem: same names, signed by no one trusted
  std::string untrusted_key;   // self-signed.key
  std::string expired_cert;    // expired.pem: signed by the CA, expired yesterday
  std::string expired_key;
  std::string wrong_host_cert;  // wrong-host.pem: signed by the CA for wrong.example only
  std::string wrong_host_key;
  std::string rotated_cert;  // rotated.pem: like server.pem (the CA's, same names), a new key
  std::string rotated_key;
};

// Creates the files in `dir` (created if missing), or reuses them when all already exist.
prober::Result<Pki> EnsurePki(const std::string& dir);

// Certificate situations for TLS inspection, each a chain file (what the server presents, leaf
// first) and a key, under a root CA written to `root_ca`:
//   valid, expires_in_5d, expires_in_20d, expired, not_yet_valid, wrong_host, self_signed,
//   missing_intermediate, intermediate_expires_first, expired_cross_sign, rsa_1024.
struct TlsScenario {
  std::string chain_file;
  std::string key_file;
};
struct TlsScenarios {
  std::string root_ca;
  std::map<std::string, TlsScenario> scenarios;
};
prober::Result<TlsScenarios> MakeTlsScenarios(const std::string& dir);

}  // namespace odoo_prober::emulator
