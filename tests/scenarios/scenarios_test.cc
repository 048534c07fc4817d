// The journey language: expressions, load-time validation with positions, the built-in
// catalog, user journey folders.
#include <algorithm>
#include <catch2/catch.hpp>
#include <functional>
#include <map>

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

// Found by fuzzing (tests/data/fuzz/*/regression-*): each once threw out of the parser.
TEST_CASE("fuzz regressions: huge indexes and bytes that are not UTF-8 are errors, not throws",
          "[scenarios]") {
  const auto huge = JsonPath::Parse("$[77777777777777777777777770].a");
  REQUIRE_FALSE(huge.ok());
  CHECK(Contains(huge.status().message(), "more than 9 digits"));
  Scope scope;
  scope.vars["list"] = json::array({1, 2});
  CHECK_FALSE(Expand(json("${var.list.99999999999999999999999}"), scope).ok());
  // A journey whose expect value holds a byte that is not UTF-8 is refused at that byte.
  const std::string journey =
      "name: j\nservice: access\nsteps:\n  - name: a\n    authenticate: {}\n"
      "    expect: [{path: \"$.x\", equals: \"caf\xc3\"}]\n";
  const auto j = ParseJourney(journey, "j.yaml");
  REQUIRE_FALSE(j.ok());
  CHECK(Contains(j.status().message(), "j.yaml:6:40: the file is not UTF-8 here (byte 0xC3)"));
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

TEST_CASE("the |ids filter turns many2one values as read into ids", "[scenarios]") {
  Scope scope;
  // What Odoo 16's onchange of the return wizard answers.
  scope.vars["values"] = json::parse(R"({"picking_id": [46, "WH/IN/00017"],
      "product_return_moves": [[5, 0, 0], [0, 0, {"product_id": [5, "[FURN_7777] Office Chair"],
                                                  "quantity": 5.0, "move_id": [130, "P1/F: A>B"]}]],
      "company_id": [1, "My Company"], "location_id": false, "pick_ids": [[4, 48]]})");
  auto e = Expand(json("${var.values|ids}"), scope);
  REQUIRE(e.ok());
  CHECK((*e)["picking_id"] == 46);
  CHECK((*e)["product_return_moves"][0] == json::array({5, 0, 0}));
  CHECK((*e)["product_return_moves"][1][2]["product_id"] == 5);
  CHECK((*e)["product_return_moves"][1][2]["move_id"] == 130);
  CHECK((*e)["product_return_moves"][1][2]["quantity"] == 5.0);
  CHECK((*e)["location_id"] == false);
  CHECK((*e)["pick_ids"] == json::parse("[[4, 48]]"));  // commands are not pairs of id and name
  CHECK(Expand(json("${var.values.picking_id}"), scope)->is_array());  // unfiltered as read
  auto bad = TemplateRefs(json("${var.values|names}"));
  REQUIRE_FALSE(bad.ok());
  CHECK(Contains(bad.status().message(), "unknown filter 'names'"));
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
  // Paths into variables; a missing element is null.
  scope.vars["ids"] = json::array({7});
  scope.vars["none"] = json::array();
  CHECK(Condition::Parse("var.ids.0 != null")->Eval(scope));
  CHECK(Condition::Parse("var.none.0 == null")->Eval(scope));
  CHECK(Condition::Parse("var.ids.0 == null")->Refs().at(0).name == "ids");
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
    // Each proves one of the business services.
    CHECK(std::count(config::KnownServices().begin(), config::KnownServices().end(), j->service) ==
          1);
  }
  CHECK(catalog->Find("sales_order_confirmation")->service == "order-to-cash");
  CHECK(catalog->Find("goods_receipt")->service == "procure-to-pay");
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
  CHECK(ParseJourney(kBase, "j.yaml")->service.empty());
  auto declared =
      ParseJourney(With("name: custom\n", "name: custom\nservice: warehouse\n"), "j.yaml");
  REQUIRE(declared.ok());
  CHECK(declared->service == "warehouse");
  SECTION("unknown step kind") {
    auto e = OneError(With("    authenticate: {}", "    authenticat: {}"));
    CHECK(e.pos.file == "j.yaml");
    CHECK(e.pos.line == 6);
    CHECK(Contains(e.message, "did you mean 'authenticate'?"));
  }
  SECTION("a service name that is not one") {
    auto e = OneError(With("name: custom\n", "name: custom\nservice: Order_to_cash\n"));
    CHECK(e.pos.line == 2);
    CHECK(Contains(e.message, "service: 'Order_to_cash' is not a service name"));
    CHECK(Contains(e.message, "order-to-cash"));
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
  SECTION("a check step: expectations on variables, no call") {
    REQUIRE(ParseJourney(With("  - name: read\n",
                              "  - name: found\n    check: [{var: partner_id, gt: 0}]\n"
                              "  - name: read\n"),
                         "j.yaml")
                .ok());
    auto e =
        OneError(With("  - name: read\n",
                      "  - name: found\n    check: [{var: partner, gt: 0}]\n  - name: read\n"));
    CHECK(e.pos.line == 11);
    CHECK(Contains(e.message, "variable 'partner' is not defined"));
  }
  SECTION("a context is a mapping, a template or a list of them") {
    REQUIRE(ParseJourney(With("fields: [name]}",
                              "fields: [name], context: [{a: 1}, \"${var.partner_id}\"]}"),
                         "j.yaml")
                .ok());
    auto e = OneError(With("fields: [name]}", "fields: [name], context: [1, 2]}"));
    CHECK(e.pos.line == 11);
    CHECK(Contains(e.message, "or a list of them (merged in order)"));
  }
  SECTION("two step kinds") {
    auto e = OneError(With("    authenticate: {}", "    authenticate: {}\n    check: []"));
    CHECK(e.pos.line == 5);
    CHECK(Contains(e.message,
                   "more than one step kind; use one of authenticate, call, "
                   "search_read, read, check, cleanup"));
  }
}

// A user journey that creates a purchase order and registers it, with one more step `extra`
// (its lines indented as a step of the list).
std::string HarmJourney(const std::string& extra) {
  return std::string(R"(name: custom
steps:
  - name: login
    authenticate: {}
  - name: create_order
    call: {model: purchase.order, method: create, args: [{partner_id: 1, partner_ref: "${run.tag}"}]}
    save: {order_id: $}
    record: {model: purchase.order, id: "${var.order_id}"}
  - name: read_order
    read: {model: purchase.order, ids: ["${var.order_id}"], fields: [picking_ids]}
    save: {picking_id: "$[0].picking_ids[0]"}
  - name: find_vendor
    search_read: {model: res.partner, domain: [[ref, "=", AZURE]], fields: [id], limit: 1}
    save: {vendor_id: "$[0].id"}
)") + extra;
}

TEST_CASE("a journey file that is not UTF-8 is refused at its line and column, never a crash",
          "[scenarios]") {
  // Found by fuzzing: a byte that is not UTF-8 in the ids of a write reached the harm check's
  // message, and nlohmann::json threw out of the loader (type_error 316).
  const std::string journey = HarmJourney(
      "  - name: drop\n    call: {model: res.partner, method: unlink, args: "
      "[\"Soci\xe9t\xe9\"]}\n");
  const size_t bad = journey.find('\xe9');
  const int line = 1 + static_cast<int>(std::count(journey.begin(), journey.begin() + bad, '\n'));
  const int column = static_cast<int>(bad - journey.rfind('\n', bad));
  const std::string at = "j.yaml:" + std::to_string(line) + ":" + std::to_string(column) + ": ";
  for (const bool recipes : {false, true}) {
    const prober::Status s = recipes ? ParseRecipes(journey, "j.yaml").status()
                                     : ParseJourney(journey, "j.yaml").status();
    INFO(s.message());
    REQUIRE_FALSE(s.ok());
    CHECK(Contains(s.message(), at + "the file is not UTF-8 here (byte 0xE9)"));
  }
}

TEST_CASE("a user journey that could do harm is refused, unless a step says why not",
          "[scenarios]") {
  // What the journey owns: the order it registered and what it read from it.
  REQUIRE(ParseJourney(HarmJourney(R"(  - name: rename_order
    call: {model: purchase.order, method: write, args: [["${var.order_id}"], {notes: x}]}
  - name: touch_receipt
    call: {model: stock.picking, method: write, args: [["${var.picking_id}"], {origin: x}]}
  - name: read_user
    read: {model: res.users, ids: ["${var.uid}"], fields: [name]}
)"),
                       "j.yaml")
              .ok());
  struct Case {
    const char* name;
    std::string step;
    const char* says;
  };
  const std::vector<Case> cases = {
      {"a create nothing cleans up",
       "  - name: leak\n    call: {model: purchase.order, method: create, args: [{partner_id: "
       "1}]}\n",
       "purchase.order.create, which creates a record nothing cleans up"},
      {"a copy nothing cleans up",
       "  - name: dup\n    call: {model: purchase.order, method: copy, args: "
       "[[\"${var.order_id}\"]]}\n",
       "purchase.order.copy, which creates a record nothing cleans up"},
      {"a write on a record the journey did not create",
       "  - name: rename_vendor\n    call: {model: res.partner, method: write, "
       "args: [[\"${var.vendor_id}\"], {name: AZURE2}]}\n",
       "res.partner.write, which changes records the journey did not create (variable vendor_id)"},
      {"an unlink by literal id",
       "  - name: drop\n    call: {model: res.partner, method: unlink, args: [[7]]}\n",
       "res.partner.unlink, which deletes records the journey did not create (ids [7])"},
      {"a settings model",
       "  - name: settings\n    call: {model: res.config.settings, method: execute, args: [[1]]}\n",
       "res.config.settings.execute, which changes the database's settings"},
      {"a system parameter",
       "  - name: param\n    call: {model: ir.config_parameter, method: set_param, "
       "args: [x, y]}\n",
       "ir.config_parameter.set_param"},
      {"a company write",
       "  - name: company\n    call: {model: res.company, method: write, args: [[1], {name: x}]}\n",
       "res.company.write, which changes a company"},
      {"a wizard button that turns SMS off company-wide",
       "  - name: validate\n    call: {model: stock.picking, method: button_validate, "
       "args: [[\"${var.picking_id}\"]]}\n    on_action:\n      confirm.stock.sms:\n"
       "        - name: wizard\n          call: {model: confirm.stock.sms, method: create, "
       "args: [{}]}\n          save: {wizard_id: $}\n"
       "        - name: no_sms\n          call: {model: confirm.stock.sms, method: dont_send_sms, "
       "args: [[\"${var.wizard_id}\"]]}\n",
       "presses confirm.stock.sms.dont_send_sms, which turns the company's SMS confirmation"},
  };
  for (const auto& c : cases) {
    INFO(c.name);
    auto j = ParseJourney(HarmJourney(c.step), "j.yaml");
    REQUIRE_FALSE(j.ok());
    const std::string msg = j.status().message();
    INFO(msg);
    CHECK(msg.find('\n') == std::string::npos);  // one problem, one line
    CHECK(Contains(msg, "j.yaml:"));
    CHECK(Contains(msg, c.says));
    CHECK(Contains(msg, "harmless: \"<why>\""));
    // Said why, it loads, and the reason is kept.
    std::string step = c.step;
    const std::string last_name = "        - name: no_sms\n";
    const auto at = step.find(last_name);
    if (at != std::string::npos) {
      step.insert(step.find('\n', step.find("dont_send_sms", at)) + 1,
                  "          harmless: \"a lab database\"\n");
    } else {
      step.insert(step.find('\n') + 1, "    harmless: \"a lab database\"\n");
    }
    auto marked = ParseJourney(HarmJourney(step), "j.yaml");
    INFO(step);
    REQUIRE(marked.ok());
    bool kept = false;
    std::function<void(const Steps&)> find = [&](const Steps& steps) {
      for (const auto& s : steps) {
        kept = kept || s.harmless == "a lab database";
        for (const auto& [m, inner] : s.on_action) find(inner);
      }
    };
    find(marked->steps);
    CHECK(kept);
  }
  // An empty reason is no reason.
  CHECK_FALSE(ParseJourney(HarmJourney("  - name: leak\n    call: {model: purchase.order, method: "
                                       "create, args: [{}]}\n    harmless: \"\"\n"),
                           "j.yaml")
                  .ok());
}

TEST_CASE("compare: fields of the records a journey registers", "[scenarios]") {
  const std::string creates = std::string(kBase) +
                              "  - name: create\n"
                              "    call: {model: sale.order, method: create, args: [{}]}\n"
                              "    save: {order_id: $}\n"
                              "    record: {model: sale.order, id: \"${var.order_id}\"}\n";
  auto ok = ParseJourney(creates +
                             "compare:\n"
                             "  - {model: sale.order, field: amount_tax, tolerance: 0.01}\n"
                             "  - {model: sale.order, field: amount_total, tolerance: 0.5%}\n"
                             "  - {model: sale.order, field: name, pattern: \"^S\\\\d+$\"}\n",
                         "j.yaml");
  REQUIRE(ok.ok());
  REQUIRE(ok->compare.size() == 3);
  CHECK(ok->compare[0].tolerance == Approx(0.01));
  CHECK_FALSE(ok->compare[0].relative);
  CHECK(ok->compare[1].tolerance == Approx(0.005));
  CHECK(ok->compare[1].relative);
  CHECK(ok->compare[2].pattern == "^S\\d+$");
  SECTION("a model no step registers") {
    auto e = OneError(creates + "compare:\n  - {model: account.move, field: state}\n");
    CHECK(e.pos.line == 17);
    CHECK(Contains(e.message, "no step registers a account.move record"));
    CHECK(Contains(e.message, "it registers sale.order"));
  }
  SECTION("a tolerance that is not a number") {
    auto e = OneError(creates + "compare:\n  - {model: sale.order, field: x, tolerance: tiny}\n");
    CHECK(e.pos.line == 17);
    CHECK(Contains(e.message, "tolerance: must be a number"));
  }
  SECTION("a pattern that is not a regular expression") {
    auto e = OneError(creates + "compare:\n  - {model: sale.order, field: x, pattern: \"(\"}\n");
    CHECK(Contains(e.message, "is not a valid regular expression"));
  }
  SECTION("both tolerance and pattern") {
    auto e = OneError(creates +
                      "compare:\n  - {model: sale.order, field: x, tolerance: 1, pattern: a}\n");
    CHECK(Contains(e.message, "not both"));
  }
}

TEST_CASE("the built-in journeys that create records declare what compare checks", "[scenarios]") {
  auto catalog = LoadJourneys();
  REQUIRE(catalog.ok());
  for (const char* name :
       {"sales_order_confirmation", "work_order_release", "goods_receipt", "invoice_validation"}) {
    INFO(name);
    CHECK_FALSE(catalog->Find(name)->compare.empty());
  }
  const auto& sales = catalog->Find("sales_order_confirmation")->compare;
  CHECK(std::any_of(sales.begin(), sales.end(),
                    [](const auto& c) { return c.field == "amount_tax" && c.tolerance > 0; }));
}

TEST_CASE("stock: the products a journey moves, named by its parameters", "[scenarios]") {
  auto ok = ParseJourney(std::string(kBase) +
                             "stock:\n  - {param: ref, effect: receipt}\n"
                             "  - {param: ref, field: barcode, effect: production}\n",
                         "j.yaml");
  REQUIRE(ok.ok());
  REQUIRE(ok->stock.size() == 2);
  CHECK(ok->stock[0].param == "ref");
  CHECK(ok->stock[0].field == "default_code");
  CHECK(ok->stock[0].effect == StockUse::Effect::kReceipt);
  CHECK(ok->stock[1].field == "barcode");
  CHECK(EffectName(ok->stock[1].effect) == "production");
  SECTION("a parameter the journey does not declare") {
    auto e = OneError(std::string(kBase) + "stock:\n  - {param: product, effect: delivery}\n");
    CHECK(e.pos.line == 13);
    CHECK(
        Contains(e.message, "stock[0].param: the journey has no parameter 'product'; it has ref"));
  }
  SECTION("an effect it does not know") {
    auto e = OneError(std::string(kBase) + "stock:\n  - {param: ref, effect: shipping}\n");
    CHECK(Contains(e.message, "stock[0].effect: must be receipt"));
  }
  SECTION("the effect is required") {
    auto e = OneError(std::string(kBase) + "stock:\n  - {param: ref}\n");
    CHECK(Contains(e.message, "effect"));
  }
}

TEST_CASE("the built-in journeys that move stock declare it, and default to probe data",
          "[scenarios]") {
  auto catalog = LoadJourneys();
  REQUIRE(catalog.ok());
  const std::map<std::string, StockUse::Effect> moves = {
      {"goods_receipt", StockUse::Effect::kReceipt},
      {"sales_order_confirmation", StockUse::Effect::kDelivery},
      {"work_order_release", StockUse::Effect::kProduction}};
  for (const auto& [name, effect] : moves) {
    INFO(name);
    const Journey* j = catalog->Find(name);
    REQUIRE(j->stock.size() == 1);
    CHECK(j->stock[0].param == "product_code");
    CHECK(j->stock[0].effect == effect);
  }
  CHECK(catalog->Find("invoice_validation")->stock.empty());
  // No parameter defaults to demo data: every product, customer and vendor is provision's.
  for (const auto& j : catalog->journeys) {
    for (const auto& p : j.params) {
      if (!p.default_value.is_string()) continue;
      INFO(j.name << "." << p.name << " = " << p.default_value);
      const std::string v = p.default_value.get<std::string>();
      if (p.name.find("_ref") != std::string::npos || p.name.find("_code") != std::string::npos)
        CHECK(v.rfind("PROBE-", 0) == 0);
    }
  }
}

TEST_CASE("cleanup recipes: final states, verify steps and related records", "[scenarios]") {
  auto one_error = [](const std::string& text) {
    auto r = ParseRecipes(text, "cleanup.yaml");
    REQUIRE_FALSE(r.ok());
    return r.status().message();
  };
  const std::string ok = R"(recipes:
  sale.order:
    ref_field: client_order_ref
    final_states: [cancel]
    steps:
      - name: read_state
        read: {model: sale.order, ids: ["${var.record_id}"], fields: [picking_ids]}
        save: {picking_ids: "$[0].picking_ids"}
      - name: transfers
        cleanup: {model: stock.picking, ids: "${var.picking_ids}"}
    verify:
      - name: kept
        check: [{var: final.state, equals: cancel}]
)";
  auto recipes = ParseRecipes(ok, "cleanup.yaml");
  REQUIRE(recipes.ok());
  const auto& r = recipes->at("sale.order");
  CHECK(r.IsFinal("cancel"));
  CHECK_FALSE(r.IsFinal("sale"));
  CHECK(r.steps[1].kind == StepKind::kCleanup);
  CHECK(r.verify.size() == 1);
  CHECK(r.verify[0].kind == StepKind::kCheck);
  std::string text = ok;
  text.replace(text.find("    final_states: [cancel]\n"), 27, "");
  CHECK(
      Contains(one_error(text), "cleanup.yaml:3:5: recipes.sale.order.final_states: is required"));
  text = ok;
  text.replace(text.find("var: final.state"), 16, "var: finale.state");
  CHECK(Contains(one_error(text), "variable 'finale' is not defined"));
  text = ok;
  text.replace(text.find("ids: \"${var.picking_ids}\""), 4, "id: ");
  CHECK(Contains(one_error(text),
                 "recipes.sale.order.steps[1].cleanup.id: unknown key; did you "
                 "mean 'ids'?"));
  // The built-in recipes: a received transfer is final only with its return done.
  auto catalog = LoadJourneys();
  REQUIRE(catalog.ok());
  const auto& picking = catalog->recipes.at("stock.picking");
  CHECK(picking.IsFinal("done"));
  bool checks_return = false;
  for (const auto& v : picking.verify) checks_return = checks_return || v.name == "returned";
  CHECK(checks_return);
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
