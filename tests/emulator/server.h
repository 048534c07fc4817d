// The emulator on the project's HTTP server (runners/http_server.h): HTTP and HTTPS listeners
// on loopback, the certificate of each new HTTPS connection picked by the emulator's faults.
//
// Thread-safety: as HttpServer; the emulator must outlive the server.
#pragma once

#include <memory>

#include "runners/http_server.h"
#include "tests/emulator/emulator.h"

namespace odoo_prober::emulator {

using ServerOptions = runners::HttpServerOptions;
using EmulatorServer = runners::HttpServer;

inline prober::Result<std::unique_ptr<EmulatorServer>> StartServer(const ServerOptions& options,
                                                                   OdooEmulator& emulator) {
  return runners::HttpServer::Start(
      options, [&emulator](const HttpRequest& r) { return emulator.Handle(r); },
      [&emulator] { return emulator.certificate(); });
}

}  // namespace odoo_prober::emulator
