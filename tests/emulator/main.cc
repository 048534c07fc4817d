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
using namespace odoo_prober::emulator;

std::optional<std::string> ReadLine(const std::string& file) {
  std::ifstream in(file);
  std::string line;
  if (!in || !std::getline(in, line) || line.empty()) return std::nullopt;
  return line;
}

// The command line, as given.
struct Flags {
  EmulatorOptions emu;
  ServerOptions srv;
  bool http = false, https = false, no_sms = false;
  std::string pki_dir, password_file, api_key_file, faults_file, latency = "0ms", certificate;
  std::string work_orders, probe_data = "on";
  double error_rate = 0;
  int session_expiry_after = 0;
};

void AddServerOptions(CLI::App& app, Flags& f) {
  app.add_option("--bind", f.srv.bind, "Address to listen on")->capture_default_str();
  app.add_flag("--http", f.http, "Serve plain HTTP (the default when --https is not given)");
  app.add_flag("--https", f.https, "Serve HTTPS");
  app.add_option("--http-port", f.srv.http_port, "HTTP port; 0 picks a free one")
      ->capture_default_str();
  app.add_option("--https-port", f.srv.https_port, "HTTPS port; 0 picks a free one")
      ->capture_default_str();
  app.add_option("--pki-dir", f.pki_dir,
                 "Folder for a generated CA and server certificates (HTTPS)");
  app.add_option("--cert", f.srv.cert_file, "PEM certificate chain (HTTPS, instead of --pki-dir)");
  app.add_option("--key", f.srv.key_file, "PEM private key (HTTPS, instead of --pki-dir)");
}

void AddFaultOptions(CLI::App& app, Flags& f) {
  app.add_option("--faults", f.faults_file,
                 "Fault injection document (YAML or JSON; see faults.h)");
  app.add_option("--latency", f.latency, "Delay before every answer, e.g. 250ms")
      ->capture_default_str();
  app.add_option("--error-rate", f.error_rate, "Share of calls answered with an Odoo server error")
      ->check(CLI::Range(0.0, 1.0));
  app.add_option("--session-expiry-after", f.session_expiry_after,
                 "Web sessions expire after N calls");
  app.add_option("--certificate", f.certificate,
                 "Certificate served: trusted, self-signed, expired, wrong-host, rotated")
      ->check(CLI::IsMember(CertificateNames()));
}

void AddDatabaseOptions(CLI::App& app, Flags& f) {
  app.add_option("--version", f.emu.version, "Odoo personality")
      ->check(CLI::IsMember(SupportedVersions()))
      ->capture_default_str();
  app.add_option("--database", f.emu.database, "Database name")->capture_default_str();
  app.add_option("--login", f.emu.login, "The user's login")->capture_default_str();
  app.add_option("--password-file", f.password_file,
                 "File holding the user's password (default: admin)");
  app.add_option("--api-key-file", f.api_key_file,
                 "File holding an API key (for /jsonrpc and JSON-2)");
  app.add_option("--work-orders", f.work_orders,
                 "The Manufacturing Work Orders setting: on or off (default: as the version's "
                 "demo, off on 16.0)")
      ->check(CLI::IsMember({"on", "off"}));
  app.add_option("--sale-tax", f.emu.sale_tax_percent, "Rate of the sales tax in percent")
      ->check(CLI::Range(0.0, 100.0))
      ->capture_default_str();
  app.add_option("--without-module", f.emu.without_modules,
                 "A module of the standard install this database does not have (repeatable)");
  app.add_option("--probe-data", f.probe_data,
                 "The probe master data `odoo-prober provision` creates: on, or off for the demo "
                 "database alone (provision then creates it)")
      ->check(CLI::IsMember({"on", "off"}))
      ->capture_default_str();
  app.add_flag("--no-sms-confirmation", f.no_sms,
               "Validate outgoing transfers without stock_sms's confirmation wizard");
}

// The database's options from the flags: settings and the credentials' files. "" or what is
// wrong.
std::string DatabaseOf(Flags& f) {
  if (!f.work_orders.empty()) f.emu.work_orders = f.work_orders == "on";
  f.emu.sms_confirmation = !f.no_sms;
  f.emu.probe_data = f.probe_data == "on";
  if (!f.password_file.empty()) {
    auto pw = ReadLine(f.password_file);
    if (!pw) return "cannot read a password from " + f.password_file;
    f.emu.password = *pw;
  }
  if (!f.api_key_file.empty()) {
    auto key = ReadLine(f.api_key_file);
    if (!key) return "cannot read an API key from " + f.api_key_file;
    f.emu.api_key = *key;
  }
  return "";
}

// The faults from --faults and the shortcuts (--latency, --error-rate, ...).
odoo_prober::prober::Result<Faults> FaultsOf(const Flags& f) {
  Faults faults;
  if (!f.faults_file.empty()) {
    try {
      auto parsed = ParseFaults(odoo_prober::config::YamlToJson(YAML::LoadFile(f.faults_file)));
      if (!parsed.ok())
        return odoo_prober::prober::Status::InvalidArgument(f.faults_file + ": " +
                                                            parsed.status().message());
      faults = *parsed;
    } catch (const YAML::Exception& e) {
      return odoo_prober::prober::Status::InvalidArgument(f.faults_file + ": " + e.what());
    }
  }
  auto delay = odoo_prober::config::ParseDuration(f.latency);
  if (!delay)
    return odoo_prober::prober::Status::InvalidArgument("--latency: not a duration: " + f.latency);
  if (delay->count() > 0) faults.latency = {*delay, *delay};
  if (f.error_rate > 0) faults.rules.push_back({"*", FaultKind::kOdooError, f.error_rate});
  if (f.session_expiry_after > 0) faults.session_expiry_after = f.session_expiry_after;
  if (!f.certificate.empty()) faults.certificate = f.certificate;
  return faults;
}

// The listeners, and the certificates of HTTPS. Exit code 0, or 2 (usage) or 1.
int ServerOf(Flags& f) {
  f.srv.https = f.https;
  f.srv.http = f.http || !f.https;
  if (!f.https || !f.srv.cert_file.empty()) return 0;
  if (f.pki_dir.empty()) {
    std::cerr << "odoo-emulator: --https needs --pki-dir or --cert and --key\n";
    return 2;
  }
  auto pki = EnsurePki(f.pki_dir);
  if (!pki.ok()) {
    std::cerr << "odoo-emulator: " << pki.status().message() << "\n";
    return 1;
  }
  f.srv.cert_file = pki->server_cert;
  f.srv.key_file = pki->server_key;
  f.srv.certificates = {{"self-signed", {pki->untrusted_cert, pki->untrusted_key}},
                        {"expired", {pki->expired_cert, pki->expired_key}},
                        {"wrong-host", {pki->wrong_host_cert, pki->wrong_host_key}},
                        {"rotated", {pki->rotated_cert, pki->rotated_key}}};
  return 0;
}

// Serves until SIGINT or SIGTERM.
int Serve(const Flags& f, const Faults& faults) {
  // Block the stop signals before any thread starts, then wait for them here.
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGINT);
  sigaddset(&stop, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop, nullptr);
  OdooEmulator emulator(f.emu);
  emulator.SetFaults(faults);
  auto server = StartServer(f.srv, emulator);
  if (!server.ok()) {
    std::cerr << "odoo-emulator: " << server.status().message() << "\n";
    return 1;
  }
  if ((*server)->http_port()) {
    std::cout << "odoo-emulator " << f.emu.version << " listening on http://" << f.srv.bind << ":"
              << (*server)->http_port() << std::endl;
  }
  if ((*server)->https_port()) {
    std::cout << "odoo-emulator " << f.emu.version << " listening on https://" << f.srv.bind << ":"
              << (*server)->https_port() << std::endl;
  }
  int sig = 0;
  sigwait(&stop, &sig);
  (*server)->Stop();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  // Delays (--latency, method_latency) end when asked, not up to 50 us later (the default
  // timer slack; threads inherit it): bench/run subtracts a fixed 20 ms from what clients see.
  prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL);
  CLI::App app{"odoo-emulator: an in-memory Odoo stand-in for odoo-prober's tests and demo"};
  Flags flags;
  AddDatabaseOptions(app, flags);
  AddServerOptions(app, flags);
  AddFaultOptions(app, flags);
  CLI11_PARSE(app, argc, argv);
  if (auto wrong = DatabaseOf(flags); !wrong.empty()) {
    std::cerr << "odoo-emulator: " << wrong << "\n";
    return 2;
  }
  auto faults = FaultsOf(flags);
  if (!faults.ok()) {
    std::cerr << "odoo-emulator: " << faults.status().message() << "\n";
    return 2;
  }
  if (const int rc = ServerOf(flags); rc != 0) return rc;
  return Serve(flags, *faults);
}
