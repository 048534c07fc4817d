// The TLS inspector and its findings against certificates generated at test time and served by
// the project's HTTP server: each situation yields exactly its findings.
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <set>
#include <thread>

#include "prober/tls_inspector.h"
#include "results/tls_findings.h"
#include "runners/http/http_server.h"
#include "tests/emulator/pki.h"
#include "tests/emulator/server.h"
#include "tests/support/emulator_support.h"

namespace odoo_prober {
namespace {

using namespace std::chrono_literals;

// The emulator, serving one certificate situation over HTTPS.
struct Served {
  std::unique_ptr<emulator::OdooEmulator> emulator;
  std::unique_ptr<emulator::EmulatorServer> server;
  uint16_t port() const { return server->https_port(); }
};

Served Serve(const emulator::TlsScenario& s) {
  emulator::ServerOptions o;
  o.http = false;
  o.https = true;
  o.cert_file = s.chain_file;
  o.key_file = s.key_file;
  o.threads = 1;
  o.tls_security_level = 0;  // the RSA-1024 leaf is served on purpose
  Served served{std::make_unique<emulator::OdooEmulator>(emulator::EmulatorOptions{}), nullptr};
  auto server = emulator::StartServer(o, *served.emulator);
  REQUIRE(server.ok());
  served.server = std::move(*server);
  return served;
}

std::multiset<std::string> Kinds(const std::vector<results::TlsFinding>& findings) {
  std::multiset<std::string> kinds;
  for (const auto& f : findings) kinds.insert(f.kind);
  return kinds;
}

TEST_CASE("each certificate situation yields exactly its findings", "[tls]") {
  testing::TempDir dir;
  auto pki = emulator::MakeTlsScenarios(dir.path());
  REQUIRE(pki.ok());
  const std::map<std::string, std::multiset<std::string>> expected = {
      {"valid", {}},
      {"expires_in_5d", {"expiring_critical"}},
      {"expires_in_20d", {"expiring_warning"}},
      {"expired", {"expired"}},
      {"not_yet_valid", {"not_yet_valid"}},
      {"wrong_host", {"hostname_mismatch"}},
      {"self_signed", {"self_signed"}},
      {"missing_intermediate", {"incomplete_chain"}},
      {"intermediate_expires_first", {"expiring_critical"}},
      {"expired_cross_sign", {"unneeded_expired_certificate"}},
      {"rsa_1024", {"weak_key"}},
      {"private_ca", {"untrusted_chain"}},
  };
  REQUIRE(pki->scenarios.size() == expected.size());
  for (const auto& [name, want] : expected) {
    INFO(name);
    Served served = Serve(pki->scenarios.at(name));
    prober::TlsInspectOptions o;
    o.host = "127.0.0.1";
    o.servername = "localhost";
    o.port = served.port();
    o.ca_file = pki->root_ca;
    o.timeout = 5s;
    const auto in = prober::InspectTls(o);
    INFO(in.detail << " " << in.verify_error_text);
    REQUIRE(in.outcome == prober::Outcome::kOk);
    const auto findings = results::EvaluateTls(in, std::chrono::system_clock::now());
    CHECK(Kinds(findings) == want);
    if (name == "intermediate_expires_first") {
      REQUIRE(findings.size() == 1);
      CHECK(testing::Contains(findings[0].certificate, "short intermediate"));
      // The endpoint's expiry is the intermediate's, not the leaf's.
      CHECK(results::ChainExpiry(in) <
            std::chrono::duration_cast<std::chrono::seconds>(
                (std::chrono::system_clock::now() + 4 * 24h).time_since_epoch())
                .count());
    }
    if (name == "expired_cross_sign") {
      CHECK(in.presented.size() == 3);
      CHECK(in.verified.size() == 3);  // leaf, intermediate, root from the trust store
      CHECK(results::ChainExpiry(in) > 0);
      CHECK(findings[0].severity == results::Severity::kInfo);
    }
    if (name == "missing_intermediate") {
      CHECK(testing::Contains(findings[0].detail, "does not send the intermediate certificate"));
      CHECK(testing::Contains(findings[0].detail, "http://pki.example/"));
    }
    if (name == "private_ca") {
      INFO(findings[0].detail);
      CHECK(testing::Contains(findings[0].detail,
                              "/CN=odoo-prober private CA', which the trust store does not hold"));
      CHECK(testing::Contains(findings[0].detail, "tls.ca_file"));
      CHECK(testing::Contains(findings[0].detail, "--ca"));
    }
    if (name == "valid") {
      CHECK(in.trusted);
      CHECK(in.hostname_ok);
      CHECK(in.tls_version == "TLSv1.3");
      CHECK(in.presented.size() == 2);
      CHECK(in.verified.size() == 3);
      CHECK(in.verified[0].sha256.size() == 64);
      CHECK(in.verified[0].key_type == "EC");
      CHECK(in.verified[0].key_bits == 256);
    }
  }
}

TEST_CASE("a complete chain from a CA the trust store lacks is untrusted, not incomplete",
          "[tls]") {
  testing::TempDir dir;
  auto pki = emulator::MakeTlsScenarios(dir.path());
  REQUIRE(pki.ok());
  // The server sends leaf and intermediate; only the root is unknown (no ca_file: the system
  // store, which does not hold the test root).
  Served served = Serve(pki->scenarios.at("valid"));
  prober::TlsInspectOptions o{"127.0.0.1", served.port(), "localhost", "", 5s};
  const auto in = prober::InspectTls(o);
  REQUIRE(in.outcome == prober::Outcome::kOk);
  const auto findings = results::EvaluateTls(in, std::chrono::system_clock::now());
  CHECK(Kinds(findings) == std::multiset<std::string>{"untrusted_chain"});
  REQUIRE(findings.size() == 1);
  CHECK(testing::Contains(findings[0].detail, "odoo-prober test root"));
  CHECK(testing::Contains(findings[0].detail, "tls.ca_file"));
}

TEST_CASE("thresholds are configurable", "[tls]") {
  testing::TempDir dir;
  auto pki = emulator::MakeTlsScenarios(dir.path());
  REQUIRE(pki.ok());
  Served served = Serve(pki->scenarios.at("expires_in_20d"));
  prober::TlsInspectOptions o{"127.0.0.1", served.port(), "localhost", pki->root_ca, 5s};
  const auto in = prober::InspectTls(o);
  results::TlsThresholds strict{24h * 25, 24h * 60};
  CHECK(Kinds(results::EvaluateTls(in, std::chrono::system_clock::now(), strict)) ==
        std::multiset<std::string>{"expiring_critical"});
}

TEST_CASE("an endpoint that accepts TCP but never handshakes is a timeout, on time", "[tls]") {
  // A listening socket nobody accepts from: the kernel completes TCP, nothing answers TLS.
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  REQUIRE(::listen(fd, 4) == 0);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  prober::TlsInspectOptions o{"127.0.0.1", ntohs(addr.sin_port), "localhost", "", 800ms};
  const auto start = std::chrono::steady_clock::now();
  const auto in = prober::InspectTls(o);
  const auto took = std::chrono::steady_clock::now() - start;
  ::close(fd);
  CHECK(in.outcome == prober::Outcome::kTimeout);
  CHECK(took <= 960ms);
  const auto findings = results::EvaluateTls(in, std::chrono::system_clock::now());
  REQUIRE(findings.size() == 1);
  CHECK(findings[0].kind == "handshake_timeout");
  CHECK(findings[0].severity == results::Severity::kCritical);
}

TEST_CASE("our chain expiry equals blackbox_exporter's to the second", "[tls]") {
  testing::TempDir dir;
  auto pki = emulator::MakeTlsScenarios(dir.path());
  REQUIRE(pki.ok());
  dir.Write("blackbox.yml",
            "modules:\n  tls:\n    prober: tcp\n    timeout: 5s\n    tcp:\n      tls: true\n"
            "      tls_config:\n        ca_file: " +
                pki->root_ca + "\n        server_name: localhost\n");
  const uint16_t port = testing::UnusedPort();
  testing::BackgroundProcess blackbox({"/usr/bin/prometheus-blackbox-exporter",
                                       "--config.file=" + dir.path() + "/blackbox.yml",
                                       "--web.listen-address=127.0.0.1:" + std::to_string(port)});
  auto scrape = [&](uint16_t target) {
    return testing::RunProcess(
        {"/usr/bin/curl", "-sS", "--max-time", "10",
         "http://127.0.0.1:" + std::to_string(port) +
             "/probe?module=tls&target=127.0.0.1:" + std::to_string(target)});
  };
  // Wait until the exporter answers (it is starting); each try is bounded.
  bool up = false;
  for (int i = 0; i < 100 && !up; ++i) {
    up = testing::RunProcess({"/usr/bin/curl", "-sf", "--max-time", "1",
                              "http://127.0.0.1:" + std::to_string(port) + "/-/healthy"})
             .exit_code == 0;
    if (!up) std::this_thread::sleep_for(100ms);
  }
  REQUIRE(up);
  for (const char* name : {"valid", "expires_in_5d", "expires_in_20d", "intermediate_expires_first",
                           "expired_cross_sign", "rsa_1024"}) {
    INFO(name);
    Served served = Serve(pki->scenarios.at(name));
    prober::TlsInspectOptions o{"127.0.0.1", served.port(), "localhost", pki->root_ca, 5s};
    const int64_t ours = results::ChainExpiry(prober::InspectTls(o));
    const std::string metrics = scrape(served.port()).out;
    const auto at = metrics.find("\nprobe_ssl_last_chain_expiry_timestamp_seconds ");
    INFO(metrics);
    REQUIRE(at != std::string::npos);
    const double theirs = std::stod(metrics.substr(metrics.find(' ', at + 1) + 1));
    CHECK(ours == static_cast<int64_t>(theirs));
  }
}

}  // namespace
}  // namespace odoo_prober
