// The emulator's handler without a socket: plain HTTP answers and the redacted request log.
// (Every recorded exchange is replayed by contract_test.cc.)
#include "tests/emulator/emulator.h"

#include <catch2/catch.hpp>

#include "tests/support/emulator_support.h"

namespace odoo_prober::emulator {
namespace {

using nlohmann::json;

HttpRequest Req(const std::string& method, const std::string& path, const std::string& body) {
  HttpRequest r;
  r.method = method;
  r.path = path;
  r.content_type = "application/json";
  r.body = body;
  return r;
}

TEST_CASE("an unknown Odoo version is refused, naming the known ones", "[emulator]") {
  EmulatorOptions o;
  o.version = "15.0";
  try {
    OdooEmulator emu(o);
    FAIL("an emulator of Odoo 15.0 was built");
  } catch (const std::invalid_argument& e) {
    CHECK(std::string(e.what()) ==
          "the emulator knows no Odoo 15.0; it impersonates 16.0, 17.0, 18.0, 19.0");
  }
  for (const auto& v : SupportedVersions()) {
    o.version = v;
    CHECK_NOTHROW(OdooEmulator(o));
  }
}

TEST_CASE("health, malformed JSON, wrong verb and unknown routes", "[emulator]") {
  OdooEmulator emu(EmulatorOptions{});
  auto health = emu.Handle(Req("GET", "/web/health", ""));
  CHECK(health.status == 200);
  CHECK(json::parse(health.body) == json{{"status", "pass"}});
  auto bad = emu.Handle(Req("POST", "/jsonrpc", "this is not json"));
  CHECK(bad.status == 400);
  CHECK(bad.body == "Invalid JSON data");
  auto verb = emu.Handle(Req("GET", "/jsonrpc", ""));
  CHECK(verb.status == 400);
  CHECK(testing::Contains(verb.body, "Bad Request"));
  auto missing = emu.Handle(Req("POST", "/web/dataset/no_such_route", "{}"));
  CHECK(missing.status == 404);
  CHECK(testing::Contains(missing.body, "<html"));
}

TEST_CASE("the request log redacts passwords", "[emulator]") {
  OdooEmulator emu(testing::Personality("17.0", "topsecret", "db"));
  json rpc = {{"jsonrpc", "2.0"},
              {"id", 1},
              {"params",
               {{"service", "common"},
                {"method", "authenticate"},
                {"args", {"db", "admin", "topsecret", json::object()}}}}};
  json web = {{"jsonrpc", "2.0"},
              {"id", 2},
              {"params", {{"db", "db"}, {"login", "admin"}, {"password", "topsecret"}}}};
  CHECK(json::parse(emu.Handle(Req("POST", "/jsonrpc", rpc.dump())).body)["result"] == 2);
  CHECK(json::parse(emu.Handle(Req("POST", "/web/session/authenticate", web.dump()))
                        .body)["result"]["uid"] == 2);
  const auto log = emu.RequestLog();
  REQUIRE(log.size() == 2);
  for (const auto& call : log) CHECK_FALSE(testing::Contains(call.args.dump(), "topsecret"));
}

}  // namespace
}  // namespace odoo_prober::emulator
