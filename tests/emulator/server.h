// EmulatorServer: puts an OdooEmulator on HTTP and HTTPS listeners on loopback (Beast).
//
// Each connection is served by an asynchronous session with a timeout on every read and
// write; keep-alive is honoured; a response's injected delay is a timer, so a slow answer
// never blocks a thread and Stop() returns promptly even with requests in flight.
//
// Thread-safety: Start/Stop from one controlling thread; the emulator must outlive the server.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "prober/status.h"
#include "tests/emulator/emulator.h"

namespace odoo_prober::emulator {

struct ServerOptions {
  std::string bind = "127.0.0.1";
  // Plain HTTP listener; port 0 picks a free one.
  bool http = true;
  uint16_t http_port = 0;
  // HTTPS listener, with a PEM certificate chain and key.
  bool https = false;
  uint16_t https_port = 0;
  std::string cert_file;
  std::string key_file;
  // More certificates by name ("self-signed", "expired", "wrong-host"): the emulator's
  // Faults::certificate picks the one new HTTPS connections get; cert_file is "trusted".
  std::map<std::string, std::pair<std::string, std::string>> certificates;
  int threads = 2;
};

class EmulatorServer {
 public:
  static prober::Result<std::unique_ptr<EmulatorServer>> Start(const ServerOptions& options,
                                                               OdooEmulator& emulator);
  virtual ~EmulatorServer() = default;
  // The bound ports (0 when that listener is off).
  virtual uint16_t http_port() const = 0;
  virtual uint16_t https_port() const = 0;
  // Closes the listeners and every connection; idempotent.
  virtual void Stop() = 0;
};

}  // namespace odoo_prober::emulator
