// The journey language: expressions, load-time validation with positions, the built-in
// catalog, user journey folders.
#include <catch2/catch.hpp>

#include "scenarios/expr.h"
#include "scenarios/journey.h"
#include "tests/support/support.h"

namespace odoo_prober::scenarios {
namespace {

using testing::Contains;

TEST_CASE("JSON paths", "[scenarios]") {
  const json doc = json::parse(R"([{"id": 7, "picking_ids": [3, 4], "ctx": {"a": {"b": 1}}}])");
  CHECK(*JsonPath::Parse("$")->Find(doc) == doc);
  CHECK(*JsonPath::Parse("$[0].id")->Find(doc) == 7);
  CHECK(*JsonPath::Parse("$[0].picking_ids[1]")->Find(doc) == 4);
  CHECK(*JsonPath::Parse("$[0].ctx.a.b")->Find(doc) == 1);
  CHECK(JsonPath::Parse("$[1].id")->Find(doc) == nullptr);
  for (const char* bad : {"", "[0]", "$[x]", "$.", "$[0", "$..a", "$ a"}) {
    INFO(bad);
    CHECK_FALSE(JsonPath::Parse(bad).ok());
  }
}

TEST_CASE("templates keep types whole and interpolate inside text", "[scenarios]") {
  Scope scope;
  scope.params["qty"] = 2;
  scope.vars["order_id"] = 42;
  scope.vars["action"] = json{{"context", {{"default_pick_ids", {{4, 9}}}}}};
  scope.run_id = "abc";
  scope.run_tag = "probe-abc";
  scope.today = "2026-11-21";
  auto e =
      Expand(json::parse(R"({"ids": ["${var.order_id}"], "qty": "${param.qty}", "ref": "${run.tag}",
                                  "note": "order ${var.order_id} on ${today}", "ctx": "${var.action.context}"})"),
             scope);
  REQUIRE(e.ok());
  CHECK((*e)["ids"][0] == 42);
  CHECK((*e)["qty"] == 2);
  CHECK((*e)["ref"] == "probe-abc");
  CHECK((*e)["note"] == "order 42 on 2026-11-21");
  CHECK((*e)["ctx"]["default_pick_ids"][0][1] == 9);
  CHECK_FALSE(Expand(json("${var.missing}"), scope).ok());
  CHECK_FALSE(TemplateRefs(json("${nope.x}")).ok());
  CHECK_FALSE(TemplateRefs(json("${var.x")).ok());
}

TEST_CASE("when conditions", "[scenarios]") {
  Scope scope;
  scope.odoo_version = 17;
  scope.params["mode"] = "partial";
  scope.params["qty"] = 3;
  scope.params["all"] = 5;
  CHECK(Condition::Parse("odoo_version >= 17")->Eval(scope));
  CHECK_FALSE(Condition::Parse("odoo_version < 17")->Eval(scope));
  CHECK(Condition::Parse("param.mode == 'partial' and odoo_version < 19")->Eval(scope));
  CHECK(Condition::Parse("param.qty < param.all")->Eval(scope));
  CHECK(Condition::Parse("odoo_version == 16 or param.mode != 'full'")->Eval(scope));
  CHECK_FALSE(Condition::Parse("odoo_version >=").ok());
  CHECK_FALSE(Condition::Parse("odoo_version => 17").ok());
  CHECK_FALSE(Condition::Parse("version >= 17").ok());
  CHECK_FALSE(Condition::Parse("odoo_version >= 17 and").ok());
}

TEST_CASE("the built-in journeys and recipes load", "[scenarios]") {
  auto catalog = LoadJourneys();
  REQUIRE(catalog.ok());
  for (const char* name : {"login", "sales_order_confirmation", "work_order_release",
                           "goods_receipt", "invoice_validation"}) {
    INFO(name);
    const Journey* j = catalog->Find(name);
    REQUIRE(j != nullptr);
    CHECK(j->builtin);
    CHECK_FALSE(j->steps.empty());
  }
  for (const char* model :
       {"sale.order", "purchase.order", "stock.picking", "mrp.production", "account.move"}) {
    CHECK(catalog->recipes.count(model) == 1);
  }
}

// The one error of a journey document.
JourneyError OneError(const std::string& text) {
  auto j = ParseJourney(text, "j.yaml");
  REQUIRE_FALSE(j.ok());
  const std::string msg = j.status().message();
  INFO(msg);
  CHECK(msg.find('\n') == std::string::npos);
  // "j.yaml:LINE:COL: field: message"
  JourneyError e;
  const auto c1 = msg.find(':'), c2 = msg.find(':', c1 + 1), c3 = msg.find(':', c2 + 1);
  e.pos = {msg.substr(0, c1), std::stoi(msg.substr(c1 + 1, c2 - c1 - 1)),
           std::stoi(msg.substr(c2 + 1, c3 - c2 - 1))};
  e.message = msg.substr(c3 + 2);
  return e;
}

constexpr const char* kBase = R"(name: custom
params:
  ref: {default: DECO, type: string}
steps:
  - name: login
    authenticate: {}
  - name: find
    search_read: {model: res.partner, domain: [[ref, "=", "${param.ref}"]], fields: [id], limit: 1}
    save: {partner_id: "$[0].id"}
  - name: read
    read: {model: res.partner, ids: ["${var.partner_id}"], fields: [name]}
)";

std::string With(const std::string& from, const std::string& to) {
  std::string text = kBase;
  const auto pos = text.find(from);
  REQUIRE(pos != std::string::npos);
  return text.replace(pos, from.size(), to);
}

TEST_CASE("load-time validation names file, line and a fix", "[scenarios]") {
  REQUIRE(ParseJourney(kBase, "j.yaml").ok());
  SECTION("unknown step kind") {
    auto e = OneError(With("    authenticate: {}", "    authenticat: {}"));
    CHECK(e.pos.file == "j.yaml");
    CHECK(e.pos.line == 6);
    CHECK(Contains(e.message, "did you mean 'authenticate'?"));
  }
  SECTION("undefined variable") {
    auto e = OneError(With("${var.partner_id}", "${var.partner}"));
    CHECK(e.pos.line == 11);
    CHECK(
        Contains(e.message,
                 "variable 'partner' is not defined before this step; did you mean 'partner_id'?"));
  }
  SECTION("variable used before the step that saves it") {
    auto e =
        OneError(With("[[ref, \"=\", \"${param.ref}\"]]", "[[id, \"=\", \"${var.partner_id}\"]]"));
    CHECK(e.pos.line == 8);
    CHECK(Contains(e.message, "not defined before this step"));
  }
  SECTION("malformed JSON path") {
    auto e = OneError(With("\"$[0].id\"", "\"$[0.id\""));
    CHECK(e.pos.line == 9);
    CHECK(Contains(e.message, "malformed JSON path"));
  }
  SECTION("undeclared parameter") {
    auto e = OneError(With("${param.ref}", "${param.reference}"));
    CHECK(e.pos.line == 8);
    CHECK(Contains(e.message, "parameter 'reference' is not declared"));
  }
  SECTION("wrong type: a default that does not match its type") {
    auto e = OneError(With("{default: DECO, type: string}", "{default: DECO, type: integer}"));
    CHECK(e.pos.line == 3);
    CHECK(Contains(e.message, "not of type integer"));
  }
  SECTION("wrong type: args must be a list") {
    auto e = OneError(With("    authenticate: {}",
                           "    call: {model: res.partner, method: search, args: {x: 1}}"));
    CHECK(e.pos.line == 6);
    CHECK(Contains(e.message, "must be a list"));
  }
  SECTION("wrong type: limit") {
    auto e = OneError(With("limit: 1}", "limit: one}"));
    CHECK(e.pos.line == 8);
    CHECK(Contains(e.message, "must be an integer"));
  }
  SECTION("malformed when") {
    auto e = OneError(
        With("    authenticate: {}", "    authenticate: {}\n    when: odoo_version =< 17"));
    CHECK(e.pos.line == 7);
    CHECK(Contains(e.message, "unknown operator"));
  }
  SECTION("expectation without an operator") {
    auto e =
        OneError(With("    save: {partner_id: \"$[0].id\"}",
                      "    save: {partner_id: \"$[0].id\"}\n    expect: [{path: \"$[0].id\"}]"));
    CHECK(e.pos.line == 10);
    CHECK(Contains(e.message, "needs exactly one of"));
  }
}

TEST_CASE("parameters given by a config are checked", "[scenarios]") {
  auto j = ParseJourney(With("{default: DECO, type: string}", "{type: string, required: true}"),
                        "j.yaml");
  REQUIRE(j.ok());
  const config::SourcePos where{"prober.yaml", 12, 5};
  SECTION("missing required parameter") {
    auto errors = CheckParams(*j, json::object(), where, "journeys[0].params");
    REQUIRE(errors.size() == 1);
    CHECK(errors[0].ToString() ==
          "prober.yaml:12:5: journeys[0].params.ref: journey custom requires parameter 'ref'; set "
          "it under params:");
  }
  SECTION("wrong type and unknown name") {
    auto errors = CheckParams(*j, json{{"ref", 3}, {"rf", "x"}}, where, "journeys[0].params");
    REQUIRE(errors.size() == 2);
    CHECK(Contains(errors[0].ToString() + errors[1].ToString(), "must be of type string"));
    CHECK(Contains(errors[0].ToString() + errors[1].ToString(), "did you mean 'ref'?"));
  }
  CHECK(CheckParams(*j, json{{"ref", "AZURE"}}, where, "p").empty());
}

TEST_CASE("user journey folders add and replace journeys", "[scenarios]") {
  testing::TempDir dir;
  dir.Write("custom.yaml", kBase);
  dir.Write(
      "login.yaml",
      "name: login\ndescription: site-specific login\nsteps:\n  - name: a\n    authenticate: {}\n");
  auto catalog = LoadJourneys({dir.path()});
  REQUIRE(catalog.ok());
  REQUIRE(catalog->Find("custom") != nullptr);
  CHECK_FALSE(catalog->Find("custom")->builtin);
  CHECK(catalog->Find("login")->description == "site-specific login");
  dir.Write("broken.yaml", "name: broken\nsteps:\n  - name: x\n    kall: {}\n");
  auto broken = LoadJourneys({dir.path()});
  REQUIRE_FALSE(broken.ok());
  CHECK(Contains(broken.status().message(), dir.path() + "/broken.yaml:4:5"));
}

}  // namespace
}  // namespace odoo_prober::scenarios
