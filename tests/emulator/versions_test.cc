// Each journey's call sequence, with each version's field names, against the 16.0-19.0
// personalities; and the differences between versions, proven.
#include <catch2/catch.hpp>

#include "tests/emulator/emulator.h"
#include "tests/support/emulator_support.h"

namespace odoo_prober::emulator {
namespace {

// Calls the emulator's handler over /jsonrpc as the prober does, without a socket.
class Rpc {
 public:
  // The Work Orders setting on, unless `work_orders` says otherwise (16.0's demo has it off).
  explicit Rpc(const std::string& version, bool work_orders = true, bool sms = true)
      : emu_([&] {
          EmulatorOptions o = testing::Personality(version, "pw", "probe");
          o.probe_data = false;  // the demo database alone, as the recordings found it
          o.work_orders = work_orders;
          o.sms_confirmation = sms;
          return o;
        }()) {
    major_ = std::stoi(version);
  }
  // The envelope of model.method(*args, **kwargs).
  json Envelope(const std::string& model, const std::string& method, json args,
                json kwargs = json::object()) {
    json body = {
        {"jsonrpc", "2.0"},
        {"method", "call"},
        {"id", ++id_},
        {"params",
         {{"service", "object"},
          {"method", "execute_kw"},
          {"args", {"probe", 2, "pw", model, method, std::move(args), std::move(kwargs)}}}}};
    HttpRequest r;
    r.method = "POST";
    r.path = "/jsonrpc";
    r.body = body.dump();
    HttpResponse res = emu_.Handle(r);
    REQUIRE(res.status == 200);
    return json::parse(res.body);
  }
  json Call(const std::string& model, const std::string& method, json args,
            json kwargs = json::object()) {
    json e = Envelope(model, method, std::move(args), std::move(kwargs));
    INFO(model << "." << method << " -> " << e.dump());
    REQUIRE_FALSE(e.contains("error"));
    return e.value("result", json(nullptr));
  }
  std::string ErrorName(const std::string& model, const std::string& method, json args,
                        json kwargs = json::object()) {
    json e = Envelope(model, method, std::move(args), std::move(kwargs));
    REQUIRE(e.contains("error"));
    return e["error"]["data"]["name"];
  }
  json Read(const std::string& model, int id, json fields) {
    json rows = Call(model, "read", {{id}, std::move(fields)});
    REQUIRE(rows.size() == 1);
    return rows[0];
  }
  int major() const { return major_; }
  OdooEmulator& emulator() { return emu_; }

 private:
  OdooEmulator emu_;
  int major_ = 0;
  int id_ = 0;
};

// The storable-product filter of each version.
json StorableDomain(int major) {
  return major >= 18 ? json::array({json::array({"is_storable", "=", true})})
                     : json::array({json::array({"type", "=", "product"})});
}

int FindProduct(Rpc& rpc) {
  json rows = rpc.Call("product.product", "search_read", json::array({StorableDomain(rpc.major())}),
                       {{"fields", {"id"}}, {"limit", 1}, {"order", "id"}});
  REQUIRE(rows.size() == 1);
  return rows[0]["id"];
}

int FindPartner(Rpc& rpc, const char* rank) {
  json rows = rpc.Call("res.partner", "search_read",
                       json::array({json::array(
                           {json::array({rank, ">", 0}), json::array({"is_company", "=", true})})}),
                       {{"fields", {"id"}}, {"limit", 1}});
  REQUIRE(rows.size() == 1);
  return rows[0]["id"];
}

TEST_CASE("the five journeys' sequences work on every personality", "[emulator][versions]") {
  const std::string version = GENERATE("16.0", "17.0", "18.0", "19.0");
  INFO("Odoo " << version);
  Rpc rpc(version);
  const int major = rpc.major();
  const int product = FindProduct(rpc);
  const std::string uom = major >= 19 ? "product_uom_id" : "product_uom";

  SECTION("sales order confirmation") {
    const int customer = FindPartner(rpc, "customer_rank");
    const int so = rpc.Call(
        "sale.order", "create",
        {{{"partner_id", customer},
          {"client_order_ref", "probe-run1"},
          {"order_line", {{0, 0, {{"product_id", product}, {"product_uom_qty", 2}, {uom, 1}}}}}}});
    CHECK(rpc.Read("sale.order", so, {"state"})["state"] == "draft");
    CHECK(rpc.Call("sale.order", "action_confirm", {{so}}) == true);
    json order = rpc.Read("sale.order", so, {"state", "picking_ids", "amount_total"});
    CHECK(order["state"] == "sale");
    CHECK(order["picking_ids"].size() == 1);
    // Cleanup as a probe does it: cancel (without the wizard), then delete.
    rpc.Call("sale.order", "action_cancel", {{so}},
             {{"context", {{"disable_cancel_warning", true}}}});
    CHECK(rpc.Read("sale.order", so, {"state"})["state"] == "cancel");
    CHECK(rpc.Call("sale.order", "unlink", {{so}}) == true);
  }
  SECTION("goods receipt, full and partial") {
    const int vendor = FindPartner(rpc, "supplier_rank");
    for (const double received : {5.0, 3.0}) {
      const int po = rpc.Call(
          "purchase.order", "create",
          {{{"partner_id", vendor},
            {"partner_ref", "probe-run1"},
            {"order_line", {{0, 0, {{"product_id", product}, {"product_qty", 5}, {uom, 1}}}}}}});
      CHECK(rpc.Call("purchase.order", "button_confirm", {{po}}) == true);
      json order = rpc.Read("purchase.order", po, {"state", "picking_ids"});
      CHECK(order["state"] == "purchase");
      const int picking = order["picking_ids"][0];
      json pick = rpc.Read("stock.picking", picking, {"state", "move_ids"});
      CHECK(pick["state"] == "assigned");
      const int move = pick["move_ids"][0];
      if (major >= 17) {
        rpc.Call("stock.move", "write", {{move}, {{"quantity", received}, {"picked", true}}});
      } else {
        const int line = rpc.Read("stock.move", move, {"move_line_ids"})["move_line_ids"][0];
        rpc.Call("stock.move.line", "write", {{line}, {{"qty_done", received}}});
      }
      json validated = rpc.Call("stock.picking", "button_validate", {{picking}});
      if (received < 5) {
        REQUIRE(validated.is_object());
        CHECK(validated["res_model"] == "stock.backorder.confirmation");
        const int wizard =
            rpc.Call("stock.backorder.confirmation", "create", json::array({json::object()}),
                     {{"context", validated["context"]}});
        CHECK(rpc.Call("stock.backorder.confirmation", "process", {{wizard}},
                       {{"context", validated["context"]}}) == true);
      } else {
        CHECK(validated == true);
      }
      json done = rpc.Read("stock.picking", picking, {"state", "backorder_ids"});
      CHECK(done["state"] == "done");
      CHECK(done["backorder_ids"].size() == (received < 5 ? 1u : 0u));
      json lines = rpc.Call("purchase.order.line", "search_read",
                            json::array({json::array({json::array({"order_id", "=", po})})}),
                            {{"fields", {"qty_received"}}});
      CHECK(lines[0]["qty_received"] == received);
      if (major <= 18) {
        // A PO with a done receipt cannot be cancelled any more.
        CHECK(rpc.ErrorName("purchase.order", "button_cancel", {{po}}) ==
              "odoo.exceptions.UserError");
      } else {
        // 19 cancels it unless it is locked, and the goods stay received: no undo.
        rpc.Call("purchase.order", "button_lock", {{po}});
        CHECK(rpc.ErrorName("purchase.order", "button_cancel", {{po}}) ==
              "odoo.exceptions.UserError");
        rpc.Call("purchase.order", "button_unlock", {{po}});
        rpc.Call("purchase.order", "button_cancel", {{po}});
        CHECK(rpc.Read("purchase.order", po, {"state"})["state"] == "cancel");
        CHECK(rpc.Read("stock.picking", picking, {"state"})["state"] == "done");
      }
    }
  }
  SECTION("work order release") {
    json boms = rpc.Call("mrp.bom", "search_read",
                         json::array({json::array({json::array({"operation_ids", "!=", false})})}),
                         {{"fields", {"product_tmpl_id"}}, {"limit", 1}});
    REQUIRE(boms.size() == 1);
    json variants = rpc.Call(
        "product.product", "search_read",
        json::array(
            {json::array({json::array({"product_tmpl_id", "=", boms[0]["product_tmpl_id"][0]})})}),
        {{"fields", {"id"}}, {"limit", 1}});
    const int mo = rpc.Call(
        "mrp.production", "create",
        {{{"product_id", variants[0]["id"]}, {"product_qty", 1}, {"origin", "probe-run1"}}});
    CHECK(rpc.Call("mrp.production", "action_confirm", {{mo}}) == true);
    CHECK(rpc.Call("mrp.production", "action_assign", {{mo}}) == true);
    CHECK(rpc.Call("mrp.production", "button_plan", {{mo}}) == true);
    const std::string start = major >= 17 ? "date_start" : "date_planned_start";
    json planned = rpc.Read("mrp.production", mo, {"is_planned", "workorder_ids", start});
    CHECK(planned["is_planned"] == true);
    CHECK(planned[start].is_string());
    const int wo = planned["workorder_ids"][0];
    CHECK(rpc.Read("mrp.workorder", wo, {"state"})["state"] == (major >= 19 ? "ready" : "waiting"));
    json started = rpc.Envelope("mrp.workorder", "button_start", {{wo}});
    // 18 answers None (no "result" member), 16/17 True.
    CHECK(started.contains("result") == (major <= 17));
    CHECK(rpc.Read("mrp.workorder", wo, {"state"})["state"] == "progress");
    CHECK(rpc.Read("mrp.production", mo, {"state"})["state"] == "progress");
    CHECK(rpc.Call("mrp.production", "action_cancel", {{mo}}) == true);
    CHECK(rpc.Read("mrp.production", mo, {"state"})["state"] == "cancel");
  }
  SECTION("invoice validation") {
    const int customer = FindPartner(rpc, "customer_rank");
    const int inv =
        rpc.Call("account.move", "create",
                 {{{"move_type", "out_invoice"},
                   {"partner_id", customer},
                   {"ref", "probe-run1"},
                   {"invoice_line_ids",
                    {{0, 0, {{"product_id", product}, {"quantity", 1}, {"price_unit", 100.0}}}}}}});
    CHECK(rpc.Call("account.move", "action_post", {{inv}}) == false);
    json posted = rpc.Read("account.move", inv, {"state", "name", "payment_state"});
    CHECK(posted["state"] == "posted");
    CHECK(posted["name"].get<std::string>().rfind("INV/", 0) == 0);
    CHECK(rpc.Envelope("account.move", "button_draft", {{inv}}).contains("result") == false);
    CHECK(rpc.Envelope("account.move", "button_cancel", {{inv}}).contains("result") == false);
    CHECK(rpc.Read("account.move", inv, {"state"})["state"] == "cancel");
  }
  // Everything the journeys tagged and then cleaned up is final; what they left is not.
  for (const auto& rec : rpc.emulator().OpenRecordsTagged("probe-run1")) {
    INFO(rec.dump());
    CHECK(rec["model"] != "sale.order");
    CHECK(rec["model"] != "mrp.production");
  }
}

TEST_CASE("version differences are the recorded and documented ones", "[emulator][versions]") {
  SECTION("receipt quantities: qty_done on 16, quantity + picked from 17") {
    Rpc v17("17.0");
    CHECK(v17.ErrorName("stock.move.line", "search_read",
                        json::array({json::array({json::array({"qty_done", ">", 0})})})) ==
          "builtins.ValueError");
    CHECK(v17.ErrorName("stock.move.line", "write", {{1}, {{"qty_done", 1}}}) != "");
    Rpc v16("16.0");
    CHECK(v16.ErrorName("stock.move", "search_read",
                        json::array({json::array({json::array({"picked", "=", true})})})) ==
          "builtins.ValueError");
    CHECK(v16.Call("stock.move.line", "search_read",
                   json::array({json::array({json::array({"qty_done", ">", 0})})}))
              .is_array());
  }
  SECTION("16 asks for an immediate transfer when nothing is done") {
    Rpc v16("16.0");
    const int po = v16.Call(
        "purchase.order", "create",
        {{{"partner_id", 14}, {"order_line", {{0, 0, {{"product_id", 5}, {"product_qty", 1}}}}}}});
    v16.Call("purchase.order", "button_confirm", {{po}});
    const int picking = v16.Read("purchase.order", po, {"picking_ids"})["picking_ids"][0];
    json action = v16.Call("stock.picking", "button_validate", {{picking}});
    CHECK(action["res_model"] == "stock.immediate.transfer");
  }
  SECTION("storable products: type='product' up to 17, is_storable from 18") {
    Rpc v17("17.0"), v18("18.0");
    CHECK(v17.ErrorName("product.product", "search_read", json::array({StorableDomain(18)})) ==
          "builtins.ValueError");
    CHECK(v18.ErrorName("product.product", "create", {{{"name", "x"}, {"type", "product"}}}) ==
          "builtins.ValueError");
    CHECK(v18.ErrorName("product.product", "create",
                        {{{"name", "x"}, {"detailed_type", "product"}}}) == "builtins.ValueError");
    CHECK(v18.Call("product.product", "search_read", json::array({StorableDomain(17)})).empty());
  }
  SECTION("sale orders lock with a state on 16 and a flag from 17") {
    Rpc v16("16.0"), v17("17.0");
    CHECK(v16.ErrorName("sale.order", "search_read",
                        json::array({json::array({json::array({"locked", "=", true})})})) ==
          "builtins.ValueError");
    CHECK(v17.Call("sale.order", "search_read",
                   json::array({json::array({json::array({"locked", "=", true})})}))
              .empty());
    CHECK(v16.Call("sale.order", "search_read",
                   json::array({json::array({json::array({"state", "=", "done"})})}))
              .empty());
  }
  SECTION("19 renames line fields and drops the purchase done state") {
    Rpc v18("18.0"), v19("19.0");
    CHECK(v19.ErrorName("sale.order.line", "search_read",
                        json::array({json::array({json::array({"product_uom", "=", 1})})})) ==
          "builtins.ValueError");
    CHECK(v18.ErrorName("sale.order.line", "search_read",
                        json::array({json::array({json::array({"tax_ids", "=", false})})})) ==
          "builtins.ValueError");
    CHECK(v19.ErrorName("purchase.order", "create", {{{"partner_id", 14}, {"state", "done"}}}) ==
          "builtins.ValueError");
    // 19's generic JSON-RPC error code is 0.
    CHECK(v19.Envelope("res.partner", "no_such_method",
                       json::array({json::array()}))["error"]["code"] == 0);
    CHECK(v18.Envelope("res.partner", "no_such_method",
                       json::array({json::array()}))["error"]["code"] == 200);
  }
}

TEST_CASE("settings of the emulated database: Work Orders and SMS confirmation",
          "[emulator][versions]") {
  SECTION("Work Orders off: operations archived, no work orders, has_group false") {
    const std::string version = GENERATE("16.0", "18.0");
    Rpc off(version, /*work_orders=*/false);
    const json bom_ops = off.Call("mrp.bom", "read", {{2}, {"operation_ids"}})[0]["operation_ids"];
    CHECK(bom_ops.empty());
    CHECK(off.Call("mrp.routing.workcenter", "search_count",
                   json::array({json::array({json::array({"active", "=", false})})})) == 1);
    // 16 asks the model, 17+ ask the user record.
    const json has = version == "16.0"
                         ? off.Call("res.users", "has_group", {"mrp.group_mrp_routings"})
                         : off.Call("res.users", "has_group", {{2}, "mrp.group_mrp_routings"});
    CHECK(has == false);
    const int mo = off.Call("mrp.production", "create", {{{"product_id", 29}, {"product_qty", 1}}});
    CHECK(off.Read("mrp.production", mo, {"workorder_ids"})["workorder_ids"].empty());
    // What an administrator does (as recorded on 16.0): the setting on, the operation back.
    const int settings =
        off.Call("res.config.settings", "create", {{{"group_mrp_routings", true}}});
    CHECK(off.Call("res.config.settings", "execute", {{settings}})["tag"] == "reload");
    CHECK(off.Call("mrp.bom", "read", {{2}, {"operation_ids"}})[0]["operation_ids"].size() == 1);
    const int mo2 =
        off.Call("mrp.production", "create", {{{"product_id", 29}, {"product_qty", 1}}});
    CHECK(off.Read("mrp.production", mo2, {"workorder_ids"})["workorder_ids"].size() == 1);
  }
  SECTION("the SMS confirmation: on by default, off by option, and its button turns it off") {
    auto deliver = [](Rpc& rpc, json context) {
      const int so =
          rpc.Call("sale.order", "create",
                   {{{"partner_id", 10},
                     {"order_line", {{0, 0, {{"product_id", 8}, {"product_uom_qty", 1}}}}}}});
      rpc.Call("sale.order", "action_confirm", {{so}});
      const int picking = rpc.Read("sale.order", so, {"picking_ids"})["picking_ids"][0];
      return std::make_pair(picking, rpc.Call("stock.picking", "button_validate", {{picking}},
                                              {{"context", std::move(context)}}));
    };
    Rpc on("17.0");
    auto [picking, asked] = deliver(on, json::object());
    REQUIRE(asked.is_object());
    CHECK(asked["res_model"] == "confirm.stock.sms");
    CHECK(asked["target"] == "new");
    CHECK(on.Read("stock.picking", picking, {"state"})["state"] == "assigned");
    CHECK(deliver(on, {{"skip_sms", true}}).second == true);
    // "Don't send" validates, and turns the confirmation off for the whole company.
    CHECK(on.Call("confirm.stock.sms", "dont_send_sms", {{asked["res_id"]}}) == true);
    CHECK(on.Read("stock.picking", picking, {"state"})["state"] == "done");
    CHECK(deliver(on, json::object()).second == true);

    Rpc quiet("18.0", /*work_orders=*/true, /*sms=*/false);
    CHECK(deliver(quiet, json::object()).second == true);
  }
}

TEST_CASE("domains, name_search, fields_get and refusals", "[emulator][orm]") {
  Rpc rpc("17.0");
  auto count = [&](json domain) {
    return rpc.Call("res.partner", "search_count", json::array({std::move(domain)})).get<int>();
  };
  const int companies = count(json::array({json::array({"is_company", "=", true})}));
  CHECK(companies >= 4);
  CHECK(count(json::array({"|", json::array({"name", "=", "Deco Addict"}),
                           json::array({"name", "=", "Wood Corner"})})) == 2);
  CHECK(count(json::array({"!", json::array({"is_company", "=", true})})) ==
        count(json::array()) - companies);
  CHECK(count(json::array({json::array({"name", "ilike", "deco"})})) == 1);
  CHECK(count(json::array({json::array({"name", "=like", "Deco%"})})) == 1);
  CHECK(count(json::array({json::array({"id", "in", {10, 14}})})) == 2);
  CHECK(count(json::array({json::array({"customer_rank", ">=", 1}),
                           json::array({"supplier_rank", "<", 1})})) == 2);
  CHECK(count(json::array({json::array({"parent_id.name", "=", "YourCompany"})})) == 1);
  CHECK(count(json::array({json::array({"child_ids", "!=", false})})) == 1);
  CHECK(rpc.ErrorName("res.partner", "search_count",
                      json::array({json::array({json::array({"no_such_field", "=", 1})})})) ==
        "builtins.ValueError");
  json found = rpc.Call("res.partner", "name_search", {"azure"});
  REQUIRE(found.size() == 1);
  CHECK(found[0][1] == "Azure Interior");
  json fields = rpc.Call("sale.order", "fields_get",
                         {json::array({"partner_id", "state"}), json::array({"type", "relation"})});
  CHECK(fields["partner_id"]["type"] == "many2one");
  CHECK(fields["partner_id"]["relation"] == "res.partner");
  CHECK(fields["state"]["type"] == "selection");
  // Refusals, as Odoo refuses them.
  const int so =
      rpc.Call("sale.order", "create",
               {{{"partner_id", 10},
                 {"order_line", {{0, 0, {{"product_id", 5}, {"product_uom_qty", 1}}}}}}});
  rpc.Call("sale.order", "action_confirm", {{so}});
  CHECK(rpc.ErrorName("sale.order", "action_confirm", {{so}}) == "odoo.exceptions.UserError");
  CHECK(rpc.ErrorName("sale.order", "unlink", {{so}}) == "odoo.exceptions.UserError");
  json wizard = rpc.Call("sale.order", "action_cancel", {{so}});
  CHECK(wizard["res_model"] == "sale.order.cancel");  // 16-18 ask first, unless told not to
  const int po = rpc.Call(
      "purchase.order", "create",
      {{{"partner_id", 14}, {"order_line", {{0, 0, {{"product_id", 5}, {"product_qty", 1}}}}}}});
  rpc.Call("purchase.order", "button_confirm", {{po}});
  const int picking = rpc.Read("purchase.order", po, {"picking_ids"})["picking_ids"][0];
  CHECK(rpc.Call("stock.picking", "button_validate", {{picking}}) == true);
  CHECK(rpc.ErrorName("stock.picking", "action_cancel", {{picking}}) ==
        "odoo.exceptions.UserError");
  CHECK(rpc.ErrorName("purchase.order", "unlink", {{po}}) == "odoo.exceptions.UserError");
  CHECK(rpc.ErrorName("sale.order", "action_confirm", {{999999}}) ==
        "odoo.exceptions.MissingError");
  CHECK(rpc.ErrorName("sale.order", "create", {{{"partner_id", 10}}},
                      {{"context", {{"allowed_company_ids", {99}}}}}) ==
        "odoo.exceptions.AccessError");
}

TEST_CASE("JSON-2 exists on 19 only, with bearer keys and real statuses", "[emulator][versions]") {
  auto request = [](const std::string& path, const std::string& key, const json& body) {
    HttpRequest r;
    r.method = "POST";
    r.path = path;
    r.authorization = key.empty() ? "" : "bearer " + key;
    r.content_type = "application/json";
    r.body = body.dump();
    return r;
  };
  EmulatorOptions o19 = testing::Personality("19.0", "pw");
  o19.api_key = "key-19";
  OdooEmulator v19(o19);
  EmulatorOptions o18 = testing::Personality("18.0", "pw");
  o18.api_key = "key-18";
  OdooEmulator v18(o18);

  CHECK(v18.Handle(request("/json/2/res.partner/search_read", "key-18", json::object())).status ==
        404);
  auto ok = v19.Handle(
      request("/json/2/res.partner/search_read", "key-19",
              {{"domain", {{"customer_rank", ">", 0}}}, {"fields", {"name"}}, {"limit", 1}}));
  CHECK(ok.status == 200);
  CHECK(json::parse(ok.body).is_array());
  auto unauthorized =
      v19.Handle(request("/json/2/res.partner/search_read", "wrong", json::object()));
  CHECK(unauthorized.status == 401);
  CHECK(json::parse(unauthorized.body)["name"] == "werkzeug.exceptions.Unauthorized");
  CHECK(v19.Handle(request("/json/2/no.model/search", "key-19", json::object())).status == 404);
  // Recorded statuses: a ValueError is a server error (500), a UserError 422.
  auto refused = v19.Handle(
      request("/json/2/sale.order/create", "key-19", {{"vals_list", {{{"note", "x"}}}}}));
  CHECK(refused.status == 500);
  CHECK(json::parse(refused.body)["name"] == "builtins.ValueError");
  auto text = request("/json/2/res.partner/search_count", "key-19", {{"domain", json::array()}});
  text.content_type = "text/plain";
  auto unsupported = v19.Handle(text);
  CHECK(unsupported.status == 415);
  CHECK(testing::Contains(unsupported.body, "<title>415 Unsupported Media Type</title>"));
  auto context = v19.Handle(request("/json/2/res.users/context_get", "key-19", json::object()));
  CHECK(context.status == 200);
  CHECK(json::parse(context.body)["uid"] == 2);
  // A None answer is a JSON null.
  const int po =
      json::parse(v19.Handle(request("/json/2/purchase.order/create", "key-19",
                                     {{"vals_list", json::array({json{{"partner_id", 14}}})}}))
                      .body)[0];
  auto cancelled =
      v19.Handle(request("/json/2/purchase.order/button_cancel", "key-19", {{"ids", {po}}}));
  CHECK(cancelled.status == 200);
  CHECK(cancelled.body == "null");
  // /web/version is 19's replacement for common.version.
  HttpRequest version;
  version.method = "GET";
  version.path = "/web/version";
  CHECK(json::parse(v19.Handle(version).body)["version"] == "19.0");
  CHECK(v18.Handle(version).status == 404);
}

}  // namespace
}  // namespace odoo_prober::emulator
