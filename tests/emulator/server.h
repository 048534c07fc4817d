// The emulator's server: the prober's HTTP server core (runners/http/http_core.h) with what only a
// test server needs: the delivery faults (a delay on a timer, a hang, a reset, a truncated
// answer), more certificates (the one each new HTTPS connection gets is the emulator's
// Faults::certificate, switchable at run time) and a lowered OpenSSL security level to serve
// deliberately weak certificates.
//
// Thread-safety: Start/Stop from one controlling thread; the emulator must outlive the server.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>

#include "prober/status.h"
#include "tests/emulator/emulator.h"

namespace odoo_prober::emulator {

struct ServerOptions {
  std::string bind = "127.0.0.1";
  bool http = true;
  uint16_t http_port = 0;  // 0 picks a free port
  bool https = false;
  uint16_t https_port = 0;
  std::string cert_file;  // the "trusted" certificate chain and key
  std::string key_file;
  // More certificates by name (Faults::certificate picks one): name -> (chain, key).
  std::map<std::string, std::pair<std::string, std::string>> certificates;
  int threads = 2;
  // OpenSSL security level; -1: the system default. 0 serves an RSA-1024 leaf.
  int tls_security_level = -1;
  size_t max_body_bytes = 8u << 20;
};

class EmulatorServer {
 public:
  static prober::Result<std::unique_ptr<EmulatorServer>> Start(const ServerOptions& options,
                                                               OdooEmulator& emulator);
  virtual ~EmulatorServer() = default;
  virtual uint16_t http_port() const = 0;
  virtual uint16_t https_port() const = 0;
  virtual void Stop() = 0;
};

inline prober::Result<std::unique_ptr<EmulatorServer>> StartServer(const ServerOptions& options,
                                                                   OdooEmulator& emulator) {
  return EmulatorServer::Start(options, emulator);
}

}  // namespace odoo_prober::emulator
