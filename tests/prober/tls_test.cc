// The TLS inspector and its findings against certificates generated at test time and served by
// the project's HTTP server: each situation yields exactly its findings.
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <set>

#include "prober/tls_inspector.h"
#include "results/tls_findings.h"
#include "runners/http_server.h"
#include "tests/emulator/pki.h"
#include "tests/support/support.h"

namespace odoo_prober {
namespace {

using namespace std::chrono_literals;

struct Served {
  std::unique_ptr<runners::HttpServer> server;
  uint16_t port() const { return server->https_port(); }
};

Served Serve(const emulator::TlsScenario& s) {
  runners::HttpServerOptions o;
  o.http = false;
  o.https = true;
  o.cert_file = s.chain_file;
  o.key_file = s.key_file;
  o.threads = 1;
  o.tls_security_level = 0;  // the RSA-1024 leaf is served on purpose
  auto server = runners::HttpServer::Start(
      o, [](const runners::HttpRequest&) { return runners::HttpResponse{}; });
  REQUIRE(server.ok());
  return {std::move(*server)};
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

}  // namespace
}  // namespace odoo_prober
