// The journey interpreter on its own: a scripted Odoo client and a fake clock, no socket, no
// sleep. Templates, expectations, retries, `when`, on_action and dialogs, cleanup order and
// read-back, deadlines, check and cleanup steps.
#include <catch2/catch.hpp>

#include "runners/interpreter/journey_runner.h"
#include "tests/support/fakes.h"

namespace odoo_prober {
namespace {

using nlohmann::json;
using prober::Outcome;
using testing::Action;
using testing::FakeClock;
using testing::FakeOdooClient;
using testing::OdooFailure;
using testing::Ok;
using testing::Script;
using namespace std::chrono_literals;

constexpr const char* kRecipes = R"(recipes:
  sale.order:
    ref_field: client_order_ref
    final_states: [cancel]
    steps:
      - name: cancel
        call: {model: sale.order, method: action_cancel, args: [["${var.record_id}"]]}
  stock.picking:
    ref_field: origin
    final_states: [done, cancel]
    steps:
      - name: cancel
        call: {model: stock.picking, method: action_cancel, args: [["${var.record_id}"]]}
  purchase.order:
    ref_field: partner_ref
    final_states: [purchase]
    steps:
      - name: open_transfers
        call: {model: stock.picking, method: search, args: [[[purchase_id, "=", "${var.record_id}"]]]}
        save: {picking_ids: $}
      - name: finish_transfers
        cleanup: {model: stock.picking, ids: "${var.picking_ids}"}
    verify:
      - name: final_is_purchase
        check: [{var: final.state, equals: purchase}]
)";

// A journey that creates one sales order and registers it for cleanup.
constexpr const char* kOneOrder = R"(name: t
steps:
  - name: order
    call: {model: sale.order, method: create, args: [{}]}
    save: {id: $}
    record: {model: sale.order, id: "${var.id}"}
)";

// One runner over a script: the journey under test, the recipes above, a fake clock.
struct Harness {
  std::shared_ptr<Script> script = std::make_shared<Script>();
  FakeClock clock;
  scenarios::Catalog catalog;
  config::TargetConfig target;
  bool stock_moves_allowed = false;  // the config entry's `stock_moves: allowed`

  Harness() {
    auto recipes = scenarios::ParseRecipes(kRecipes, "recipes.yaml");
    REQUIRE(recipes.ok());
    catalog.recipes = *recipes;
    target.name = "plant";
    // The read-back of every record: its state, by model, unless a test says otherwise.
    script->On("sale.order.search_read", [](const Script::Call& c) {
      return Ok(json::array({{{"id", c.args[0][0][2]}, {"state", "cancel"}}}));
    });
    script->On("stock.picking.search_read", [](const Script::Call& c) {
      return Ok(json::array({{{"id", c.args[0][0][2]}, {"state", "done"}}}));
    });
  }

  results::JourneyResult Run(const std::string& yaml, json params = json::object(),
                             std::optional<std::chrono::milliseconds> timeout = std::nullopt) {
    auto journey = scenarios::ParseJourney(yaml, "journey.yaml");
    INFO((journey.ok() ? "" : journey.status().message()));
    REQUIRE(journey.ok());
    runners::JourneyRunner runner(clock, catalog, [this](const prober::ClientOptions&) {
      return prober::Result<std::unique_ptr<prober::OdooClient>>(
          std::make_unique<FakeOdooClient>(script, clock));
    });
    return runner.Run(*journey, target, params, "0123456789ab",
                      runners::RunSettings{timeout, stock_moves_allowed});
  }

  // The calls of one "model.method", in order.
  std::vector<Script::Call> Calls(const std::string& key) const {
    std::vector<Script::Call> out;
    for (const auto& c : script->calls) {
      if (c.model + "." + c.method == key) out.push_back(c);
    }
    return out;
  }
};

TEST_CASE("templates: parameters, the run tag, saved variables and the probe company",
          "[interpreter]") {
  Harness h;
  h.target.company_id = 3;
  h.script->Then("res.partner.search_read", Ok(json::array({{{"id", 41}, {"name", "Deco"}}})));
  h.script->Then("sale.order.create", Ok(77));
  const auto r = h.Run(R"(name: t
params:
  customer: {default: DECO}
  quantity: {default: 2, type: number}
steps:
  - name: login
    authenticate: {}
  - name: find
    search_read: {model: res.partner, domain: [[ref, "=", "${param.customer}"]], fields: [id]}
    save: {partner_id: "$[0].id"}
  - name: create
    call:
      model: sale.order
      method: create
      args: [{partner_id: "${var.partner_id}", client_order_ref: "${run.tag}",
              qty: "${param.quantity}", user: "${var.uid}"}]
      context: [{a: 1}, {b: 2}]
    harmless: "a scripted answer: no Odoo behind it"
)",
                       {{"customer", "DECO"}, {"quantity", 5}});
  INFO(r.detail);
  REQUIRE(r.ok());
  REQUIRE(r.steps.size() == 3);
  const auto find = h.Calls("res.partner.search_read");
  REQUIRE(find.size() == 1);
  CHECK(find[0].args == json::parse(R"([[["ref", "=", "DECO"]]])"));
  const auto create = h.Calls("sale.order.create");
  REQUIRE(create.size() == 1);
  // A whole-string template keeps the value's type: 41 and 5 stay numbers.
  CHECK(create[0].args[0] == json{{"partner_id", 41},
                                  {"client_order_ref", "probe-0123456789ab"},
                                  {"qty", 5},
                                  {"user", 2}});
  CHECK(create[0].kwargs["context"] ==
        json{{"a", 1}, {"b", 2}, {"allowed_company_ids", json::array({3})}});
}

TEST_CASE("a template naming a field the answer lacked fails its step before its call",
          "[interpreter]") {
  Harness h;
  h.script->Then("res.partner.search_read", Ok(json::array({{{"name", "Deco"}}})));
  const auto r = h.Run(R"(name: t
steps:
  - name: find
    search_read: {model: res.partner, domain: [], fields: [name]}
    save: {partner: "$[0]"}
  - name: create
    call: {model: sale.order, method: create, args: [{partner_id: "${var.partner.id}"}]}
    harmless: "fails before its call"
)");
  CHECK(r.outcome == Outcome::kAssertion);
  CHECK(r.failed_step == "create");
  CHECK_THAT(r.detail, Catch::Contains("var.partner.id"));
  CHECK(h.Calls("sale.order.create").empty());
}

TEST_CASE("expectations: each operator holds or fails with what it saw", "[interpreter]") {
  struct Case {
    std::string expect;
    bool holds;
    std::string says;
  };
  const auto c =
      GENERATE(Case{"{path: \"$[0].state\", equals: sale}", true, ""},
               Case{"{path: \"$[0].state\", equals: draft}", false,
                    R"(expected $[0].state == "draft", got "sale")"},
               Case{"{path: \"$[0].state\", not_equals: sale}", false, "!="},
               Case{"{path: \"$[0].state\", in: [draft, sale]}", true, ""},
               Case{"{path: \"$[0].state\", in: [draft, cancel]}", false, "in"},
               Case{"{path: \"$[0].amount\", gt: 10}", true, ""},
               Case{"{path: \"$[0].amount\", gt: 12.5}", false, "> 12.5, got 12.5"},
               Case{"{path: \"$[0].amount\", ge: 12.5}", true, ""},
               Case{"{path: \"$[0].amount\", lt: 12.5}", false, "<"},
               Case{"{path: \"$[0].amount\", le: 12.5}", true, ""},
               Case{"{path: \"$[0].state\", gt: 1}", false, "expected a number"},
               Case{"{count: 1}", true, ""}, Case{"{count: 2}", false, "expected 2 item(s)"},
               Case{"{path: \"$[0].lines\", not_empty: true}", false, "not empty"},
               Case{"{path: \"$[0].amount\", equals: \"${param.total}\"}", true, ""});
  Harness h;
  h.script->Then(
      "sale.order.read",
      Ok(json::array({{{"state", "sale"}, {"amount", 12.5}, {"lines", json::array()}}})));
  const auto r = h.Run(R"(name: t
params:
  total: {default: 12.5, type: number}
steps:
  - name: read
    read: {model: sale.order, ids: [1], fields: [state]}
    expect: [)" + c.expect +
                           "]\n",
                       {{"total", 12.5}});
  INFO(c.expect << " -> " << r.detail);
  CHECK(r.ok() == c.holds);
  if (!c.holds) {
    CHECK(r.outcome == Outcome::kAssertion);
    CHECK(r.failed_step == "read");
    CHECK_THAT(r.detail, Catch::Contains(c.says));
  }
}

TEST_CASE("retry_until waits on the clock between attempts, without sleeping", "[interpreter]") {
  const std::string journey = R"(name: t
steps:
  - name: wait_done
    read: {model: stock.picking, ids: [9], fields: [state]}
    retry_until: {attempts: 5, interval: 500ms, expect: [{path: "$[0].state", equals: done}]}
)";
  SECTION("settles on the third attempt") {
    Harness h;
    h.script->Then("stock.picking.read", Ok(json::array({{{"state", "assigned"}}})));
    h.script->Then("stock.picking.read", Ok(json::array({{{"state", "assigned"}}})));
    h.script->Then("stock.picking.read", Ok(json::array({{{"state", "done"}}})));
    const auto r = h.Run(journey);
    REQUIRE(r.ok());
    CHECK(r.steps[0].attempts == 3);
    CHECK(h.clock.slept() == 1000ms);
    CHECK(r.duration_us == 1'000'000);
  }
  SECTION("never settles: the step fails after every attempt") {
    Harness h;
    h.script->On("stock.picking.read", [](const Script::Call&) {
      return Ok(json::array({{{"state", "assigned"}}}));
    });
    const auto r = h.Run(journey);
    CHECK(r.outcome == Outcome::kAssertion);
    CHECK(r.steps[0].attempts == 5);
    CHECK_THAT(r.detail, Catch::StartsWith("not settled after 5 attempt(s)"));
    CHECK(h.clock.slept() == 2000ms);
  }
  SECTION("stops retrying when the next wait would pass the deadline") {
    Harness h;
    h.script->On("stock.picking.read", [](const Script::Call&) {
      return Ok(json::array({{{"state", "assigned"}}}));
    });
    const auto r = h.Run(journey, json::object(), 1200ms);
    CHECK(r.outcome == Outcome::kAssertion);
    CHECK(r.steps[0].attempts == 3);
    CHECK(h.clock.slept() < 1200ms);
  }
  SECTION("an error is not retried") {
    Harness h;
    h.script->Then("stock.picking.read", OdooFailure("odoo.exceptions.AccessError", "no"));
    const auto r = h.Run(journey);
    CHECK(r.outcome == Outcome::kOdooError);
    CHECK(r.steps[0].odoo_error == "odoo.exceptions.AccessError");
    CHECK(r.steps[0].attempts == 1);
    CHECK(h.clock.slept() == 0ms);
  }
}

TEST_CASE("when: a step runs only when its condition holds on the server's version and variables",
          "[interpreter]") {
  Harness h;
  h.script->server_major = 16;
  h.script->Then("sale.order.read", Ok(json::array({{{"state", "done"}}})));
  h.script->On("*", [](const Script::Call&) { return Ok(true); });
  const auto r = h.Run(R"(name: t
steps:
  - name: login
    authenticate: {}
  - name: read
    read: {model: sale.order, ids: [1], fields: [state]}
    save: {state: "$[0].state"}
  - name: only_16
    when: odoo_version < 17
    call: {model: a.model, method: sixteen}
  - name: only_17
    when: odoo_version >= 17
    call: {model: a.model, method: seventeen}
  - name: locked
    when: var.state == 'done' and odoo_version == 16
    call: {model: a.model, method: unlock}
)");
  REQUIRE(r.ok());
  std::vector<std::string> methods;
  for (const auto& c : h.script->calls) methods.push_back(c.method);
  CHECK(methods == std::vector<std::string>{"read", "sixteen", "unlock"});
  CHECK(r.steps.size() == 4);  // skipped steps leave no result
}

TEST_CASE("on_action: a planned dialog runs its steps, an unplanned one fails the step",
          "[interpreter]") {
  const std::string handled = R"(name: t
steps:
  - name: validate
    call: {model: stock.picking, method: button_validate, args: [[9]]}
    on_action:
      stock.backorder.confirmation:
        - name: no_backorder
          call:
            model: stock.backorder.confirmation
            method: create
            args: [{}]
            context: "${var.action.context}"
)";
  SECTION("planned") {
    Harness h;
    h.script->Then("stock.picking.button_validate", Ok(Action("stock.backorder.confirmation")));
    h.script->Then("stock.backorder.confirmation.create", Ok(5));
    const auto r = h.Run(handled);
    INFO(r.detail);
    REQUIRE(r.ok());
    REQUIRE(r.steps.size() == 2);
    CHECK(r.steps[1].name == "validate/no_backorder");
    const auto create = h.Calls("stock.backorder.confirmation.create");
    REQUIRE(create.size() == 1);
    CHECK(create[0].kwargs["context"]["button_validate_picking_ids"] == json::array({1}));
  }
  SECTION("unplanned: the SMS confirmation wizard is not a success") {
    Harness h;
    h.script->Then("stock.picking.button_validate", Ok(Action("confirm.stock.sms")));
    const auto r = h.Run(handled);
    CHECK(r.outcome == Outcome::kAssertion);
    CHECK(r.failed_step == "validate");
    CHECK(r.detail ==
          "Odoo answered with the wizard confirm.stock.sms; handle it with on_action or avoid it");
    CHECK(h.Calls("stock.backorder.confirmation.create").empty());
  }
  SECTION("an action that only opens a record is data") {
    Harness h;
    h.script->Then("stock.picking.button_validate", Ok(Action("stock.picking", "current")));
    const auto r = h.Run(handled);
    CHECK(r.ok());
    CHECK(r.steps.size() == 1);
  }
}

TEST_CASE("cleanup: newest record first, after a failure too, each read back", "[interpreter]") {
  Harness h;
  h.script->Then("sale.order.create", Ok(11));
  h.script->Then("stock.picking.create", Ok(22));
  h.script->Then("stock.picking.button_validate", OdooFailure("odoo.exceptions.UserError", "no"));
  h.script->On("*", [](const Script::Call&) { return Ok(true); });
  const auto r = h.Run(R"(name: t
steps:
  - name: order
    call: {model: sale.order, method: create, args: [{}]}
    save: {order_id: $}
    record: {model: sale.order, id: "${var.order_id}"}
  - name: picking
    call: {model: stock.picking, method: create, args: [{}]}
    save: {picking_id: $}
    record: {model: stock.picking, id: "${var.picking_id}"}
  - name: validate
    call: {model: stock.picking, method: button_validate, args: [["${var.picking_id}"]]}
)");
  CHECK(r.outcome == Outcome::kOdooError);
  CHECK(r.failed_step == "validate");
  REQUIRE(r.records.size() == 2);
  CHECK(r.records[0].model == "stock.picking");
  CHECK(r.records[0].id == 22);
  CHECK(r.records[1].model == "sale.order");
  CHECK(r.records[1].id == 11);
  CHECK(r.CleanedUp());
  CHECK(r.records[0].state == "done");
  CHECK(r.records[1].state == "cancel");
  // Each recipe's steps, then its read-back, newest record first.
  std::vector<std::string> after;
  bool seen_failure = false;
  for (const auto& c : h.script->calls) {
    if (seen_failure) after.push_back(c.model + "." + c.method);
    seen_failure = seen_failure || c.method == "button_validate";
  }
  CHECK(after == std::vector<std::string>{"stock.picking.action_cancel",
                                          "stock.picking.search_read", "sale.order.action_cancel",
                                          "sale.order.search_read"});
  const auto back = h.Calls("sale.order.search_read");
  CHECK(back[0].kwargs["context"]["active_test"] == false);
}

TEST_CASE("cleanup: calls that returned are not enough, the state read back decides",
          "[interpreter]") {
  Harness h;
  h.script->Then("sale.order.create", Ok(11));
  h.script->On("sale.order.action_cancel", [](const Script::Call&) { return Ok(true); });
  SECTION("left in a non-final state") {
    h.script->On("sale.order.search_read", [](const Script::Call&) {
      return Ok(json::array({{{"id", 11}, {"state", "sale"}}}));
    });
    const auto r = h.Run(kOneOrder);
    INFO(r.detail);
    REQUIRE(r.records.size() == 1);
    CHECK(r.records[0].status == "failed");
    CHECK(r.records[0].state == "sale");
    CHECK(r.records[0].detail == "left in state 'sale' (final: cancel)");
    CHECK_FALSE(r.CleanedUp());
  }
  SECTION("gone") {
    h.script->On("sale.order.search_read", [](const Script::Call&) { return Ok(json::array()); });
    const auto r = h.Run(kOneOrder);
    REQUIRE(r.records.size() == 1);
    CHECK(r.records[0].status == "ok");
    CHECK(r.records[0].state == "deleted");
  }
  SECTION("a recipe step answering with a wizard fails the cleanup") {
    h.script->On("sale.order.action_cancel",
                 [](const Script::Call&) { return Ok(Action("sale.order.cancel")); });
    const auto r = h.Run(kOneOrder);
    REQUIRE(r.records.size() == 1);
    CHECK(r.records[0].status == "failed");
    CHECK_THAT(r.records[0].detail, Catch::StartsWith("cancel: Odoo answered with the wizard "
                                                      "sale.order.cancel"));
  }
}

TEST_CASE("cleanup steps reach related records, and verify checks the record read back",
          "[interpreter]") {
  Harness h;
  h.script->Then("purchase.order.create", Ok(5));
  h.script->Then("stock.picking.search", Ok(json::array({31, 32})));
  h.script->On("stock.picking.action_cancel", [](const Script::Call&) { return Ok(true); });
  std::string po_state = "purchase";
  h.script->On("purchase.order.search_read", [&](const Script::Call&) {
    return Ok(json::array({{{"id", 5}, {"state", po_state}}}));
  });
  const std::string journey = R"(name: t
steps:
  - name: order
    call: {model: purchase.order, method: create, args: [{}]}
    save: {id: $}
    record: {model: purchase.order, id: "${var.id}"}
)";
  const auto r = h.Run(journey);
  REQUIRE(r.records.size() == 1);
  INFO(r.records[0].detail);
  CHECK(r.records[0].status == "ok");
  std::vector<json> cancelled;
  for (const auto& c : h.Calls("stock.picking.action_cancel")) cancelled.push_back(c.args[0][0]);
  CHECK(cancelled == std::vector<json>{31, 32});
  CHECK(h.Calls("stock.picking.search_read").size() == 2);  // each related record read back

  SECTION("a related record left open fails the cleanup step") {
    Harness g;
    g.script->Then("purchase.order.create", Ok(5));
    g.script->Then("stock.picking.search", Ok(json::array({31})));
    g.script->On("stock.picking.action_cancel", [](const Script::Call&) { return Ok(true); });
    g.script->On("stock.picking.search_read", [](const Script::Call&) {
      return Ok(json::array({{{"id", 31}, {"state", "assigned"}}}));
    });
    g.script->On("purchase.order.search_read", [](const Script::Call&) {
      return Ok(json::array({{{"id", 5}, {"state", "purchase"}}}));
    });
    const auto s = g.Run(journey);
    REQUIRE(s.records.size() == 1);
    CHECK(s.records[0].status == "failed");
    CHECK(s.records[0].detail ==
          "finish_transfers: stock.picking 31: left in state 'assigned' (final: done, cancel)");
  }
}

TEST_CASE("deadlines: a slow call times out, and no step starts after the journey's deadline",
          "[interpreter]") {
  const std::string journey = R"(name: t
timeout: 10s
steps:
  - name: slow
    timeout: 2s
    call: {model: a.model, method: slow}
  - name: next
    call: {model: a.model, method: next}
)";
  SECTION("the step's own timeout") {
    Harness h;
    h.script->Takes("a.model.slow", 3s);
    h.script->On("*", [](const Script::Call&) { return Ok(true); });
    const auto r = h.Run(journey);
    CHECK(r.outcome == Outcome::kTimeout);
    CHECK(r.failed_step == "slow");
    CHECK(r.duration_us == 2'000'000);
    CHECK(h.Calls("a.model.next").empty());
  }
  SECTION("the journey's timeout (as the config overrides it)") {
    Harness h;
    h.script->Takes("a.model.slow", 1500ms);
    h.script->On("*", [](const Script::Call&) { return Ok(true); });
    const auto r = h.Run(journey, json::object(), 1500ms);
    CHECK(r.outcome == Outcome::kTimeout);
    CHECK(r.failed_step == "next");
    CHECK(r.detail == "the journey's deadline passed before this step");
    CHECK(h.Calls("a.model.next").empty());
  }
  SECTION("cleanup has a deadline of its own once the journey's is spent") {
    Harness h;
    h.script->Then("sale.order.create", Ok(11));
    h.script->Takes("a.model.slow", 3s);
    h.script->On("*", [](const Script::Call&) { return Ok(true); });
    const auto r = h.Run(R"(name: t
timeout: 2s
steps:
  - name: order
    call: {model: sale.order, method: create, args: [{}]}
    save: {id: $}
    record: {model: sale.order, id: "${var.id}"}
  - name: slow
    call: {model: a.model, method: slow}
)");
    CHECK(r.outcome == Outcome::kTimeout);
    REQUIRE(r.records.size() == 1);
    CHECK(r.records[0].status == "ok");
  }
}

TEST_CASE("check and login failures", "[interpreter]") {
  SECTION("a check step tests variables without a call") {
    Harness h;
    h.script->Then("sale.order.read", Ok(json::array({{{"state", "draft"}}})));
    const auto r = h.Run(R"(name: t
steps:
  - name: read
    read: {model: sale.order, ids: [1], fields: [state]}
    save: {order: "$[0]"}
  - name: still_draft
    check: [{var: order.state, equals: sale}]
)");
    CHECK(r.outcome == Outcome::kAssertion);
    CHECK(r.failed_step == "still_draft");
    CHECK(r.detail == R"(expected var.order.state == "sale", got "draft")");
    CHECK(h.script->calls.size() == 1);
  }
  SECTION("a refused login ends the run at the login step") {
    Harness h;
    h.script->refuse_login = true;
    const auto r = h.Run(R"(name: t
steps:
  - name: login
    authenticate: {}
  - name: read
    read: {model: sale.order, ids: [1], fields: [state]}
)");
    CHECK(r.outcome == Outcome::kAuth);
    CHECK(r.failed_step == "login");
    CHECK(h.script->calls.empty());
  }
  SECTION("save: a path missing from the answer fails the step") {
    Harness h;
    h.script->Then("sale.order.read", Ok(json::array()));
    const auto r = h.Run(R"(name: t
steps:
  - name: read
    read: {model: sale.order, ids: [1], fields: [state]}
    save: {state: "$[0].state"}
)");
    CHECK(r.outcome == Outcome::kAssertion);
    CHECK_THAT(r.detail, Catch::StartsWith("save state: $[0].state is not in the answer"));
  }
}

// A journey that manufactures the product `product`: the stock guard reads it and its bill of
// materials' components before the order is created.
constexpr const char* kManufacture = R"(name: t
params:
  product: {default: PX}
stock:
  - {param: product, effect: production}
steps:
  - name: login
    authenticate: {}
  - name: find
    search_read: {model: product.product, domain: [[default_code, "=", "${param.product}"]], fields: [id]}
    save: {product_id: "$[0].id"}
  - name: order
    call: {model: mrp.production, method: create, args: [{product_id: "${var.product_id}"}]}
    harmless: "a scripted answer: no Odoo behind it"
)";

// The answers of an Odoo `version` whose product PX keeps no stock and whose component C1 does.
void ScriptProducts(Script& script, int version) {
  script.server_major = version;
  auto product = [version](int id, const std::string& name, bool storable) {
    json p = {{"id", id}, {"display_name", name}, {"product_tmpl_id", {id * 10, name}}};
    if (version >= 18) {
      p["type"] = "consu";
      p["is_storable"] = storable;
    } else {
      p["type"] = storable ? "product" : "consu";
    }
    return p;
  };
  script.On("product.product.search_read", [=](const Script::Call&) {
    return Ok(json::array({product(9, "[PX] Widget", false)}));
  });
  script.On("mrp.bom.search_read", [](const Script::Call&) {
    return Ok(json::array({{{"id", 3}, {"bom_line_ids", {31, 32}}}}));
  });
  script.On("mrp.bom.line.read", [](const Script::Call&) {
    return Ok(json::array({{{"id", 31}, {"product_id", {11, "[C1] Leg"}}},
                           {{"id", 32}, {"product_id", {12, "[C2] Top"}}}}));
  });
  script.On("product.product.read", [=](const Script::Call&) {
    return Ok(json::array({product(11, "[C1] Leg", true), product(12, "[C2] Top", false)}));
  });
  script.On("stock.move.search_count", [](const Script::Call&) { return Ok(2); });
  script.On("stock.move.search_read", [](const Script::Call&) {
    return Ok(json::array({{{"picking_id", {5, "WH/MO/00001"}}}, {{"picking_id", false}}}));
  });
  script.On("mrp.production.create", [](const Script::Call&) { return Ok(40); });
}

TEST_CASE("stock guard: a component that keeps stock ends the run before its first write",
          "[interpreter]") {
  const int version = GENERATE(17, 18);
  INFO("Odoo " << version);
  Harness h;
  h.target.company_id = 3;
  ScriptProducts(*h.script, version);
  const auto r = h.Run(kManufacture, json::object({{"product", "PX"}}));
  CHECK(r.outcome == Outcome::kAssertion);
  CHECK(r.failed_step == "stock_guard");
  INFO(r.detail);
  CHECK(r.detail.rfind("product = \"PX\": the bill of materials' component [C1] Leg keeps stock (" +
                           std::string(version >= 18 ? "is_storable" : "type: product") + ")",
                       0) == 0);
  CHECK_THAT(r.detail, Catch::Contains("reserves its components while it lives"));
  CHECK_THAT(r.detail, Catch::Contains("now 2 moves already waiting for it (WH/MO/00001, ...)"));
  CHECK_THAT(r.detail, Catch::Contains("`stock_moves: allowed`"));
  // Nothing was written: the guard ran after the lookups, before the create.
  CHECK(h.Calls("mrp.production.create").empty());
  REQUIRE(r.steps.size() == 3);
  CHECK(r.steps[2].name == "stock_guard");
  // It reads what this version has, finds the product by its parameter, in the probe company
  // (after the journey's own lookup).
  auto search = h.Calls("product.product.search_read");
  REQUIRE(search.size() == 2);
  search.erase(search.begin());
  CHECK(search[0].args == json::parse(R"([[["default_code", "=", "PX"]]])"));
  CHECK((search[0].kwargs["fields"].dump().find("is_storable") == std::string::npos) ==
        (version < 18));
  CHECK(search[0].kwargs["context"]["allowed_company_ids"] == json::array({3}));
  CHECK(h.Calls("mrp.bom.search_read").at(0).args ==
        json::parse(R"([[["product_tmpl_id", "=", 90], ["type", "=", "normal"]]])"));
}

TEST_CASE("stock guard: stock_moves allowed, or products that keep no stock, pass",
          "[interpreter]") {
  SECTION("allowed: not even read") {
    Harness h;
    ScriptProducts(*h.script, 18);
    h.stock_moves_allowed = true;
    const auto r = h.Run(kManufacture, json::object({{"product", "PX"}}));
    INFO(r.detail);
    CHECK(r.ok());
    CHECK(h.Calls("mrp.bom.search_read").empty());
    CHECK(h.Calls("mrp.production.create").size() == 1);
  }
  SECTION("consumables: read, and let through") {
    Harness h;
    ScriptProducts(*h.script, 18);
    h.script->On("product.product.read", [](const Script::Call&) {
      return Ok(json::array({{{"id", 11}, {"display_name", "[C1] Leg"}, {"is_storable", false}}}));
    });
    const auto r = h.Run(kManufacture, json::object({{"product", "PX"}}));
    INFO(r.detail);
    CHECK(r.ok());
    CHECK(h.Calls("stock.move.search_count").empty());
    CHECK(h.Calls("mrp.production.create").size() == 1);
    REQUIRE(r.steps.size() == 4);
    CHECK(r.steps[2].name == "stock_guard");
  }
  SECTION("a failed read is the run's failure at the guard, with its outcome") {
    Harness h;
    ScriptProducts(*h.script, 18);
    h.script->On("mrp.bom.search_read", [](const Script::Call&) {
      return OdooFailure("odoo.exceptions.AccessError", "no");
    });
    const auto r = h.Run(kManufacture, json::object({{"product", "PX"}}));
    CHECK(r.outcome == Outcome::kOdooError);
    CHECK(r.failed_step == "stock_guard");
    CHECK(h.Calls("mrp.production.create").empty());
  }
}

}  // namespace
}  // namespace odoo_prober
