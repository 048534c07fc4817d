// The libcurl client against the emulator over real HTTP and HTTPS on loopback.
#include <catch2/catch.hpp>

#include "prober/odoo_client.h"
#include "tests/support/support.h"

namespace odoo_prober::prober {
namespace {

using nlohmann::json;
using testing::Contains;
using testing::RunningEmulator;

ClientOptions Options(RunningEmulator& emu, const std::string& url, Protocol protocol) {
  ClientOptions o;
  o.base_url = url;
  o.database = emu.emulator().options().database;
  o.login = "admin";
  o.password = Secret("admin");
  o.protocol = protocol;
  o.call_timeout = std::chrono::seconds(5);
  o.tls.ca_file = emu.pki().ca_cert;
  return o;
}

std::unique_ptr<OdooClient> Client(const ClientOptions& o) {
  auto c = CreateCurlOdooClient(o, RealClock());
  REQUIRE(c.ok());
  return std::move(*c);
}

TEST_CASE("login and read over every protocol, HTTP and HTTPS", "[client]") {
  RunningEmulator emu;
  const bool https = GENERATE(false, true);
  const Protocol protocol = GENERATE(Protocol::kJsonRpc, Protocol::kWeb, Protocol::kAuto);
  INFO("https=" << https << " protocol=" << ProtocolName(protocol));
  auto client = Client(Options(emu, https ? emu.https_url() : emu.http_url(), protocol));

  RpcResult login = client->Authenticate(kNoDeadline);
  REQUIRE(login.outcome == Outcome::kOk);
  CHECK(login.result == 2);
  CHECK(login.http_status == 200);
  CHECK(client->uid() == 2);
  CHECK(login.timings.total_us > 0);
  CHECK(login.timings.connect_us > 0);
  if (https) CHECK(login.timings.tls_us > 0);
  if (!https) CHECK(login.timings.tls_us == 0);
  CHECK(client->protocol() == (protocol == Protocol::kAuto ? Protocol::kJsonRpc : protocol));

  RpcResult read = client->CallKw("res.users", "read", json::array({json::array({2})}),
                                  {{"fields", {"name", "company_id"}}}, kNoDeadline);
  REQUIRE(read.outcome == Outcome::kOk);
  CHECK(read.result[0]["name"] == "Mitchell Admin");
  CHECK(read.result[0]["company_id"][1] == "My Company (San Francisco)");
  // The connection is reused within a client: no new connect or handshake.
  CHECK(read.timings.connect_us == 0);
  CHECK(read.timings.tls_us == 0);
}

TEST_CASE("the version is known after login", "[client]") {
  RunningEmulator emu(testing::Personality("18.0"));
  auto client = Client(Options(emu, emu.http_url(), Protocol::kWeb));
  REQUIRE(client->Authenticate(kNoDeadline).ok());
  CHECK(client->server_major() == 18);
  auto auto_client = Client(Options(emu, emu.http_url(), Protocol::kAuto));
  REQUIRE(auto_client->Authenticate(kNoDeadline).ok());
  CHECK(auto_client->server_major() == 18);
}

TEST_CASE("a wrong password is outcome auth with Odoo's AccessDenied", "[client]") {
  RunningEmulator emu;
  SECTION("web session: Odoo's error envelope") {
    auto o = Options(emu, emu.https_url(), Protocol::kWeb);
    o.password = Secret("wrong-password");
    RpcResult r = Client(o)->Authenticate(kNoDeadline);
    CHECK(r.outcome == Outcome::kAuth);
    REQUIRE(r.error);
    CHECK(r.error->name == "odoo.exceptions.AccessDenied");
    CHECK(r.error->data_message == "Access Denied");
    CHECK(r.error->code == 200);
    CHECK(Contains(r.error->debug, "Traceback"));
    CHECK(Contains(r.detail, "Access Denied"));
  }
  SECTION("jsonrpc: authenticate answers false") {
    auto o = Options(emu, emu.https_url(), Protocol::kJsonRpc);
    o.password = Secret("wrong-password");
    auto client = Client(o);
    RpcResult r = client->Authenticate(kNoDeadline);
    CHECK(r.outcome == Outcome::kAuth);
    CHECK(Contains(r.detail, "Access Denied"));
    CHECK(client->uid() == 0);
  }
  SECTION("an unknown database is an Odoo error, not auth") {
    auto o = Options(emu, emu.http_url(), Protocol::kWeb);
    o.database = "no_such_db";
    RpcResult r = Client(o)->Authenticate(kNoDeadline);
    CHECK(r.outcome == Outcome::kOdooError);
    REQUIRE(r.error);
    CHECK(r.error->name == "odoo.exceptions.AccessError");
    CHECK(r.error->data_message == "Database not found.");
  }
}

TEST_CASE("connection refused is outcome transport", "[client]") {
  RunningEmulator emu;
  auto o =
      Options(emu, "http://127.0.0.1:" + std::to_string(testing::UnusedPort()), Protocol::kJsonRpc);
  RpcResult r = Client(o)->Authenticate(kNoDeadline);
  CHECK(r.outcome == Outcome::kTransport);
  CHECK(r.http_status == 0);
  CHECK_FALSE(r.detail.empty());
}

TEST_CASE("a server slower than the deadline is outcome timeout, on time", "[client]") {
  RunningEmulator emu;
  emu.emulator().SetFaults(testing::SlowEverything(std::chrono::seconds(5)));
  auto o = Options(emu, emu.https_url(), Protocol::kJsonRpc);

  SECTION("the per-call timeout") {
    o.call_timeout = std::chrono::milliseconds(800);
    auto client = Client(o);
    const auto start = std::chrono::steady_clock::now();
    RpcResult r = client->Authenticate(kNoDeadline);
    const auto took = std::chrono::steady_clock::now() - start;
    CHECK(r.outcome == Outcome::kTimeout);
    CHECK(took >= std::chrono::milliseconds(800));
    CHECK(took <= std::chrono::milliseconds(960));  // deadline + 20%
  }
  SECTION("the caller's deadline when it comes first") {
    auto client = Client(o);
    const auto start = std::chrono::steady_clock::now();
    RpcResult r = client->Authenticate(start + std::chrono::milliseconds(500));
    const auto took = std::chrono::steady_clock::now() - start;
    CHECK(r.outcome == Outcome::kTimeout);
    CHECK(took <= std::chrono::milliseconds(600));
  }
  SECTION("a slow method, not a slow server") {
    emu.emulator().SetFaults(testing::SlowMethod("res.users.read", std::chrono::seconds(5)));
    o.call_timeout = std::chrono::milliseconds(500);
    auto client = Client(o);
    REQUIRE(client->Authenticate(kNoDeadline).ok());
    RpcResult r = client->CallKw("res.users", "read", json::array({json::array({2})}),
                                 json::object(), kNoDeadline);
    CHECK(r.outcome == Outcome::kTimeout);
  }
}

TEST_CASE("an untrusted certificate is outcome tls", "[client]") {
  RunningEmulator emu;
  SECTION("self-signed certificate against our CA") {
    auto r = Client(Options(emu, emu.untrusted_https_url(), Protocol::kJsonRpc))
                 ->Authenticate(kNoDeadline);
    CHECK(r.outcome == Outcome::kTls);
    CHECK(r.http_status == 0);
  }
  SECTION("our CA is not in the system store") {
    auto o = Options(emu, emu.https_url(), Protocol::kJsonRpc);
    o.tls.ca_file.clear();
    CHECK(Client(o)->Authenticate(kNoDeadline).outcome == Outcome::kTls);
  }
  SECTION("insecure_skip_verify accepts it") {
    auto o = Options(emu, emu.untrusted_https_url(), Protocol::kJsonRpc);
    o.tls.verify = false;
    CHECK(Client(o)->Authenticate(kNoDeadline).outcome == Outcome::kOk);
  }
}

TEST_CASE("answers that are not Odoo JSON are outcome http", "[client]") {
  RunningEmulator emu;
  SECTION("an HTML 404") {
    auto r = Client(Options(emu, emu.http_url() + "/not-odoo", Protocol::kJsonRpc))
                 ->Authenticate(kNoDeadline);
    CHECK(r.outcome == Outcome::kHttp);
    CHECK(r.http_status == 404);
    CHECK(Contains(r.detail, "HTTP 404"));
  }
  SECTION("an answer over the size cap") {
    auto o = Options(emu, emu.http_url(), Protocol::kWeb);
    o.max_response_bytes = 256;  // session_info is larger
    auto r = Client(o)->Authenticate(kNoDeadline);
    CHECK(r.outcome == Outcome::kHttp);
    CHECK(Contains(r.detail, "max_response_bytes"));
  }
}

TEST_CASE("Odoo errors carry name, message and a truncated traceback", "[client]") {
  RunningEmulator emu;
  auto o = Options(emu, emu.http_url(), Protocol::kJsonRpc);
  o.max_debug_bytes = 64;
  auto client = Client(o);
  REQUIRE(client->Authenticate(kNoDeadline).ok());
  auto r = client->CallKw("no.such.model", "search_read", json::array({json::array()}),
                          json::object(), kNoDeadline);
  CHECK(r.outcome == Outcome::kOdooError);
  REQUIRE(r.error);
  CHECK(r.error->name == "odoo.exceptions.UserError");
  CHECK(r.error->data_message == "Object no.such.model doesn't exist");
  CHECK(r.error->message == "Odoo Server Error");
  CHECK(r.error->debug.size() <= 64 + 3);
  CHECK(Contains(r.error->debug, "doesn't exist"));  // the tail is kept
}

TEST_CASE("an expired web session is renewed once, transparently", "[client]") {
  RunningEmulator emu;
  auto client = Client(Options(emu, emu.http_url(), Protocol::kWeb));
  REQUIRE(client->Authenticate(kNoDeadline).ok());
  emu.emulator().ExpireAllSessions();
  auto r = client->CallKw("res.users", "read", json::array({json::array({2})}),
                          {{"fields", {"name"}}}, kNoDeadline);
  CHECK(r.outcome == Outcome::kOk);
  int logins = 0;
  for (const auto& call : emu.emulator().RequestLog()) {
    if (call.endpoint == "/web/session/authenticate") ++logins;
  }
  CHECK(logins == 2);
}

TEST_CASE("bad client options are refused at creation", "[client]") {
  ClientOptions o;
  o.base_url = "ftp://x";
  o.password = Secret("x");
  CHECK_FALSE(CreateCurlOdooClient(o, RealClock()).ok());
  o.base_url = "https://x";
  o.password = Secret();
  CHECK_FALSE(CreateCurlOdooClient(o, RealClock()).ok());
  o.api_key = Secret("k");
  o.protocol = Protocol::kWeb;
  CHECK_FALSE(CreateCurlOdooClient(o, RealClock()).ok());
}

}  // namespace
}  // namespace odoo_prober::prober
