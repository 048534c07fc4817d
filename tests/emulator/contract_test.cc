// Contract tests: every exchange recorded from real Odoo servers
// (tests/data/odoo-transcripts/<version>/) is replayed, in order, against the emulator's matching
// personality. Each answer must match the recording in structure (keys and JSON types), error
// class, and the states and quantities the business methods leave behind. Record ids and names may
// differ: ids are translated between the recording and the emulator as they are learned from
// answers.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <set>

#include "tests/emulator/emulator.h"
#include "tests/support/emulator_support.h"

#ifndef ODOO_TRANSCRIPTS_DIR
#error "ODOO_TRANSCRIPTS_DIR must point at tests/data/odoo-transcripts"
#endif

namespace odoo_prober::emulator {
namespace {

namespace fs = std::filesystem;

json ReadJson(const fs::path& p) {
  std::ifstream in(p);
  REQUIRE(in);
  return json::parse(in);
}

std::string Kind(const json& j) { return j.is_number() ? "number" : j.type_name(); }

// Same shape: objects have at least the recorded keys, arrays the same element shape, scalars
// the same JSON type. Returns the first difference, or "".
std::string ShapeDiff(const json& want, const json& got, const std::string& path) {
  if (Kind(want) != Kind(got)) return path + ": want " + Kind(want) + ", got " + Kind(got);
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

std::string MaskDigits(const json& text) {
  std::string out;
  for (char c : text.is_string() ? text.get<std::string>() : text.dump()) {
    if (std::isdigit(static_cast<unsigned char>(c))) {
      if (out.empty() || out.back() != '#') out += '#';
    } else {
      out += c;
    }
  }
  return out;
}

// Fields whose values are states or quantities: compared exactly.
const std::set<std::string> kExact = {"state",
                                      "reservation_state",
                                      "components_availability",
                                      "is_planned",
                                      "picked",
                                      "payment_state",
                                      "invoice_status",
                                      "delivery_status",
                                      "picking_type_code",
                                      "move_type",
                                      "is_user_working",
                                      "type",
                                      "is_storable",
                                      "detailed_type",
                                      "product_uom_qty",
                                      "quantity",
                                      "reserved_quantity",
                                      "qty_received",
                                      "product_qty",
                                      "amount_total",
                                      "amount_tax",
                                      "amount_untaxed",
                                      "list_price",
                                      "standard_price",
                                      "incoming_picking_count",
                                      "duration_expected",
                                      "login",
                                      "res_model",
                                      "target",
                                      "uid"};

// Recorded ids -> emulator ids, per model.
class Replayer {
 public:
  Replayer(OdooEmulator& emu, std::string password, std::string api_key)
      : emu_(emu), password_(std::move(password)), api_key_(std::move(api_key)) {}

  int Map(const std::string& model, int id) const {
    auto it = ids_.find({model, id});
    return it == ids_.end() ? id : it->second;
  }
  json MapIds(const std::string& model, const json& v) const {
    if (v.is_number_integer()) return Map(model, v.get<int>());
    if (!v.is_array()) return v;
    json out = json::array();
    for (const auto& x : v)
      out.push_back(x.is_number_integer() ? json(Map(model, x.get<int>())) : x);
    return out;
  }

  json Vals(const std::string& model, const json& vals) const {
    if (!vals.is_object()) return vals;
    json out = vals;
    for (auto it = out.begin(); it != out.end(); ++it) {
      const std::string co = emu_.FieldComodel(model, it.key());
      if (co.empty()) continue;
      json& v = it.value();
      if (v.is_number_integer()) {
        v = Map(co, v.get<int>());
      } else if (v.is_array()) {
        for (auto& c : v) {
          if (c.is_number_integer()) {
            c = Map(co, c.get<int>());
          } else if (c.is_array() && !c.empty() && c[0].is_number_integer()) {
            const int code = c[0].get<int>();
            if (code == 0 && c.size() > 2) c[2] = Vals(co, c[2]);
            if ((code >= 1 && code <= 4) && c.size() > 1) c[1] = MapIds(co, c[1]);
            if (code == 1 && c.size() > 2) c[2] = Vals(co, c[2]);
            if (code == 6 && c.size() > 2) c[2] = MapIds(co, c[2]);
          }
        }
      }
    }
    return out;
  }

  json Domain(const std::string& model, const json& domain) const {
    if (!domain.is_array()) return domain;
    json out = json::array();
    for (const auto& leaf : domain) {
      if (leaf.is_array() && leaf.size() == 3 && leaf[0].is_string()) {
        const std::string f = leaf[0].get<std::string>();
        const std::string co = f == "id" ? model : emu_.FieldComodel(model, f);
        out.push_back(co.empty() ? leaf : json::array({leaf[0], leaf[1], MapIds(co, leaf[2])}));
      } else {
        out.push_back(leaf);
      }
    }
    return out;
  }

  json Context(const std::string& model, const json& ctx) const {
    if (!ctx.is_object()) return ctx;
    json out = ctx;
    for (auto it = out.begin(); it != out.end(); ++it) {
      const std::string& k = it.key();
      if (k.rfind("default_", 0) == 0) {
        it.value() = Vals(model, json{{k.substr(8), it.value()}})[k.substr(8)];
      } else if (k.find("picking_ids") != std::string::npos) {
        it.value() = MapIds("stock.picking", it.value());
      } else if ((k == "active_id" || k == "active_ids") && ctx.contains("active_model")) {
        it.value() = MapIds(ctx["active_model"].get<std::string>(), it.value());
      }
    }
    return out;
  }

  // Translates model.method(args, kwargs) of the recording into the emulator's ids.
  void Call(const std::string& model, const std::string& method, json& args, json& kwargs) const {
    if (!args.is_array()) return;
    if (method == "search" || method == "search_read" || method == "search_count") {
      if (!args.empty()) args[0] = Domain(model, args[0]);
    } else if (method == "create") {
      if (!args.empty()) {
        if (args[0].is_array()) {
          for (auto& v : args[0]) v = Vals(model, v);
        } else {
          args[0] = Vals(model, args[0]);
        }
      }
    } else if (!args.empty()) {
      args[0] = MapIds(model, args[0]);
      if (method == "write" && args.size() > 1) args[1] = Vals(model, args[1]);
    }
    if (method == "write" && kwargs.is_object() && kwargs.contains("vals"))
      kwargs["vals"] = Vals(model, kwargs["vals"]);
    if (kwargs.is_object() && kwargs.contains("context"))
      kwargs["context"] = Context(model, kwargs["context"]);
  }

  void Learn(const std::string& model, int want, int got) { ids_[{model, want}] = got; }

  // Learns ids from a recorded answer and the emulator's, walking them side by side.
  void LearnRows(const std::string& model, const json& want, const json& got) {
    if (!want.is_array() || !got.is_array()) return;
    for (size_t i = 0; i < std::min(want.size(), got.size()); ++i) {
      const json& w = want[i];
      const json& g = got[i];
      if (w.is_number_integer() && g.is_number_integer()) Learn(model, w.get<int>(), g.get<int>());
      if (!w.is_object() || !g.is_object()) continue;
      for (auto it = w.begin(); it != w.end(); ++it) {
        if (!g.contains(it.key())) continue;
        const json& gv = g[it.key()];
        if (it.key() == "id" && it->is_number_integer() && gv.is_number_integer()) {
          Learn(model, it->get<int>(), gv.get<int>());
          continue;
        }
        const std::string co = emu_.FieldComodel(model, it.key());
        if (co.empty() || !it->is_array() || !gv.is_array()) continue;
        const bool pair = it->size() == 2 && (*it)[1].is_string();
        if (pair && gv.size() == 2) {
          Learn(co, (*it)[0].get<int>(), gv[0].get<int>());
        } else if (!pair && it->size() == gv.size()) {
          for (size_t k = 0; k < it->size(); ++k) {
            if ((*it)[k].is_number_integer() && gv[k].is_number_integer())
              Learn(co, (*it)[k].get<int>(), gv[k].get<int>());
          }
        }
      }
    }
  }

  // Compares values that must match: states, quantities, scalar results, x2many sizes.
  void CompareValues(const json& want, const json& got, const std::string& path) {
    if (want.is_object() && got.is_object()) {
      for (auto it = want.begin(); it != want.end(); ++it) {
        if (!got.contains(it.key())) continue;
        const json& g = got[it.key()];
        const std::string sub = path + "." + it.key();
        if (kExact.count(it.key()) && !it->is_object() && !it->is_array()) {
          INFO(sub);
          CHECK(g == *it);
        } else if (it->is_array() && g.is_array() && it.key().size() > 4 &&
                   it.key().substr(it.key().size() - 4) == "_ids") {
          INFO(sub);
          CHECK(g.size() == it->size());
        } else if (it->is_object() || it->is_array()) {
          CompareValues(*it, g, sub);
        }
      }
    } else if (want.is_array() && got.is_array()) {
      INFO(path);
      CHECK(got.size() == want.size());
      for (size_t i = 0; i < std::min(want.size(), got.size()); ++i) {
        CompareValues(want[i], got[i], path + "[" + std::to_string(i) + "]");
      }
    }
  }

  // JSON-2's named arguments, translated into the emulator's ids.
  void Named(const std::string& model, json& body) const {
    if (!body.is_object()) return;
    if (body.contains("ids")) body["ids"] = MapIds(model, body["ids"]);
    if (body.contains("domain")) body["domain"] = Domain(model, body["domain"]);
    if (body.contains("vals_list") && body["vals_list"].is_array()) {
      for (auto& v : body["vals_list"]) v = Vals(model, v);
    }
    if (body.contains("vals")) body["vals"] = Vals(model, body["vals"]);
    if (body.contains("context")) body["context"] = Context(model, body["context"]);
  }

  // Compares what a business or ORM method returned, and learns the ids it introduces.
  void CompareResult(const std::string& model, const std::string& method, const json& w,
                     const json& g, const std::string& path) {
    if (method == "create") {
      if (w.is_number_integer() && g.is_number_integer()) Learn(model, w.get<int>(), g.get<int>());
      LearnRows(model, w, g);
    } else if (method == "read" || method == "search_read" || method == "search") {
      LearnRows(model, w, g);
      CompareValues(w, g, "$");
    } else if (!w.is_object() && !w.is_array() && !model.empty()) {
      CHECK(g == w);  // business methods: True, False, uids
    } else if (w.is_object() && !model.empty()) {
      CompareValues(w, g, "$");  // action dicts
      // An action that opens a record (a return picking, a wizard) introduces its id.
      if (w.contains("res_id") && w["res_id"].is_number_integer() && g.is_object() &&
          g.contains("res_id") && g["res_id"].is_number_integer() && w.contains("res_model")) {
        Learn(w["res_model"], w["res_id"].get<int>(), g["res_id"].get<int>());
      }
    } else if (path == "/jsonrpc" && !w.is_object()) {
      CHECK(g == w);  // common.login / authenticate
    }
  }

  // An error's class and (digits masked) text.
  static void CompareError(const json& want, const json& got) {
    CHECK(got["name"] == want["name"]);
    static const std::set<std::string> kFreeText = {"psycopg2.OperationalError",
                                                    "json.decoder.JSONDecodeError"};
    if (!kFreeText.count(want["name"])) {
      // Document numbers may differ ("S00025" here, "S00001" there): digits are masked.
      CHECK(MaskDigits(got["message"]) == MaskDigits(want["message"]));
    }
  }

  // One JSON-2 exchange (Odoo 19): bare bodies, real statuses.
  void ReplayJson2(const json& e, HttpRequest& req) {
    const std::string rest = req.path.substr(std::string("/json/2/").size());
    const std::string model = rest.substr(0, rest.find('/'));
    const std::string method =
        rest.find('/') == std::string::npos ? "" : rest.substr(rest.find('/') + 1);
    json request = e["request"];
    Named(model, request);
    req.body = request.is_null()     ? ""
               : request.is_string() ? request.get<std::string>()
                                     : request.dump();
    const json headers = e.value("request_headers", json::object());
    const std::string auth = headers.value("Authorization", "");
    req.authorization = auth == "bearer <api-key>" ? "bearer " + api_key_ : auth;
    req.database = headers.value("X-Odoo-Database", "");
    req.content_type = headers.value("Content-Type", "");
    HttpResponse res = emu_.Handle(req);
    CHECK(res.status == e["http_status"].get<int>());
    const json& want = e["response"];
    if (want.is_string()) {  // werkzeug's HTML pages
      CHECK(testing::Contains(res.body, "<title>" + std::to_string(res.status)));
      return;
    }
    json got = json::parse(res.body, nullptr, false);
    REQUIRE_FALSE(got.is_discarded());
    CHECK(ShapeDiff(want, got, "$") == "");
    if (e["http_status"].get<int>() != 200) {
      CompareError(want, got);
      const json recorded_headers = e.value("response_headers", json::object());
      if (recorded_headers.contains("WWW-Authenticate")) {
        const std::string challenge = recorded_headers["WWW-Authenticate"];
        bool sent = false;
        for (const auto& [name, value] : res.headers)
          sent = sent || (name == "WWW-Authenticate" && value == challenge);
        CHECK(sent);
      }
      return;
    }
    CompareResult(model, method, want, got, req.path);
  }

  int Replay(const json& exchanges, const std::string& label) {
    int replayed = 0;
    for (const json& e : exchanges) {
      INFO(label << ": " << e.value("step", "") << " (" << e["endpoint"].get<std::string>() << ")");
      HttpRequest req;
      req.method = e.value("http_method", "POST");
      req.path = e["endpoint"];
      if (req.path.rfind("/json/2/", 0) == 0 || req.path == "/json/2") {
        ReplayJson2(e, req);
        ++replayed;
        continue;
      }
      std::string model, method;
      json request = e["request"];
      if (request.is_object() && request.contains("params")) {
        json& p = request["params"];
        if (p.is_object() && p.value("service", "") == "object" && p["args"].size() >= 6) {
          json& a = p["args"];
          model = a[3];
          method = a[4];
          json kwargs = a.size() > 6 ? a[6] : json::object();
          Call(model, method, a[5], kwargs);
          if (a.size() > 6) a[6] = kwargs;
        } else if (p.is_object() && p.contains("model") && p.contains("method")) {
          model = p["model"];
          method = p["method"];
          if (!p.contains("kwargs")) p["kwargs"] = json::object();
          Call(model, method, p["args"], p["kwargs"]);
        }
      }
      std::string body = request.is_string() ? request.get<std::string>() : request.dump();
      for (size_t pos; (pos = body.find("\"<password>\"")) != std::string::npos;) {
        body.replace(pos, 12, "\"" + password_ + "\"");
      }
      for (size_t pos; (pos = body.find("\"<api-key>\"")) != std::string::npos;) {
        body.replace(pos, 11, "\"" + api_key_ + "\"");
      }
      req.body = request.is_null() ? "" : body;
      if (e["request_headers"].contains("Cookie")) {
        const std::string recorded = e["request_headers"]["Cookie"];
        req.cookie = recorded == "session_id=<session>" ? cookie_ : recorded;
      }
      HttpResponse res = emu_.Handle(req);
      ++replayed;
      CHECK(res.status == e["http_status"].get<int>());
      for (const auto& [k, v] : res.headers) {
        if (k == "Set-Cookie" && v.rfind("session_id=", 0) == 0) cookie_ = v.substr(0, v.find(';'));
      }
      const json& want = e["response"];
      if (want.is_string()) {
        if (res.status == 404) {
          CHECK(testing::Contains(res.body, "<html"));
        } else {
          CHECK(res.body == want.get<std::string>());
        }
        continue;
      }
      json got = json::parse(res.body, nullptr, false);
      REQUIRE_FALSE(got.is_discarded());
      CHECK(ShapeDiff(want, got, "$") == "");
      if (!want.contains("jsonrpc")) {
        CHECK(got == want);  // /web/health
        continue;
      }
      CHECK(got.contains("result") == want.contains("result"));
      CHECK(got["id"] == want["id"]);
      if (want.contains("error")) {
        CHECK(got.contains("error"));
        if (!got.contains("error")) continue;
        CHECK(got["error"]["code"] == want["error"]["code"]);
        CHECK(got["error"]["message"] == want["error"]["message"]);
        CompareError(want["error"]["data"], got["error"]["data"]);
        continue;
      }
      if (!want.contains("result")) continue;
      CompareResult(model, method, want["result"], got["result"], req.path);
    }
    return replayed;
  }

 private:
  OdooEmulator& emu_;
  const std::string password_;
  const std::string api_key_;
  std::string cookie_;
  std::map<std::pair<std::string, int>, int> ids_;
};

// Every recording file, as (version folder, file).
std::vector<std::pair<fs::path, fs::path>> Recordings() {
  std::vector<std::pair<fs::path, fs::path>> out;
  const fs::path root(ODOO_TRANSCRIPTS_DIR);
  for (const auto& d : fs::directory_iterator(root)) {
    if (!d.is_directory()) continue;
    for (const auto& f : fs::directory_iterator(d.path())) {
      if (f.path().extension() == ".json" && f.path().filename() != "meta.json")
        out.push_back({d.path(), f.path()});
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

TEST_CASE("the recordings: four versions, every file listed in its meta.json",
          "[emulator][contract]") {
  std::map<std::string, std::set<std::string>> found;
  for (const auto& [dir, file] : Recordings()) found[dir.filename()].insert(file.filename());
  CHECK(found.size() == 4);  // 16.0 to 19.0
  for (const auto& [version, files] : found) {
    INFO("version " << version);
    const auto& supported = SupportedVersions();
    // A recording of a version the emulator cannot impersonate is a failure, not a skip.
    CHECK(std::find(supported.begin(), supported.end(), version) != supported.end());
    const json meta = ReadJson(fs::path(ODOO_TRANSCRIPTS_DIR) / version / "meta.json");
    std::set<std::string> listed;
    for (const auto& f : meta["files"]) listed.insert(f.get<std::string>());
    CHECK(files == listed);
  }
}

TEST_CASE("every recorded exchange replays against the matching personality",
          "[emulator][contract]") {
  static const auto recordings = Recordings();
  REQUIRE(recordings.size() >= 4 * 7);
  const size_t i = GENERATE(range(size_t{0}, recordings.size()));
  const auto& [dir, file] = recordings[i];
  const std::string version = dir.filename();
  INFO("version " << version);
  const json meta = ReadJson(dir / "meta.json");
  EmulatorOptions options = testing::Personality(version, "pw", meta["database"]);
  options.api_key = "contract-test-key";
  options.probe_data = false;  // the recordings' databases: the demo data, no probe data
  // The database's settings when this file was recorded, where the notes say they changed.
  if (meta.contains("emulator_settings")) {
    const json& s = meta["emulator_settings"];
    const json chosen = s["files"].value(file.filename().string(), s["default"]);
    if (chosen.contains("work_orders")) options.work_orders = chosen["work_orders"].get<bool>();
  }
  OdooEmulator emu(options);
  Replayer replayer(emu, "pw", options.api_key);
  const json exchanges = ReadJson(file);
  // Every exchange of every file is replayed: none is skipped.
  const int n = replayer.Replay(exchanges, version + "/" + file.filename().string());
  CHECK(n == static_cast<int>(exchanges.size()));
  CHECK(n > 0);
}

}  // namespace
}  // namespace odoo_prober::emulator
