// Test helpers around the Odoo emulator: one running on HTTP and HTTPS with its PKI (it reports
// its ports once it listens), personalities, slow faults, and calls straight into its handler.
#pragma once

#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "tests/emulator/emulator.h"
#include "tests/emulator/pki.h"
#include "tests/emulator/server.h"
#include "tests/support/support.h"

namespace odoo_prober::testing {

// An emulator on HTTP and HTTPS on 127.0.0.1, with a generated PKI; stopped on destruction.
class RunningEmulator {
 public:
  explicit RunningEmulator(emulator::EmulatorOptions options = {});
  ~RunningEmulator();
  emulator::OdooEmulator& emulator() { return *emulator_; }
  const emulator::Pki& pki() const { return pki_; }
  std::string http_url() const;
  std::string https_url() const;
  // An HTTPS URL on a second listener that serves the self-signed, untrusted certificate.
  std::string untrusted_https_url() const;

 private:
  TempDir dir_;
  emulator::Pki pki_;
  std::unique_ptr<emulator::OdooEmulator> emulator_;
  std::unique_ptr<emulator::EmulatorServer> server_;
  std::unique_ptr<emulator::EmulatorServer> untrusted_;
};

// Emulator options: a personality, its database, login "admin" and a password.
emulator::EmulatorOptions Personality(const std::string& version,
                                      const std::string& password = "admin",
                                      const std::string& database = "probe");
// Faults that only slow answers down: all of them, or one "model.method".
emulator::Faults SlowEverything(std::chrono::milliseconds delay);
emulator::Faults SlowMethod(const std::string& key, std::chrono::milliseconds delay);
// A fault on every call to `key` ("model.method").
emulator::Faults FailMethod(const std::string& key, emulator::FaultKind kind);

// Calls model.method(*args, **kwargs) on the emulator as Odoo's /jsonrpc execute_kw does (the
// emulator's database, user 2 and password), through its request handler. Returns the result
// (null when Odoo returned None); an Odoo error fails the calling test.
nlohmann::json ExecuteKw(emulator::OdooEmulator& emu, const std::string& model,
                         const std::string& method, nlohmann::json args,
                         nlohmann::json kwargs = nlohmann::json::object());

// The on-hand and reserved quantities of every quant in internal locations, by quant id: what
// a run must leave as it found it.
nlohmann::json StockSnapshot(emulator::OdooEmulator& emu);

}  // namespace odoo_prober::testing
