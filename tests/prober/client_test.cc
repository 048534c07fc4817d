// The libcurl client against the emulator over real HTTP and HTTPS on loopback.
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <future>
#include <set>

#include "prober/json2_answer.h"
#include "prober/odoo_client.h"
#include "tests/support/emulator_support.h"

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

TEST_CASE("a cancel flag ends a call in flight and refuses later ones", "[client]") {
  // A server that accepts the connection and never answers.
  const int listener = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(listener >= 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  REQUIRE(::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  REQUIRE(::listen(listener, 4) == 0);
  REQUIRE(::getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
  RunningEmulator emu;
  auto o =
      Options(emu, "http://127.0.0.1:" + std::to_string(ntohs(addr.sin_port)), Protocol::kJsonRpc);
  o.call_timeout = std::chrono::seconds(60);
  auto cancel = std::make_shared<std::atomic<bool>>(false);
  auto client = CreateCurlOdooClient(o, RealClock(), cancel);
  REQUIRE(client.ok());
  auto call = std::async(std::launch::async, [&] { return (*client)->Authenticate(kNoDeadline); });
  // The call is in flight once its connection is accepted.
  pollfd pfd{listener, POLLIN, 0};
  REQUIRE(::poll(&pfd, 1, 10000) == 1);
  const int conn = ::accept(listener, nullptr, nullptr);
  REQUIRE(conn >= 0);
  cancel->store(true);
  const RpcResult r = call.get();  // within about a second, not at the 60 s timeout
  CHECK(r.outcome == Outcome::kTransport);
  CHECK(Contains(r.detail, "cancelled: the prober is shutting down"));
  const RpcResult later = (*client)->Authenticate(kNoDeadline);
  CHECK(later.outcome == Outcome::kTransport);
  CHECK(Contains(later.detail, "cancelled"));
  ::close(conn);
  ::close(listener);
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

namespace odoo_prober::prober {
namespace {

// The outcome class each JSON-2 status maps to (json2_answer.h).
Outcome Json2Class(long status) {
  if (status == 401) return Outcome::kAuth;
  if (status == 400 || status == 415) return Outcome::kHttp;
  return Outcome::kOdooError;
}

TEST_CASE("every recorded JSON-2 error answer is classified, with Odoo's error name",
          "[client][json2]") {
  namespace fs = std::filesystem;
  std::set<long> statuses;
  for (const auto& file : fs::directory_iterator(fs::path(ODOO_TRANSCRIPTS_DIR) / "19.0")) {
    if (file.path().filename() == "meta.json") continue;
    std::ifstream in(file.path());
    for (const json& e : json::parse(in)) {
      if (e["endpoint"].get<std::string>().rfind("/json/2/", 0) != 0) continue;
      const long status = e["http_status"];
      const json& response = e["response"];
      const std::string body = response.is_string() ? response.get<std::string>() : response.dump();
      INFO(file.path().filename().string() << ": " << e.value("step", "") << " -> " << status);
      const RpcResult r = InterpretJson2Answer(status, body, e["endpoint"], 2048, false);
      CHECK(r.http_status == status);
      if (status == 200) {
        CHECK(r.ok());
        CHECK(r.result == response);  // null for a method that returned None
        continue;
      }
      statuses.insert(status);
      CHECK(r.outcome == Json2Class(status));
      if (response.is_object()) {
        REQUIRE(r.error.has_value());
        CHECK(r.error->name == response["name"]);
        CHECK(r.error->data_message == response["message"]);
        CHECK(r.error->debug.size() <= 2048 + 3);
        CHECK(Contains(r.detail, response["name"].get<std::string>()));
      } else {
        CHECK_FALSE(r.error.has_value());  // an HTML page: no Odoo error in it
        CHECK(Contains(r.detail, "415 Unsupported Media Type"));
      }
    }
  }
  // The recordings hold every status the classification covers.
  CHECK(statuses == std::set<long>{400, 401, 403, 404, 415, 422, 500});
  // create() of one dict answers a list of one id over JSON-2, unwrapped as /jsonrpc answers it.
  CHECK(InterpretJson2Answer(200, "[28]", "/json/2/sale.order/create", 2048, true).result == 28);
  CHECK(InterpretJson2Answer(200, "[28, 29]", "/json/2/sale.order/create", 2048, false).result ==
        json::array({28, 29}));
  CHECK(InterpretJson2Answer(200, "null", "/json/2/x/y", 2048, false).result.is_null());
  CHECK(InterpretJson2Answer(200, "<html>", "/json/2/x/y", 2048, false).outcome == Outcome::kHttp);
}

TEST_CASE("the JSON-2 client against Odoo 19: each error status's outcome and name",
          "[client][json2]") {
  emulator::EmulatorOptions o = testing::Personality("19.0");
  o.api_key = "json2-test-key";
  RunningEmulator emu(o);
  ClientOptions options = Options(emu, emu.https_url(), Protocol::kJson2);
  options.api_key = Secret("json2-test-key");
  auto client = Client(options);
  REQUIRE(client->Authenticate(kNoDeadline).ok());
  struct Case {
    std::string model, method;
    json args, kwargs;
    long status;
    Outcome outcome;
    std::string name;
  };
  const std::vector<Case> cases = {
      {"res.partner",
       "_compute_display_name",
       {{1}},
       json::object(),
       403,
       Outcome::kOdooError,
       "odoo.exceptions.AccessError"},
      {"res.partner",
       "no_such_method",
       {{1}},
       json::object(),
       404,
       Outcome::kOdooError,
       "werkzeug.exceptions.NotFound"},
      {"purchase.order",
       "button_confirm",
       {{999999}},
       json::object(),
       404,
       Outcome::kOdooError,
       "odoo.exceptions.MissingError"},
      {"res.partner",
       "write",
       {{10}, {{"parent_id", 10}}},
       json::object(),
       422,
       Outcome::kOdooError,
       "odoo.exceptions.ValidationError"},
      {"res.partner",
       "search_count",
       json::array({json::array()}),
       {{"no_such_arg", 1}},
       422,
       Outcome::kOdooError,
       "werkzeug.exceptions.UnprocessableEntity"},
      {"res.partner",
       "read",
       {{1}, {"no_such_field"}},
       json::object(),
       500,
       Outcome::kOdooError,
       "builtins.ValueError"},
  };
  for (const auto& c : cases) {
    INFO(c.model << "." << c.method);
    RpcResult r = client->CallKw(c.model, c.method, c.args, c.kwargs, kNoDeadline);
    CHECK(r.http_status == c.status);
    CHECK(r.outcome == c.outcome);
    REQUIRE(r.error.has_value());
    CHECK(r.error->name == c.name);
  }
  // A method that returns None answers null; create answers the one id.
  const RpcResult po = client->CallKw("purchase.order", "create", {{{"partner_id", 14}}},
                                      json::object(), kNoDeadline);
  REQUIRE(po.ok());
  CHECK(po.result.is_number_integer());
  const RpcResult cancelled =
      client->CallKw("purchase.order", "button_cancel", {{po.result}}, json::object(), kNoDeadline);
  CHECK(cancelled.ok());
  CHECK(cancelled.result.is_null());
  // 401: a key Odoo does not know.
  options.api_key = Secret("not-the-key");
  auto stranger = Client(options);
  const RpcResult refused = stranger->Authenticate(kNoDeadline);
  CHECK(refused.http_status == 401);
  CHECK(refused.outcome == Outcome::kAuth);
  REQUIRE(refused.error.has_value());
  CHECK(refused.error->name == "werkzeug.exceptions.Unauthorized");
  CHECK(refused.error->data_message == "Invalid apikey");
}

}  // namespace
}  // namespace odoo_prober::prober
