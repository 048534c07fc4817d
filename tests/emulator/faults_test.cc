// Every fault kind, produced by the emulator over real sockets and seen by the prober's client.
#include "tests/emulator/faults.h"

#include <curl/curl.h>

#include <catch2/catch.hpp>
#include <set>

#include "prober/odoo_client.h"
#include "prober/tls_inspector.h"
#include "tests/support/emulator_support.h"

namespace odoo_prober::emulator {
namespace {

using prober::Outcome;
using testing::Contains;
using testing::RunningEmulator;

std::unique_ptr<prober::OdooClient> Client(
    RunningEmulator& emu, prober::Protocol protocol,
    std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
  prober::ClientOptions o;
  o.base_url = emu.https_url();
  o.database = emu.emulator().options().database;
  o.login = "admin";
  o.password = prober::Secret("admin");
  o.protocol = protocol;
  o.call_timeout = timeout;
  o.tls.ca_file = emu.pki().ca_cert;
  o.max_response_bytes = 1u << 20;
  auto c = prober::CreateCurlOdooClient(o, prober::RealClock());
  REQUIRE(c.ok());
  return std::move(*c);
}

Faults Rule(FaultKind kind, const std::string& match = "*", double rate = 1.0) {
  Faults f;
  f.rules.push_back({match, kind, rate});
  return f;
}

size_t Collect(char* data, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

// A plain HTTP call to the emulator's control endpoint.
std::pair<long, std::string> Control(const std::string& url, const std::string& body = "") {
  CURL* c = curl_easy_init();
  std::string answer;
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 5000L);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &Collect);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &answer);
  if (!body.empty()) curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.c_str());
  long status = 0;
  if (curl_easy_perform(c) == CURLE_OK) curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  curl_easy_cleanup(c);
  return {status, answer};
}

TEST_CASE("gateway errors answer HTML with the status", "[emulator][faults]") {
  RunningEmulator emu;
  for (auto [kind, status] : {std::pair{FaultKind::kHttp502, 502L},
                              {FaultKind::kHttp503, 503L},
                              {FaultKind::kHttp504, 504L}}) {
    emu.emulator().SetFaults(Rule(kind));
    auto r = Client(emu, prober::Protocol::kJsonRpc)->Authenticate(prober::kNoDeadline);
    CHECK(r.outcome == Outcome::kHttp);
    CHECK(r.http_status == status);
    CHECK(Contains(r.detail, "HTTP " + std::to_string(status)));
  }
}

TEST_CASE("a redirect is not followed, and the failure says where it points",
          "[emulator][faults]") {
  RunningEmulator emu;
  emu.emulator().SetFaults(Rule(FaultKind::kRedirect));
  for (const auto protocol : {prober::Protocol::kJsonRpc, prober::Protocol::kWeb}) {
    auto r = Client(emu, protocol)->Authenticate(prober::kNoDeadline);
    CHECK(r.outcome == Outcome::kHttp);
    CHECK(r.http_status == 301);
    CHECK(Contains(r.detail, "HTTP 301"));
    CHECK(Contains(r.detail, "redirects to https://odoo.example.com/"));
    CHECK(Contains(r.detail, "set the target's url"));
  }
}

TEST_CASE("hang, reset, malformed, truncated and oversized answers", "[emulator][faults]") {
  RunningEmulator emu;
  SECTION("hang: accepted, never answered") {
    emu.emulator().SetFaults(Rule(FaultKind::kHang));
    const auto start = std::chrono::steady_clock::now();
    auto r = Client(emu, prober::Protocol::kJsonRpc, std::chrono::milliseconds(400))
                 ->Authenticate(prober::kNoDeadline);
    CHECK(r.outcome == Outcome::kTimeout);
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::milliseconds(480));
  }
  SECTION("reset") {
    emu.emulator().SetFaults(Rule(FaultKind::kReset));
    auto r = Client(emu, prober::Protocol::kJsonRpc)->Authenticate(prober::kNoDeadline);
    CHECK(r.outcome == Outcome::kTransport);
  }
  SECTION("malformed JSON") {
    emu.emulator().SetFaults(Rule(FaultKind::kMalformedJson));
    auto r = Client(emu, prober::Protocol::kJsonRpc)->Authenticate(prober::kNoDeadline);
    CHECK(r.outcome == Outcome::kHttp);
    CHECK(r.http_status == 200);
    CHECK(Contains(r.detail, "not a JSON-RPC object"));
  }
  SECTION("truncated body") {
    emu.emulator().SetFaults(Rule(FaultKind::kTruncated));
    auto r = Client(emu, prober::Protocol::kJsonRpc)->Authenticate(prober::kNoDeadline);
    CHECK(r.outcome == Outcome::kTransport);
  }
  SECTION("oversized body") {
    Faults f = Rule(FaultKind::kOversized);
    f.oversized_bytes = 4u << 20;
    emu.emulator().SetFaults(f);
    auto r = Client(emu, prober::Protocol::kJsonRpc)->Authenticate(prober::kNoDeadline);
    CHECK(r.outcome == Outcome::kHttp);
    CHECK(Contains(r.detail, "max_response_bytes"));
  }
}

TEST_CASE("noop and wizard faults answer as if done and change nothing", "[emulator][faults]") {
  RunningEmulator emu;
  auto client = Client(emu, prober::Protocol::kJsonRpc);
  REQUIRE(client->Authenticate(prober::kNoDeadline).ok());
  auto order = client->CallKw(
      "sale.order", "create",
      json::array({{{"partner_id", 10},
                    {"order_line", json::array({json::array({0, 0, {{"product_id", 8}}})})}}}),
      json::object(), prober::kNoDeadline);
  REQUIRE(order.ok());
  const json ids = json::array({json::array({order.result})});
  auto state = [&] {
    auto r =
        client->CallKw("sale.order", "read", ids, {{"fields", {"state"}}}, prober::kNoDeadline);
    REQUIRE(r.ok());
    return r.result.at(0).at("state").get<std::string>();
  };
  Faults f = Rule(FaultKind::kNoop, "sale.order.action_cancel");
  SECTION("noop") {
    emu.emulator().SetFaults(f);
    auto r =
        client->CallKw("sale.order", "action_cancel", ids, json::object(), prober::kNoDeadline);
    CHECK(r.ok());
    CHECK(r.result == true);
  }
  SECTION("wizard") {
    f.rules[0].kind = FaultKind::kWizard;
    f.rules[0].wizard = "sale.order.cancel";
    emu.emulator().SetFaults(f);
    auto r =
        client->CallKw("sale.order", "action_cancel", ids, json::object(), prober::kNoDeadline);
    CHECK(r.ok());
    CHECK(r.result["res_model"] == "sale.order.cancel");
    CHECK(r.result["target"] == "new");
  }
  CHECK(state() == "draft");
  emu.emulator().SetFaults({});
  REQUIRE(
      client->CallKw("sale.order", "action_cancel", ids, json::object(), prober::kNoDeadline).ok());
  CHECK(state() == "cancel");
}

TEST_CASE("an error rate answers Odoo errors for that share of calls", "[emulator][faults]") {
  RunningEmulator emu;
  SECTION("every call, on one method only") {
    emu.emulator().SetFaults(Rule(FaultKind::kOdooError, "res.users.read"));
    auto client = Client(emu, prober::Protocol::kJsonRpc);
    REQUIRE(client->Authenticate(prober::kNoDeadline).ok());
    auto r = client->CallKw("res.users", "read", {{2}}, json::object(), prober::kNoDeadline);
    CHECK(r.outcome == Outcome::kOdooError);
    REQUIRE(r.error);
    CHECK(r.error->name == "psycopg2.errors.SerializationFailure");
  }
  SECTION("half of the calls, reproducibly with a seed") {
    auto run = [&] {
      Faults f = Rule(FaultKind::kOdooError, "res.users.*", 0.5);
      f.seed = 42;
      emu.emulator().SetFaults(f);
      auto client = Client(emu, prober::Protocol::kJsonRpc);
      REQUIRE(client->Authenticate(prober::kNoDeadline).ok());
      std::string pattern;
      for (int i = 0; i < 40; ++i) {
        pattern +=
            client->CallKw("res.users", "read", {{2}}, json::object(), prober::kNoDeadline).ok()
                ? '.'
                : 'x';
      }
      return pattern;
    };
    const std::string first = run();
    const auto failures = std::count(first.begin(), first.end(), 'x');
    CHECK(failures > 8);
    CHECK(failures < 32);
    CHECK(run() == first);
  }
}

TEST_CASE("latency: fixed, uniform, per method and per client address", "[emulator][faults]") {
  RunningEmulator emu;
  SECTION("fixed latency on every answer, seen on the wire") {
    emu.emulator().SetFaults(testing::SlowEverything(std::chrono::milliseconds(150)));
    auto r = Client(emu, prober::Protocol::kJsonRpc)->Authenticate(prober::kNoDeadline);
    REQUIRE(r.ok());
    CHECK(r.timings.first_byte_us >= 150'000);
  }
  SECTION("uniform ranges, per method and per client, in the handler") {
    Faults f;
    f.latency = {std::chrono::milliseconds(10), std::chrono::milliseconds(30)};
    f.method_latency["res.users.read"] = {std::chrono::milliseconds(100),
                                          std::chrono::milliseconds(100)};
    f.client_latency["127.0.0.2"] = {std::chrono::milliseconds(1000),
                                     std::chrono::milliseconds(1000)};
    emu.emulator().SetFaults(f);
    HttpRequest health;
    health.method = "GET";
    health.path = "/web/health";
    health.client_address = "127.0.0.1";
    std::set<int64_t> seen;
    for (int i = 0; i < 50; ++i) {
      const auto d = emu.emulator().Serve(health).delay;
      CHECK(d >= std::chrono::milliseconds(10));
      CHECK(d <= std::chrono::milliseconds(30));
      seen.insert(d.count());
    }
    CHECK(seen.size() > 5);
    HttpRequest read = health;
    read.method = "POST";
    read.path = "/jsonrpc";
    read.body = json{{"params",
                      {{"service", "object"},
                       {"method", "execute_kw"},
                       {"args", {"probe", 2, "admin", "res.users", "read", {{2}}}}}}}
                    .dump();
    CHECK(emu.emulator().Serve(read).delay >= std::chrono::milliseconds(110));
    health.client_address = "127.0.0.2";
    CHECK(emu.emulator().Serve(health).delay >= std::chrono::milliseconds(1010));
  }
}

TEST_CASE("AccessDenied after N calls, a UserError, and an expiry that a re-login cannot cure",
          "[emulator][faults]") {
  RunningEmulator emu;
  auto read = [](prober::OdooClient& c) {
    return c.CallKw("res.users", "read", {{2}}, json::object(), prober::kNoDeadline);
  };
  SECTION("access_denied spares the first N matching calls, then refuses every one") {
    Faults f = Rule(FaultKind::kAccessDenied, "res.users.read");
    f.rules[0].after = 2;
    emu.emulator().SetFaults(f);
    auto client = Client(emu, prober::Protocol::kJsonRpc);
    REQUIRE(client->Authenticate(prober::kNoDeadline).ok());
    CHECK(read(*client).ok());
    CHECK(read(*client).ok());
    for (int i = 0; i < 2; ++i) {
      auto r = read(*client);
      CHECK(r.outcome == Outcome::kAuth);
      REQUIRE(r.error);
      CHECK(r.error->name == "odoo.exceptions.AccessDenied");
    }
  }
  SECTION("user_error is Odoo's UserError envelope") {
    emu.emulator().SetFaults(Rule(FaultKind::kUserError, "res.users.read"));
    auto client = Client(emu, prober::Protocol::kJsonRpc);
    REQUIRE(client->Authenticate(prober::kNoDeadline).ok());
    auto r = read(*client);
    CHECK(r.outcome == Outcome::kOdooError);
    REQUIRE(r.error);
    CHECK(r.error->name == "odoo.exceptions.UserError");
  }
  SECTION("session_expired: the client logs in again once, then gives up with auth") {
    emu.emulator().SetFaults(Rule(FaultKind::kSessionExpired, "res.users.read"));
    auto client = Client(emu, prober::Protocol::kWeb);
    REQUIRE(client->Authenticate(prober::kNoDeadline).ok());
    CHECK(read(*client).outcome == Outcome::kAuth);
    int logins = 0;
    for (const auto& call : emu.emulator().RequestLog())
      logins += call.endpoint == "/web/session/authenticate";
    CHECK(logins == 2);
  }
  SECTION("after round-trips through the fault document") {
    Faults f = Rule(FaultKind::kAccessDenied);
    f.rules[0].after = 7;
    auto parsed = ParseFaults(ToJson(f));
    REQUIRE(parsed.ok());
    CHECK(parsed->rules[0].after == 7);
    CHECK(parsed->rules[0].kind == FaultKind::kAccessDenied);
  }
}

TEST_CASE("web sessions expire after N calls", "[emulator][faults]") {
  RunningEmulator emu;
  Faults f;
  f.session_expiry_after = 2;
  emu.emulator().SetFaults(f);
  auto client = Client(emu, prober::Protocol::kWeb);
  REQUIRE(client->Authenticate(prober::kNoDeadline).ok());
  for (int i = 0; i < 6; ++i) {
    CHECK(client->CallKw("res.users", "read", {{2}}, json::object(), prober::kNoDeadline).ok());
  }
  int logins = 0;
  for (const auto& call : emu.emulator().RequestLog())
    logins += call.endpoint == "/web/session/authenticate";
  CHECK(logins == 3);  // the first, then one renewal per two calls
}

TEST_CASE("the certificate served can be switched at run time", "[emulator][faults]") {
  RunningEmulator emu;
  for (const auto& [name, outcome] :
       std::vector<std::pair<std::string, Outcome>>{{"expired", Outcome::kTls},
                                                    {"wrong-host", Outcome::kTls},
                                                    {"self-signed", Outcome::kTls},
                                                    {"trusted", Outcome::kOk}}) {
    INFO(name);
    Faults f;
    f.certificate = name;
    emu.emulator().SetFaults(f);
    CHECK(Client(emu, prober::Protocol::kJsonRpc)->Authenticate(prober::kNoDeadline).outcome ==
          outcome);
  }
}

TEST_CASE("an administrator's changes: server version, modules, a rotated certificate",
          "[emulator][faults]") {
  RunningEmulator emu;
  auto client = Client(emu, prober::Protocol::kJsonRpc);
  REQUIRE(client->Authenticate(prober::kNoDeadline).ok());
  auto module = [&](const std::string& name) {
    auto r =
        client->CallKw("ir.module.module", "search_read",
                       nlohmann::json::array(
                           {nlohmann::json::array({nlohmann::json::array({"name", "=", name})})}),
                       {{"fields", {"state", "latest_version"}}}, prober::kNoDeadline);
    REQUIRE(r.ok());
    return r.result.empty() ? nlohmann::json() : r.result[0];
  };
  const std::string before = module("sale")["latest_version"];
  auto leaf = [&] {
    prober::TlsInspectOptions o;
    o.host = "127.0.0.1";
    o.port =
        static_cast<uint16_t>(std::stoi(emu.https_url().substr(emu.https_url().rfind(':') + 1)));
    o.ca_file = emu.pki().ca_cert;
    o.servername = "localhost";
    const auto in = prober::InspectTls(o);
    REQUIRE(in.trusted);
    return in.presented.front().sha256;
  };
  const std::string old_leaf = leaf();
  REQUIRE(emu.emulator()
              .Administer({{"server_version", "17.0+e"},
                           {"modules", {{"sale", "17.0.1.3"}, {"mrp_plm", "17.0.1.0"}}},
                           {"certificate", "rotated"}})
              .ok());
  CHECK(client->Version(prober::kNoDeadline).result["server_version"] == "17.0+e");
  CHECK(module("sale")["latest_version"] == "17.0.1.3");
  CHECK(before != "17.0.1.3");
  CHECK(module("mrp_plm")["state"] == "installed");
  CHECK(leaf() != old_leaf);  // trusted still, another key
  // Over HTTP as well; a module given null is uninstalled; a mistake is a 400.
  auto post = [&](const std::string& body) {
    return testing::RunProcess({"/usr/bin/curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}",
                                "--data-binary", body, emu.http_url() + "/__emulator/admin"})
        .out;
  };
  CHECK(post(R"({"modules": {"mrp_plm": null}})") == "200");
  CHECK(module("mrp_plm")["state"] == "uninstalled");
  CHECK(post(R"({"certificate": "stolen"})") == "400");
}

TEST_CASE("the control endpoint sets and shows faults and the request log", "[emulator][faults]") {
  RunningEmulator emu;
  const std::string base = emu.http_url() + "/__emulator/";
  REQUIRE(Client(emu, prober::Protocol::kJsonRpc)->Authenticate(prober::kNoDeadline).ok());
  auto bad = Control(base + "faults", R"({"rules": [{"kind": "explode"}]})");
  CHECK(bad.first == 400);
  CHECK(Contains(bad.second, "rules[0].kind"));
  auto set = Control(base + "faults",
                     R"({"rules": [{"match": "common.*", "kind": "http_503"}], "latency": "5ms"})");
  CHECK(set.first == 200);
  CHECK(json::parse(Control(base + "faults").second)["rules"][0]["kind"] == "http_503");
  auto r = Client(emu, prober::Protocol::kJsonRpc)->Authenticate(prober::kNoDeadline);
  CHECK(r.http_status == 503);
  json log = json::parse(Control(base + "log").second);
  REQUIRE_FALSE(log.empty());
  CHECK_FALSE(Contains(log.dump(), "\"admin\",\"admin\""));  // the password is redacted
  CHECK(Control(base + "nothing").first == 404);
}

TEST_CASE("fault documents parse, round-trip and reject mistakes", "[emulator][faults]") {
  auto f = ParseFaults(json::parse(R"({
      "latency": {"min": "10ms", "max": "20ms"},
      "method_latency": {"sale.order.action_confirm": "2s"},
      "client_latency": {"127.0.0.2": 120},
      "rules": [{"match": "stock.picking.*", "kind": "truncated", "rate": 0.25}],
      "session_expiry_after": 3, "certificate": "expired", "seed": 7})"));
  REQUIRE(f.ok());
  CHECK(f->method_latency["sale.order.action_confirm"].min == std::chrono::seconds(2));
  CHECK(f->client_latency["127.0.0.2"].max == std::chrono::milliseconds(120));
  CHECK(f->rules[0].kind == FaultKind::kTruncated);
  auto again = ParseFaults(ToJson(*f));
  REQUIRE(again.ok());
  CHECK(ToJson(*again) == ToJson(*f));
  CHECK_FALSE(ParseFaults(json{{"latencyy", "1s"}}).ok());
  CHECK_FALSE(ParseFaults(json{{"certificate", "stolen"}}).ok());
  CHECK_FALSE(ParseFaults(json{{"rules", {{{"kind", "hang"}, {"rate", 2}}}}}).ok());
  CHECK_FALSE(ParseFaults(json{{"latency", {{"min", "2s"}, {"max", "1s"}}}}).ok());
}

TEST_CASE("odoo-emulator reads a YAML fault file and flags at start", "[emulator][faults]") {
  testing::TempDir dir;
  const auto file = dir.Write("faults.yaml",
                              "# slow confirmations, and a gateway error on every login\n"
                              "method_latency:\n  res.users.read: 50ms\n"
                              "rules:\n  - match: common.authenticate\n    kind: http_502\n");
  testing::BackgroundProcess emu({ODOO_EMULATOR_BIN, "--faults", file, "--version", "18.0"});
  const std::string line = emu.WaitForLine("listening on http://");
  REQUIRE_FALSE(line.empty());
  const std::string url = line.substr(line.find("http://"));
  json faults = json::parse(Control(url + "/__emulator/faults").second);
  CHECK(faults["rules"][0]["kind"] == "http_502");
  CHECK(faults["method_latency"]["res.users.read"] == "50ms");
  CHECK(emu.Stop() == 0);

  const auto bad = dir.Write("bad.yaml", "rules:\n  - kind: explode\n");
  auto r = testing::RunProcess({ODOO_EMULATOR_BIN, "--faults", bad});
  CHECK(r.exit_code == 2);
  CHECK(Contains(r.err, "rules[0].kind"));
}

}  // namespace
}  // namespace odoo_prober::emulator
