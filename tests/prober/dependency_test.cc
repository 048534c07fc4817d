// Dependency checks (prober/dependency_check.h) against real servers on loopback: the emulator's
// /web/health over HTTP and HTTPS with its delivery faults, a TCP port, the resolver. Each fault
// ends in the outcome class a journey's call would get.
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "prober/dependency_check.h"
#include "tests/support/emulator_support.h"

namespace odoo_prober {
namespace {

using emulator::FaultKind;
using prober::CheckDependency;
using prober::DependencyKind;
using prober::DependencyProbe;
using prober::Outcome;
using testing::RunningEmulator;
using namespace std::chrono_literals;

DependencyProbe Health(const std::string& base) {
  DependencyProbe p;
  p.kind = DependencyKind::kHttp;
  p.url = base + "/web/health";
  p.timeout = 2s;
  return p;
}

// A port on 127.0.0.1 where nothing listens (bound, then closed).
uint16_t ClosedPort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

uint16_t PortOf(const std::string& url) {
  return static_cast<uint16_t>(std::stoi(url.substr(url.rfind(':') + 1)));
}

TEST_CASE("an http dependency check: status, body expectations and phases", "[dependency]") {
  RunningEmulator emu;
  auto p = Health(emu.http_url());
  auto ok = CheckDependency(p);
  CHECK(ok.outcome == Outcome::kOk);
  CHECK(ok.http_status == 200);
  CHECK(ok.timings.total_us > 0);
  CHECK(ok.connection.server == "127.0.0.1:" + std::to_string(PortOf(emu.http_url())));

  p.expect_json_path = "$.status";
  p.expect_json_value = "pass";
  CHECK(CheckDependency(p).outcome == Outcome::kOk);
  p.expect_json_value = "UP";
  auto wrong = CheckDependency(p);
  CHECK(wrong.outcome == Outcome::kAssertion);
  CHECK_THAT(wrong.detail, Catch::Contains("$.status is \"pass\", expected \"UP\""));
  p.expect_json_value.reset();
  p.expect_json_path = "$.checks[0].db";
  CHECK_THAT(CheckDependency(p).detail, Catch::Contains("has no $.checks[0].db"));

  auto body = Health(emu.http_url());
  body.expect_body = "\"status\":\\s*\"pass\"";
  CHECK(CheckDependency(body).outcome == Outcome::kOk);
  body.expect_body = "\"status\":\\s*\"fail\"";
  CHECK(CheckDependency(body).outcome == Outcome::kAssertion);

  auto status = Health(emu.http_url());
  status.expect_status = {204};
  auto got = CheckDependency(status);
  CHECK(got.outcome == Outcome::kHttp);
  CHECK_THAT(got.detail, Catch::StartsWith("HTTP 200, expected one of expect_status"));
}

TEST_CASE("an http dependency's faults end in the journeys' outcome classes", "[dependency]") {
  RunningEmulator emu;
  struct Row {
    FaultKind kind;
    Outcome outcome;
    std::string detail;
  };
  const std::vector<Row> rows = {
      {FaultKind::kHttp503, Outcome::kHttp, "HTTP 503"},
      {FaultKind::kHttp502, Outcome::kHttp, "HTTP 502"},
      {FaultKind::kReset, Outcome::kTransport, ""},
      {FaultKind::kTruncated, Outcome::kTransport, ""},
      {FaultKind::kHang, Outcome::kTimeout, "no answer within the timeout (500 ms)"},
      {FaultKind::kRedirect, Outcome::kHttp, "redirects to https://odoo.example.com/web/health"},
  };
  for (const auto& row : rows) {
    emu.emulator().SetFaults(testing::FailMethod("/web/health", row.kind));
    auto p = Health(emu.http_url());
    p.timeout = 500ms;
    p.headers.push_back({"Authorization", prober::Secret("Bearer s3cr3t-token")});
    const auto got = CheckDependency(p);
    INFO(got.detail);
    CHECK(got.outcome == row.outcome);
    CHECK_THAT(got.detail, Catch::Contains(row.detail));
    CHECK_THAT(got.detail, !Catch::Contains("s3cr3t"));
    CHECK(got.timings.total_us < 1'500'000);  // the deadline holds
  }
  emu.emulator().SetFaults({});

  auto refused = Health("http://127.0.0.1:" + std::to_string(ClosedPort()));
  CHECK(CheckDependency(refused).outcome == Outcome::kTransport);
  // HTTPS: the CA the test PKI made is trusted only when given.
  auto https = Health(emu.https_url());
  auto untrusted = CheckDependency(https);
  CHECK(untrusted.outcome == Outcome::kTls);
  https.tls.ca_file = emu.pki().ca_cert;
  auto trusted = CheckDependency(https);
  CHECK(trusted.outcome == Outcome::kOk);
  CHECK(trusted.timings.tls_us > 0);
}

TEST_CASE("tcp and dns dependency checks", "[dependency]") {
  RunningEmulator emu;
  DependencyProbe tcp;
  tcp.kind = DependencyKind::kTcp;
  tcp.host = "127.0.0.1";
  tcp.port = PortOf(emu.http_url());
  tcp.timeout = 2s;
  auto open = CheckDependency(tcp);
  CHECK(open.outcome == Outcome::kOk);
  CHECK(open.connection.server == "127.0.0.1:" + std::to_string(tcp.port));
  tcp.port = ClosedPort();
  auto closed = CheckDependency(tcp);
  CHECK(closed.outcome == Outcome::kTransport);
  CHECK_THAT(closed.detail, Catch::Contains("Couldn't connect"));

  DependencyProbe dns;
  dns.kind = DependencyKind::kDns;
  dns.host = "localhost";
  dns.timeout = 2s;
  auto resolved = CheckDependency(dns);
  CHECK(resolved.outcome == Outcome::kOk);
  CHECK(std::find(resolved.addresses.begin(), resolved.addresses.end(), "127.0.0.1") !=
        resolved.addresses.end());
  dns.expect_address = "127.0.0.1";
  CHECK(CheckDependency(dns).outcome == Outcome::kOk);
  dns.expect_address = "10.9.9.9";
  auto elsewhere = CheckDependency(dns);
  CHECK(elsewhere.outcome == Outcome::kAssertion);
  CHECK_THAT(elsewhere.detail, Catch::Contains("not to 10.9.9.9"));
  dns.expect_address.clear();
  // A name that does not exist (RFC 6761's .invalid): the resolver says so at once, or, on a
  // machine whose resolver cannot be reached, the check's deadline ends it; never ok.
  dns.host = "no-such-host.invalid";
  auto missing = CheckDependency(dns);
  INFO(missing.detail);
  CHECK((missing.outcome == Outcome::kTransport || missing.outcome == Outcome::kTimeout));
  CHECK_THAT(missing.detail, Catch::Contains("no-such-host.invalid"));
  CHECK(missing.timings.total_us < 3'000'000);
}

TEST_CASE("dependency check paths and descriptions", "[dependency]") {
  using prober::JsonPathPointer;
  CHECK(JsonPathPointer("$.status")->to_string() == "/status");
  CHECK(JsonPathPointer("a.b[0].c")->to_string() == "/a/b/0/c");
  CHECK(JsonPathPointer("/a/b")->to_string() == "/a/b");
  CHECK(JsonPathPointer("items[1]")->to_string() == "/items/1");
  CHECK_FALSE(JsonPathPointer("a..b"));
  CHECK_FALSE(JsonPathPointer("a[x]"));
  DependencyProbe p;
  p.url = "https://idp/health";
  p.headers.push_back({"Authorization", prober::Secret("Bearer hidden")});
  p.body = prober::Secret("hidden-body");
  const auto said = Describe(p);
  CHECK(said == "GET https://idp/health expecting 2xx, headers Authorization");
  CHECK_THAT(said, !Catch::Contains("hidden"));
}

}  // namespace
}  // namespace odoo_prober
