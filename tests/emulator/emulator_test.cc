// The emulator's handler against the recordings of real Odoo servers: every exchange of
// login.json, replayed in order, must come back with the same structure and the same errors.
#include "tests/emulator/emulator.h"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "tests/support/support.h"

#ifndef ODOO_TRANSCRIPTS_DIR
#error "ODOO_TRANSCRIPTS_DIR must point at shared/odoo-transcripts"
#endif

namespace odoo_prober::emulator {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

json ReadJson(const fs::path& p) {
  std::ifstream in(p);
  REQUIRE(in);
  return json::parse(in);
}

// Same shape: objects have at least the recorded keys, arrays the same element shape, scalars
// the same JSON type. Returns the first difference, or an empty string.
std::string ShapeDiff(const json& want, const json& got, const std::string& path) {
  auto kind = [](const json& j) {
    if (j.is_number()) return std::string("number");
    return std::string(j.type_name());
  };
  if (kind(want) != kind(got)) return path + ": want " + kind(want) + ", got " + kind(got);
  if (want.is_object()) {
    for (auto it = want.begin(); it != want.end(); ++it) {
      if (!got.contains(it.key())) return path + "." + it.key() + ": missing";
      auto d = ShapeDiff(it.value(), got[it.key()], path + "." + it.key());
      if (!d.empty()) return d;
    }
  } else if (want.is_array() && !want.empty() && !got.empty()) {
    return ShapeDiff(want[0], got[0], path + "[0]");
  }
  return "";
}

HttpRequest Req(const std::string& method, const std::string& path, const std::string& body) {
  HttpRequest r;
  r.method = method;
  r.path = path;
  r.content_type = "application/json";
  r.body = body;
  return r;
}

std::string CookieOf(const HttpResponse& r) {
  for (const auto& [k, v] : r.headers) {
    if (k == "Set-Cookie" && v.rfind("session_id=", 0) == 0) return v.substr(0, v.find(';'));
  }
  return "";
}

void Replay(const std::string& version, const std::string& file) {
  const fs::path dir = fs::path(ODOO_TRANSCRIPTS_DIR) / version;
  const json meta = ReadJson(dir / "meta.json");
  const std::string db = meta["database"];
  OdooEmulator emu(testing::Personality(version, "pw", db));
  std::string cookie;
  for (const json& e : ReadJson(dir / file)) {
    INFO(version << "/" << file << ": " << e.value("step", ""));
    HttpRequest req;
    req.method = e.value("http_method", "POST");
    req.path = e["endpoint"];
    std::string body =
        e["request"].is_string() ? e["request"].get<std::string>() : e["request"].dump();
    for (std::string from : {"\"<password>\""}) {
      for (size_t p; (p = body.find(from)) != std::string::npos;)
        body.replace(p, from.size(), "\"pw\"");
    }
    req.body = e["request"].is_null() ? "" : body;
    const json& headers = e["request_headers"];
    if (headers.contains("Cookie")) {
      const std::string recorded = headers["Cookie"];
      req.cookie = recorded == "session_id=<session>" ? cookie : recorded;
    }
    HttpResponse res = emu.Handle(req);
    CHECK(res.status == e["http_status"].get<int>());
    if (auto c = CookieOf(res); !c.empty()) cookie = c;
    const json& want = e["response"];
    if (want.is_string()) {
      if (res.status != 404) CHECK(res.body == want.get<std::string>());
      continue;
    }
    const json got = json::parse(res.body);
    CHECK(ShapeDiff(want, got, "$") == "");
    CHECK(got.contains("result") == want.contains("result"));
    CHECK(got["id"] == want["id"]);
    if (want.contains("error")) {
      CHECK(got["error"]["code"] == want["error"]["code"]);
      CHECK(got["error"]["message"] == want["error"]["message"]);
      CHECK(got["error"]["data"]["name"] == want["error"]["data"]["name"]);
      if (want["error"]["data"]["name"] != "psycopg2.OperationalError") {
        CHECK(got["error"]["data"]["message"] == want["error"]["data"]["message"]);
        CHECK(got["error"]["data"]["arguments"] == want["error"]["data"]["arguments"]);
      }
    } else if (want.contains("result") && !want["result"].is_object()) {
      CHECK(got["result"] == want["result"]);  // uids, false, user records
    }
  }
}

TEST_CASE("login exchanges replay like the recorded Odoo 17 and 18", "[emulator][contract]") {
  const std::string version = GENERATE("17.0", "18.0");
  Replay(version, "login.json");
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
