// odoo-emulator: the test stand-in for an Odoo server, on loopback.
//
//   odoo-emulator --https --pki-dir /tmp/pki            # HTTPS with a CA it generates
//   odoo-emulator --version 18.0 --http-port 8069       # plain HTTP, Odoo 18 personality
//   odoo-emulator --faults faults.yaml                  # with fault injection (see faults.h)
//   odoo-emulator --version 16.0 --work-orders on       # settings of the emulated database
//   odoo-emulator --sale-tax 21 --without-module mrp    # a database set up differently
//   odoo-emulator --probe-data off                      # no probe master data: run provision
//
// Prints one "listening" line per listener (with the bound port) and runs until SIGINT or
// SIGTERM. Faults can be changed at run time: POST /__emulator/faults.
#include <signal.h>
#include <sys/prctl.h>
#include <yaml-cpp/yaml.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <fstream>
#include <iostream>

#include "config/config.h"
#include "config/yaml_util.h"
#include "tests/emulator/emulator.h"
#include "tests/emulator/faults.h"
#include "tests/emulator/pki.h"
#include "tests/emulator/server.h"

namespace {

using nlohmann::json;

std::optional<std::string> ReadLine(const std::string& file) {
  std::ifstream in(file);
  std::string line;
  if (!in || !std::getline(in, line) || line.empty()) return std::nullopt;
  return line;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace odoo_prober::emulator;
  // Delays (--latency, method_latency) end when asked, not up to 50 us later (the default
  // timer slack; threads inherit it): bench/run subtracts a fixed 20 ms from what clients see.
  prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL);
  CLI::App app{"odoo-emulator: an in-memory Odoo stand-in for odoo-prober's tests and demo"};
  EmulatorOptions emu;
  ServerOptions srv;
  bool http = false, https = false;
  std::string pki_dir, password_file, api_key_file, faults_file, latency = "0ms", certificate;
  double error_rate = 0;
  int session_expiry_after = 0;
  app.add_option("--version", emu.version, "Odoo personality")
      ->check(CLI::IsMember(SupportedVersions()))
      ->capture_default_str();
  app.add_option("--database", emu.database, "Database name")->capture_default_str();
  app.add_option("--login", emu.login, "The user's login")->capture_default_str();
  app.add_option("--password-file", password_file,
                 "File holding the user's password (default: admin)");
  app.add_option("--api-key-file", api_key_file,
                 "File holding an API key (for /jsonrpc and JSON-2)");
  app.add_option("--bind", srv.bind, "Address to listen on")->capture_default_str();
  app.add_flag("--http", http, "Serve plain HTTP (the default when --https is not given)");
  app.add_flag("--https", https, "Serve HTTPS");
  app.add_option("--http-port", srv.http_port, "HTTP port; 0 picks a free one")
      ->capture_default_str();
  app.add_option("--https-port", srv.https_port, "HTTPS port; 0 picks a free one")
      ->capture_default_str();
  app.add_option("--pki-dir", pki_dir, "Folder for a generated CA and server certificates (HTTPS)");
  app.add_option("--cert", srv.cert_file, "PEM certificate chain (HTTPS, instead of --pki-dir)");
  app.add_option("--key", srv.key_file, "PEM private key (HTTPS, instead of --pki-dir)");
  app.add_option("--faults", faults_file, "Fault injection document (YAML or JSON; see faults.h)");
  app.add_option("--latency", latency, "Delay before every answer, e.g. 250ms")
      ->capture_default_str();
  app.add_option("--error-rate", error_rate, "Share of calls answered with an Odoo server error")
      ->check(CLI::Range(0.0, 1.0));
  app.add_option("--session-expiry-after", session_expiry_after,
                 "Web sessions expire after N calls");
  app.add_option("--certificate", certificate,
                 "Certificate served: trusted, self-signed, expired, wrong-host")
      ->check(CLI::IsMember(CertificateNames()));
  std::string work_orders;
  app.add_option("--work-orders", work_orders,
                 "The Manufacturing Work Orders setting: on or off (default: as the version's "
                 "demo, off on 16.0)")
      ->check(CLI::IsMember({"on", "off"}));
  app.add_option("--sale-tax", emu.sale_tax_percent, "Rate of the sales tax in percent")
      ->check(CLI::Range(0.0, 100.0))
      ->capture_default_str();
  app.add_option("--without-module", emu.without_modules,
                 "A module of the standard install this database does not have (repeatable)");
  std::string probe_data = "on";
  app.add_option("--probe-data", probe_data,
                 "The probe master data `odoo-prober provision` creates: on, or off for the demo "
                 "database alone (provision then creates it)")
      ->check(CLI::IsMember({"on", "off"}))
      ->capture_default_str();
  bool no_sms = false;
  app.add_flag("--no-sms-confirmation", no_sms,
               "Validate outgoing transfers without stock_sms's confirmation wizard");
  CLI11_PARSE(app, argc, argv);
  if (!work_orders.empty()) emu.work_orders = work_orders == "on";
  emu.sms_confirmation = !no_sms;
  emu.probe_data = probe_data == "on";

  if (!password_file.empty()) {
    auto pw = ReadLine(password_file);
    if (!pw) {
      std::cerr << "odoo-emulator: cannot read a password from " << password_file << "\n";
      return 2;
    }
    emu.password = *pw;
  }
  if (!api_key_file.empty()) {
    auto key = ReadLine(api_key_file);
    if (!key) {
      std::cerr << "odoo-emulator: cannot read an API key from " << api_key_file << "\n";
      return 2;
    }
    emu.api_key = *key;
  }
  Faults faults;
  if (!faults_file.empty()) {
    try {
      auto parsed = ParseFaults(odoo_prober::config::YamlToJson(YAML::LoadFile(faults_file)));
      if (!parsed.ok()) {
        std::cerr << "odoo-emulator: " << faults_file << ": " << parsed.status().message() << "\n";
        return 2;
      }
      faults = *parsed;
    } catch (const YAML::Exception& e) {
      std::cerr << "odoo-emulator: " << faults_file << ": " << e.what() << "\n";
      return 2;
    }
  }
  auto delay = odoo_prober::config::ParseDuration(latency);
  if (!delay) {
    std::cerr << "odoo-emulator: --latency: not a duration: " << latency << "\n";
    return 2;
  }
  if (delay->count() > 0) faults.latency = {*delay, *delay};
  if (error_rate > 0) faults.rules.push_back({"*", FaultKind::kOdooError, error_rate});
  if (session_expiry_after > 0) faults.session_expiry_after = session_expiry_after;
  if (!certificate.empty()) faults.certificate = certificate;

  srv.https = https;
  srv.http = http || !https;
  if (https && srv.cert_file.empty()) {
    if (pki_dir.empty()) {
      std::cerr << "odoo-emulator: --https needs --pki-dir or --cert and --key\n";
      return 2;
    }
    auto pki = EnsurePki(pki_dir);
    if (!pki.ok()) {
      std::cerr << "odoo-emulator: " << pki.status().message() << "\n";
      return 1;
    }
    srv.cert_file = pki->server_cert;
    srv.key_file = pki->server_key;
    srv.certificates = {{"self-signed", {pki->untrusted_cert, pki->untrusted_key}},
                        {"expired", {pki->expired_cert, pki->expired_key}},
                        {"wrong-host", {pki->wrong_host_cert, pki->wrong_host_key}}};
  }

  // Block the stop signals before any thread starts, then wait for them here.
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGINT);
  sigaddset(&stop, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop, nullptr);

  OdooEmulator emulator(emu);
  emulator.SetFaults(faults);
  auto server = StartServer(srv, emulator);
  if (!server.ok()) {
    std::cerr << "odoo-emulator: " << server.status().message() << "\n";
    return 1;
  }
  if ((*server)->http_port()) {
    std::cout << "odoo-emulator " << emu.version << " listening on http://" << srv.bind << ":"
              << (*server)->http_port() << std::endl;
  }
  if ((*server)->https_port()) {
    std::cout << "odoo-emulator " << emu.version << " listening on https://" << srv.bind << ":"
              << (*server)->https_port() << std::endl;
  }
  int sig = 0;
  sigwait(&stop, &sig);
  (*server)->Stop();
  return 0;
}
