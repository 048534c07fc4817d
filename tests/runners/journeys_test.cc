// The five journeys end to end: odoo-prober once against the emulator in each personality and
// over each protocol it offers, cleanup included; failures, timeouts, user journeys, JUnit,
// JSON files and sweep.
#include <signal.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "results/journey_result.h"
#include "tests/runners/prober_process.h"
#include "tests/support/emulator_support.h"

namespace odoo_prober {
namespace {

using nlohmann::json;
using testing::Contains;
using testing::ProcessResult;
using testing::RunningEmulator;
using testing::TempDir;

constexpr const char* kKey = "test-api-key-0b1c";

ProcessResult Prober(const std::vector<std::string>& args) { return testing::RunProber(args); }

struct Setup {
  std::string protocol = "jsonrpc";
  std::string timeout = "5s";
  std::string journeys = R"(journeys:
  - name: login
  - name: sales_order_confirmation
  - name: goods_receipt
  - name: goods_receipt
    id: goods_receipt_backorder
    params: {receive_quantity: 3}
  - name: work_order_release
  - name: invoice_validation
)";
  std::string extra;
};

std::string WriteConfig(const TempDir& dir, RunningEmulator& emu, const Setup& s) {
  dir.Write("secret", "admin\n");
  dir.Write("key", std::string(kKey) + "\n");
  std::ostringstream y;
  y << "version: 1\ntargets:\n  - name: plant\n    url: " << emu.https_url()
    << "\n    database: probe\n"
    << "    protocol: " << s.protocol
    << "\n    login: admin\n    password_file: secret\n    api_key_file: key\n"
    << "    timeout: " << s.timeout << "\n    tls: {ca_file: " << emu.pki().ca_cert << "}\n"
    << "    labels: {region: eu-west, plant: lyon}\n"
    << s.extra << s.journeys;
  return dir.Write("prober.yaml", y.str());
}

// A personality as a prober meets it in a standard install: the SMS confirmation of stock_sms
// on, and the Work Orders setting on (16.0's demo has it off; see the provision tests).
RunningEmulator Emulator(const std::string& version) {
  emulator::EmulatorOptions o = testing::Personality(version);
  o.api_key = kKey;
  o.work_orders = true;
  return RunningEmulator(o);
}

// The business service each built-in journey proves.
const std::map<std::string, std::string> kServices = {{"login", "access"},
                                                      {"sales_order_confirmation", "order-to-cash"},
                                                      {"goods_receipt", "procure-to-pay"},
                                                      {"work_order_release", "manufacturing"},
                                                      {"invoice_validation", "record-to-report"}};

// The wizard buttons a prober must never press: they change company settings.
bool PressedAWizardButton(emulator::OdooEmulator& emu) {
  for (const auto& call : emu.RequestLog()) {
    if (call.model == "confirm.stock.sms" || call.model == "sale.order.cancel") {
      if (call.method != "create" && call.method != "read") return true;
    }
  }
  return false;
}

TEST_CASE("all five journeys pass on every personality and protocol, and clean up", "[journeys]") {
  struct Case {
    std::string version, protocol;
  };
  const auto c = GENERATE(Case{"16.0", "jsonrpc"}, Case{"16.0", "web"}, Case{"17.0", "jsonrpc"},
                          Case{"17.0", "web"}, Case{"18.0", "jsonrpc"}, Case{"18.0", "web"},
                          Case{"19.0", "jsonrpc"}, Case{"19.0", "web"}, Case{"19.0", "json2"},
                          Case{"19.0", "auto"});
  INFO("Odoo " << c.version << " over " << c.protocol);
  RunningEmulator emu = Emulator(c.version);
  const json stock_before = testing::StockSnapshot(emu.emulator());
  TempDir dir;
  Setup s;
  s.protocol = c.protocol;
  // One journey at a time: the sales order and the receipts share a product, and a delivery
  // that reserves received goods keeps their return waiting (see "a return whose goods a
  // delivery holds waits").
  s.extra = "per_target_concurrency: 1\n";
  auto r = Prober({"once", WriteConfig(dir, emu, s), "--output", "json"});
  INFO(r.err);
  CHECK(r.exit_code == 0);
  auto lines = testing::JourneyResultLines(r.out);
  REQUIRE(lines.size() == 6);
  for (const auto& l : lines) {
    INFO(l.dump());
    CHECK(l["outcome"] == "ok");
    CHECK(l["server_major"] == std::stoi(c.version));
    CHECK(l["service"] == kServices.at(l["definition"].get<std::string>()));
    if (c.protocol == "auto") CHECK(l["protocol"] == "json2");
    for (const auto& rec : l["records"]) {
      CHECK(rec["cleanup"] == "ok");
      // Read back: gone, or in a final state (19 keeps a received order `purchase`, locked).
      const bool locked_19 =
          c.version == "19.0" && rec["model"] == "purchase.order" && rec["state"] == "purchase";
      CHECK((rec["state"] == "deleted" || rec["state"] == "cancel" || rec["state"] == "done" ||
             locked_19));
    }
    if (l["journey"] != "login") CHECK_FALSE(l["records"].empty());
  }
  // Nothing the journeys tagged is left in a state that needs cleaning up (the transfers of
  // their orders included), the goods received went back, and no wizard button was pressed.
  CHECK(emu.emulator().OpenRecordsTagged("probe-") == json::array());
  CHECK(testing::StockSnapshot(emu.emulator()) == stock_before);
  CHECK_FALSE(PressedAWizardButton(emu.emulator()));
  // How the receipts were returned, as each version allows (the recordings' ways).
  std::set<std::string> calls;
  for (const auto& call : emu.emulator().RequestLog()) calls.insert(call.model + "." + call.method);
  if (c.version == "16.0") {
    CHECK(calls.count("stock.return.picking.onchange"));
    CHECK(calls.count("stock.immediate.transfer.process"));
  }
  CHECK(calls.count("stock.return.picking.create_returns") == (c.version <= "17.0" ? 1u : 0u));
  CHECK(calls.count("stock.return.picking.action_create_returns_all") ==
        (c.version >= "18.0" ? 1u : 0u));
  CHECK(calls.count("purchase.order.button_done") == (c.version <= "18.0" ? 1u : 0u));
  CHECK(calls.count("purchase.order.button_lock") == (c.version >= "19.0" ? 1u : 0u));
}

TEST_CASE("a wizard a journey step did not plan for fails the step and names it", "[journeys]") {
  RunningEmulator emu = Emulator("17.0");
  TempDir dir;
  // Delivering to a customer: stock_sms asks whether to text them (confirm.stock.sms), and the
  // delivery stays undone. Taking that answer for a validation is the harm this rule prevents.
  dir.Write("journeys/deliver.yaml", R"(name: deliver
steps:
  - name: authenticate
    authenticate: {}
  - name: order
    call: {model: sale.order, method: create, args: [{partner_id: 10, client_order_ref: "${run.tag}", order_line: [[0, 0, {product_id: 8, product_uom_qty: 1}]]}]}
    save: {order_id: $}
    record: {model: sale.order, id: "${var.order_id}"}
  - name: confirm
    call: {model: sale.order, method: action_confirm, args: [["${var.order_id}"]]}
  - name: find_delivery
    read: {model: sale.order, ids: ["${var.order_id}"], fields: [picking_ids]}
    save: {delivery_id: "$[0].picking_ids[0]"}
  - name: validate_delivery
    call: {model: stock.picking, method: button_validate, args: [["${var.delivery_id}"]]}
  - name: never_reached
    read: {model: stock.picking, ids: ["${var.delivery_id}"], fields: [state]}
)");
  Setup s;
  s.extra = "journey_dirs: [journeys]\n";
  s.journeys = "journeys:\n  - name: deliver\n";
  auto r = Prober({"once", WriteConfig(dir, emu, s), "--output", "json"});
  CHECK(r.exit_code == 1);
  const json line = testing::JourneyResultLines(r.out).at(0);
  CHECK(line["outcome"] == "assertion");
  CHECK(line["failed_step"] == "validate_delivery");
  CHECK(line["detail"] ==
        "Odoo answered with the wizard confirm.stock.sms; handle it with on_action or avoid it");
  CHECK(line["steps"].size() == 5);
  // The order was still cleaned up (its undone delivery cancelled with it).
  CHECK(line["records"][0]["cleanup"] == "ok");
  CHECK(emu.emulator().OpenRecordsTagged("probe-") == json::array());
  CHECK_FALSE(PressedAWizardButton(emu.emulator()));
  // An action that only opens a record is data, not a dialog: the return wizard's answer.
  dir.Write("journeys/deliver.yaml", R"(name: deliver
steps:
  - name: authenticate
    authenticate: {}
  - name: order
    call: {model: sale.order, method: create, args: [{partner_id: 10, client_order_ref: "${run.tag}", order_line: [[0, 0, {product_id: 8, product_uom_qty: 1}]]}]}
    save: {order_id: $}
    record: {model: sale.order, id: "${var.order_id}"}
  - name: confirm
    call: {model: sale.order, method: action_confirm, args: [["${var.order_id}"]]}
  - name: find_delivery
    read: {model: sale.order, ids: ["${var.order_id}"], fields: [picking_ids]}
    save: {delivery_id: "$[0].picking_ids[0]"}
  - name: validate_delivery
    call: {model: stock.picking, method: button_validate, args: [["${var.delivery_id}"]], context: {skip_sms: true}}
    expect: [{equals: true}]
)");
  auto planned = Prober({"once", WriteConfig(dir, emu, s), "--output", "json"});
  INFO(planned.err << planned.out);
  CHECK(testing::JourneyResultLines(planned.out).at(0)["outcome"] == "ok");
}

TEST_CASE("a wizard a cleanup step did not plan for fails the cleanup and names it", "[journeys]") {
  RunningEmulator emu = Emulator("18.0");
  // An Odoo that shows its cancellation dialog despite disable_cancel_warning.
  emulator::Faults f;
  emulator::FaultRule rule;
  rule.match = "sale.order.action_cancel";
  rule.kind = emulator::FaultKind::kWizard;
  rule.wizard = "sale.order.cancel";
  f.rules.push_back(rule);
  emu.emulator().SetFaults(f);
  TempDir dir;
  Setup s;
  s.journeys = "journeys:\n  - name: sales_order_confirmation\n";
  auto r = Prober({"once", WriteConfig(dir, emu, s), "--output", "json"});
  CHECK(r.exit_code == 1);
  const json line = testing::JourneyResultLines(r.out).at(0);
  CHECK(line["outcome"] == "ok");
  REQUIRE(line["records"].size() == 1);
  CHECK(line["records"][0]["cleanup"] == "failed");
  CHECK(line["records"][0]["detail"] ==
        "cancel: Odoo answered with the wizard sale.order.cancel; handle it with on_action or "
        "avoid it");
  CHECK(emu.emulator().OpenRecordsTagged("probe-").size() == 2);  // the order and its delivery
}

TEST_CASE("sweep finishes a return an earlier cleanup left waiting", "[journeys]") {
  RunningEmulator emu = Emulator("17.0");
  auto& odoo = emu.emulator();
  const json stock_before = testing::StockSnapshot(odoo);
  // What the cleanup did before it knew stock_sms: the receipt returned, the return's
  // validation answered by the SMS wizard and taken for done, the order locked.
  auto call = [&](const std::string& model, const std::string& method, json args,
                  json kwargs = json::object()) {
    return testing::ExecuteKw(odoo, model, method, std::move(args), std::move(kwargs));
  };
  const int po = call("purchase.order", "create",
                      {{{"partner_id", 14},
                        {"partner_ref", "probe-0123456789ab"},
                        {"order_line", {{0, 0, {{"product_id", 5}, {"product_qty", 5}}}}}}});
  call("purchase.order", "button_confirm", {{po}});
  const int receipt = call("purchase.order", "read", {{po}, {"picking_ids"}})[0]["picking_ids"][0];
  CHECK(call("stock.picking", "button_validate", {{receipt}}) == true);
  const json active = {
      {"active_id", receipt}, {"active_ids", {receipt}}, {"active_model", "stock.picking"}};
  const int wizard =
      call("stock.return.picking", "create", json::array({json::object()}), {{"context", active}});
  const int ret = call("stock.return.picking", "create_returns", {{wizard}})["res_id"];
  CHECK(call("stock.picking", "button_validate", {{ret}})["res_model"] == "confirm.stock.sms");
  call("purchase.order", "button_done", {{po}});
  // The receipt not returned, and its return still waiting.
  REQUIRE(odoo.OpenRecordsTagged("probe-").size() == 2);
  CHECK(testing::StockSnapshot(odoo) != stock_before);

  TempDir dir;
  Setup s;
  s.journeys = "journeys:\n  - name: login\n";
  const auto path = WriteConfig(dir, emu, s);
  auto dry = Prober({"sweep", path, "--older-than", "0s", "--dry-run"});
  INFO(dry.out << dry.err);
  CHECK(dry.exit_code == 0);
  CHECK(Contains(dry.out, "purchase.order " + std::to_string(po)));
  CHECK(Contains(dry.out, "needs cleanup: verify/no_open_transfer"));
  CHECK(odoo.OpenRecordsTagged("probe-").size() == 2);
  auto off = Prober({"sweep", path, "--older-than", "0s", "--recheck", "0"});
  CHECK_FALSE(Contains(off.out, "purchase.order " + std::to_string(po)));
  auto swept = Prober({"sweep", path, "--older-than", "0s"});
  INFO(swept.out << swept.err);
  CHECK(swept.exit_code == 0);
  CHECK(Contains(swept.out, " ok, now done"));
  CHECK(odoo.OpenRecordsTagged("probe-") == json::array());
  CHECK(testing::StockSnapshot(odoo) == stock_before);
  CHECK_FALSE(PressedAWizardButton(odoo));
  // Once finished, a second sweep finds nothing to do, and says what it searched.
  auto again = Prober({"sweep", path, "--older-than", "0s"});
  CHECK(again.exit_code == 0);
  CHECK(Contains(again.out, "plant (" + emu.https_url()));
  CHECK(Contains(again.out, "database probe): searched "));
  CHECK(Contains(again.out, "final ones rechecked from "));
  CHECK(Contains(again.out, ": nothing left behind\n"));
  CHECK(std::count(again.out.begin(), again.out.end(), '\n') == 1);
}

TEST_CASE("a return whose goods a delivery holds waits, the delivery keeps them", "[journeys]") {
  RunningEmulator emu = Emulator("18.0");
  auto& odoo = emu.emulator();
  auto call = [&](const std::string& model, const std::string& method, json args,
                  json kwargs = json::object()) {
    return testing::ExecuteKw(odoo, model, method, std::move(args), std::move(kwargs));
  };
  const json stock_before = testing::StockSnapshot(odoo);
  // A probe's receipt of 5, done; its cleanup has not run yet.
  const int po = call("purchase.order", "create",
                      {{{"partner_id", 14},
                        {"partner_ref", "probe-0123456789ab"},
                        {"order_line", {{0, 0, {{"product_id", 5}, {"product_qty", 5}}}}}}});
  call("purchase.order", "button_confirm", {{po}});
  const int receipt = call("purchase.order", "read", {{po}, {"picking_ids"}})[0]["picking_ids"][0];
  const int move = call("stock.picking", "read", {{receipt}, {"move_ids"}})[0]["move_ids"][0];
  call("stock.move", "write", {{move}, {{"quantity", 5}, {"picked", true}}});
  CHECK(call("stock.picking", "button_validate", {{receipt}}) == true);
  // Meanwhile a customer's order takes every free unit, the received ones included.
  double free = 0;
  const json internal = {{"product_id", "=", 5}, {"location_id.usage", "=", "internal"}};
  for (const auto& q : call("stock.quant", "search_read", json::array({internal}),
                            {{"fields", {"quantity", "reserved_quantity"}}})) {
    free += q["quantity"].get<double>() - q["reserved_quantity"].get<double>();
  }
  REQUIRE(free >= 5);
  const int so = call("sale.order", "create",
                      {{{"partner_id", 10},
                        {"order_line", {{0, 0, {{"product_id", 5}, {"product_uom_qty", free}}}}}}});
  CHECK(call("sale.order", "action_confirm", {{so}}) == true);
  const int delivery = call("sale.order", "read", {{so}, {"picking_ids"}})[0]["picking_ids"][0];
  REQUIRE(call("stock.picking", "read", {{delivery}, {"state"}})[0]["state"] == "assigned");

  TempDir dir;
  Setup s;
  s.journeys = "journeys:\n  - name: login\n";
  const auto path = WriteConfig(dir, emu, s);
  // The return is created but not validated: it would take the delivery's goods.
  auto held = Prober({"sweep", path, "--older-than", "0s"});
  INFO(held.out << held.err);
  CHECK(held.exit_code == 1);
  CHECK(Contains(held.out, "purchase.order " + std::to_string(po)));
  CHECK(Contains(held.out, "return_fully_reserved"));
  CHECK(call("stock.picking", "read", {{delivery}, {"state"}})[0]["state"] == "assigned");
  const json open = call("stock.picking", "search_read",
                         {{{"purchase_id", "=", po}, {"state", "not in", {"done", "cancel"}}}},
                         {{"fields", {"state"}}});
  REQUIRE(open.size() == 1);
  CHECK(open[0]["state"] != "assigned");
  // Once the customer's order no longer holds them, a sweep returns the goods.
  call("sale.order", "action_cancel", {{so}}, {{"context", {{"disable_cancel_warning", true}}}});
  auto swept = Prober({"sweep", path, "--older-than", "0s"});
  INFO(swept.out << swept.err);
  CHECK(swept.exit_code == 0);
  CHECK(Contains(swept.out, " ok, now done"));
  CHECK(odoo.OpenRecordsTagged("probe-") == json::array());
  CHECK(testing::StockSnapshot(odoo) == stock_before);
  CHECK_FALSE(PressedAWizardButton(odoo));
}

TEST_CASE("a cleanup that fails is reported, fails the run, and sweep finishes it", "[journeys]") {
  RunningEmulator emu = Emulator("17.0");
  emulator::Faults f;
  f.rules.push_back({"sale.order.action_cancel", emulator::FaultKind::kOdooError, 1.0});
  emu.emulator().SetFaults(f);
  TempDir dir;
  Setup s;
  s.journeys = "journeys:\n  - name: sales_order_confirmation\n";
  const auto path = WriteConfig(dir, emu, s);
  const std::string junit = dir.path() + "/junit.xml";
  auto r = Prober({"once", path, "--output", "json", "--junit", junit});
  CHECK(r.exit_code == 1);
  auto lines = testing::JourneyResultLines(r.out);
  REQUIRE(lines.size() == 1);
  CHECK(lines[0]["outcome"] == "ok");
  REQUIRE(lines[0]["records"].size() == 1);
  CHECK(lines[0]["records"][0]["cleanup"] == "failed");
  CHECK(Contains(lines[0]["records"][0]["detail"], "cancel"));
  std::ifstream in(junit);
  std::stringstream xml;
  xml << in.rdbuf();
  CHECK(Contains(xml.str(), "<failure type=\"cleanup\""));
  // The order and the delivery it created are still open.
  const json open = emu.emulator().OpenRecordsTagged("probe-");
  REQUIRE(open.size() == 2);
  CHECK(open[0]["model"] == "sale.order");
  CHECK(open[1]["model"] == "stock.picking");
  emu.emulator().SetFaults({});
  CHECK(Prober({"sweep", path, "--older-than", "0s"}).exit_code == 0);
  CHECK(emu.emulator().OpenRecordsTagged("probe-") == json::array());
}

TEST_CASE("a hang in step 3 is a timeout of step 3, on time", "[journeys]") {
  RunningEmulator emu = Emulator("18.0");
  emulator::Faults f;
  f.rules.push_back({"product.product.search_read", emulator::FaultKind::kHang, 1.0});
  emu.emulator().SetFaults(f);
  TempDir dir;
  Setup s;
  s.timeout = "1s";
  s.journeys = "journeys:\n  - name: sales_order_confirmation\n";
  auto r = Prober({"once", WriteConfig(dir, emu, s), "--output", "json"});
  CHECK(r.exit_code == 1);
  auto lines = testing::JourneyResultLines(r.out);
  REQUIRE(lines.size() == 1);
  CHECK(lines[0]["outcome"] == "timeout");
  CHECK(lines[0]["failed_step"] == "find_product");
  REQUIRE(lines[0]["steps"].size() == 3);
  const json& step3 = lines[0]["steps"][2];
  CHECK(step3["name"] == "find_product");
  CHECK(step3["outcome"] == "timeout");
  CHECK(step3["timings"]["total_seconds"].get<double>() <= 1.2);
  CHECK(lines[0]["duration_seconds"].get<double>() <= 1.2 + 0.5);
  // The journeys[] entry's timeout bounds the whole run, in `once` as in `run`.
  s.timeout = "5s";
  s.journeys = "journeys:\n  - name: sales_order_confirmation\n    timeout: 1s\n";
  auto bounded = Prober({"once", WriteConfig(dir, emu, s), "--output", "json"});
  lines = testing::JourneyResultLines(bounded.out);
  REQUIRE(lines.size() == 1);
  CHECK(lines[0]["outcome"] == "timeout");
  CHECK(lines[0]["failed_step"] == "find_product");
  CHECK(lines[0]["duration_seconds"].get<double>() <= 1.2 + 0.5);
}

TEST_CASE("validate refuses a user journey that would do harm, unless harmless: says why not",
          "[journeys]") {
  RunningEmulator emu = Emulator("17.0");
  TempDir dir;
  Setup s;
  s.extra = "journey_dirs: [journeys]\n";
  s.journeys = "journeys:\n  - name: risky\n";
  const auto path = WriteConfig(dir, emu, s);
  // The three the issue met: a draft order left behind, the vendor renamed, SMS turned off.
  dir.Write("journeys/risky.yaml", R"(name: risky
steps:
  - name: authenticate
    authenticate: {}
  - name: find_vendor
    search_read: {model: res.partner, domain: [[ref, "=", AZURE]], fields: [id], limit: 1}
    save: {vendor_id: "$[0].id"}
  - name: draft_order
    call: {model: purchase.order, method: create, args: [{partner_id: "${var.vendor_id}"}]}
  - name: rename_vendor
    call: {model: res.partner, method: write, args: [["${var.vendor_id}"], {name: AZURE}]}
  - name: check_sms
    call: {model: stock.picking, method: search_count, args: [[]]}
    on_action:
      confirm.stock.sms:
        - name: sms_wizard
          call: {model: confirm.stock.sms, method: create, args: [{}]}
          save: {wizard_id: $}
        - name: no_sms
          call: {model: confirm.stock.sms, method: dont_send_sms, args: [["${var.wizard_id}"]]}
)");
  auto refused = Prober({"validate", path});
  INFO(refused.err);
  CHECK(refused.exit_code == 2);
  CHECK(Contains(refused.err, "risky.yaml:8:5: steps[2].call: calls purchase.order.create"));
  CHECK(Contains(refused.err, "risky.yaml:10:5: steps[3].call: calls res.partner.write"));
  CHECK(Contains(refused.err,
                 "steps[4].on_action.confirm.stock.sms[1].call: presses "
                 "confirm.stock.sms.dont_send_sms"));
  auto once = Prober({"once", path});
  CHECK(once.exit_code == 2);  // never run
  // With a problem in the config too, both are said at once.
  auto both = Prober({"validate", WriteConfig(dir, emu, [&] {
                        Setup t = s;
                        t.journeys = "journeys:\n  - name: risky\n    targets: [nowhere]\n";
                        return t;
                      }())});
  CHECK(both.exit_code == 2);
  CHECK(Contains(both.err, "no target is named 'nowhere'"));
  CHECK(Contains(both.err, "calls purchase.order.create"));
  WriteConfig(dir, emu, s);
  CHECK(emu.emulator().OpenRecordsTagged("") == json::array());

  // A read-only journey that says why its one write is fine: shown by validate and journeys.
  dir.Write("journeys/risky.yaml", R"(name: risky
steps:
  - name: authenticate
    authenticate: {}
  - name: read_user
    read: {model: res.users, ids: ["${var.uid}"], fields: [name]}
    save: {name: "$[0].name"}
  - name: same_name
    call: {model: res.users, method: write, args: [["${var.uid}"], {name: "${var.name}"}]}
    harmless: "writes the probe user's own name back unchanged"
)");
  auto ok = Prober({"validate", path});
  INFO(ok.err);
  CHECK(ok.exit_code == 0);
  CHECK(Contains(ok.out,
                 "risky: step same_name is marked harmless: writes the probe user's own "
                 "name back unchanged"));
  auto listed = Prober({"journeys", path});
  CHECK(Contains(listed.out, "harmless: step same_name: writes the probe user's own name back"));
}

TEST_CASE("once stopped mid-journey by SIGTERM or SIGINT: cancelled, cleaned up, reports written",
          "[journeys]") {
  const int sig = GENERATE(SIGTERM, SIGINT);
  INFO("signal " << sig);
  RunningEmulator emu = Emulator("17.0");
  auto& odoo = emu.emulator();
  // Confirmation never answers, within the call's 60 s timeout: only the stop ends it.
  odoo.SetFaults(testing::FailMethod("sale.order.action_confirm", emulator::FaultKind::kHang));
  TempDir dir;
  Setup s;
  s.timeout = "60s";
  s.journeys = "journeys:\n  - name: sales_order_confirmation\n  - name: login\n";
  const auto path = WriteConfig(dir, emu, s);
  const std::string junit = dir.path() + "/once.xml", json_file = dir.path() + "/once.json";
  testing::BackgroundProcess once(
      {ODOO_PROBER_BIN, "once", path, "--concurrency", "1", "--junit", junit, "--json", json_file});
  // Mid-journey: its order created and read back; the next call is the hanging confirmation
  // (a hung call is logged only once answered).
  REQUIRE(testing::Eventually([&] {
    for (const auto& call : odoo.RequestLog())
      if (call.model == "sale.order" && call.method == "read") return true;
    return false;
  }));
  const auto signalled = std::chrono::steady_clock::now();
  CHECK(once.Stop(sig) == 128 + sig);  // 143 or 130
  const auto took = std::chrono::steady_clock::now() - signalled;
  CHECK(took < std::chrono::seconds(30));  // within the grace, not at the call's timeout

  // The JSON file: the interrupted run marked cancelled, its order cleaned up.
  std::ifstream in(json_file);
  const json all = json::parse(in, nullptr, false);
  INFO(all.dump(2));
  REQUIRE(all.is_array());
  REQUIRE(all.size() == 2);
  json sales;
  for (const auto& r : all) {
    if (r["journey"] == "sales_order_confirmation") sales = r;
    if (r["journey"] == "login" && r.value("cancelled", false))
      CHECK(r["steps"].empty());  // never started, said so
  }
  REQUIRE(sales.is_object());
  CHECK(sales["cancelled"] == true);
  CHECK(sales["failed_step"] == "confirm");
  CHECK(Contains(sales["detail"].get<std::string>(), "cancelled: the prober was stopped"));
  REQUIRE(sales["records"].size() == 1);
  CHECK(sales["records"][0]["cleanup"] == "ok");
  // Read back: nothing of the probe's is open on the ERP.
  CHECK(odoo.OpenRecordsTagged("probe-") == json::array());
  const int order = sales["records"][0]["id"];
  // Gone (a draft order is deleted) or cancelled: either way, not open.
  CHECK(testing::ExecuteKw(odoo, "sale.order", "search_count",
                           json::array({json::array({json::array({"id", "=", order}),
                                                     json::array({"state", "!=", "cancel"})})})) ==
        0);
  // The JUnit file: the journey a failure "cancelled".
  std::ifstream x(junit);
  std::stringstream xml;
  xml << x.rdbuf();
  CHECK(Contains(xml.str(), "type=\"cancelled\""));
  CHECK(Contains(xml.str(), "cancelled at step confirm"));
}

TEST_CASE("a user journey from its own folder runs without recompiling", "[journeys]") {
  RunningEmulator emu = Emulator("17.0");
  TempDir dir;
  dir.Write("journeys/vendor_check.yaml", R"(name: vendor_check
description: Our custom check that the probe vendor exists and is a company.
params:
  vendor_ref: {type: string, required: true}
steps:
  - name: authenticate
    authenticate: {}
  - name: vendor
    search_read:
      model: res.partner
      domain: [[ref, "=", "${param.vendor_ref}"], [supplier_rank, ">", 0]]
      fields: [name, is_company]
    expect:
      - count: 1
      - {path: "$[0].is_company", equals: true}
    save: {vendor_name: "$[0].name"}
  - name: count_orders
    call: {model: purchase.order, method: search_count, args: [[[partner_id.name, "=", "${var.vendor_name}"]]]}
    expect: [{ge: 0}]
)");
  Setup s;
  s.extra = "journey_dirs: [journeys]\n";
  s.journeys = "journeys:\n  - name: vendor_check\n    params: {vendor_ref: AZURE}\n";
  const auto path = WriteConfig(dir, emu, s);
  auto r = Prober({"once", path, "--output", "json"});
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK(testing::JourneyResultLines(r.out).at(0)["outcome"] == "ok");
  auto listed = Prober({"journeys", path});
  CHECK(Contains(listed.out, "vendor_check"));
  CHECK(Contains(listed.out, "vendor_ref (string) required"));
  // The required parameter is checked against the config, with its position.
  s.journeys = "journeys:\n  - name: vendor_check\n";
  auto missing = Prober({"validate", WriteConfig(dir, emu, s)});
  CHECK(missing.exit_code == 2);
  CHECK(Contains(missing.err,
                 "prober.yaml:15:11: journeys[0].params.vendor_ref: journey vendor_check requires "
                 "parameter 'vendor_ref'"));
}

TEST_CASE("JUnit and JSON files", "[journeys]") {
  RunningEmulator emu = Emulator("17.0");
  emulator::Faults f;
  f.rules.push_back({"account.move.action_post", emulator::FaultKind::kHttp503, 1.0});
  emu.emulator().SetFaults(f);
  TempDir dir;
  Setup s;
  s.journeys = "journeys:\n  - name: login\n  - name: invoice_validation\n";
  const std::string junit = dir.path() + "/junit.xml", results = dir.path() + "/results.json";
  auto r = Prober({"once", WriteConfig(dir, emu, s), "--junit", junit, "--json", results});
  CHECK(r.exit_code == 1);
  auto lint = testing::RunProcess({"/usr/bin/xmllint", "--noout", junit});
  CHECK(lint.exit_code == 0);
  std::ifstream in(junit);
  std::stringstream xml;
  xml << in.rdbuf();
  const std::string text = xml.str();
  CHECK(Contains(text, "tests=\"2\" failures=\"1\""));
  CHECK(Contains(text, "<testcase classname=\"odoo-prober.plant\" name=\"login\""));
  CHECK(Contains(text, "<testcase classname=\"odoo-prober.plant\" name=\"invoice_validation\""));
  CHECK(Contains(text, "<failure type=\"http\" message=\"step post: http: HTTP 503"));
  std::ifstream jf(results);
  json all = json::parse(jf);
  REQUIRE(all.size() == 2);
  for (const auto& j : all) {
    auto back = results::FromJson(j);
    REQUIRE(back.ok());
    CHECK(results::ToJson(*back) == j);
  }
}

TEST_CASE("parameters: journey defaults < journeys[] < plant < target, and the probe company",
          "[journeys]") {
  RunningEmulator emu = Emulator("17.0");
  TempDir dir;
  Setup s;
  // The journeys[] entry asks for an unknown customer; the plant fixes it; a target override
  // would win over both.
  s.extra = "plants:\n  lyon: {params: {customer_ref: AZURE}}\n";
  s.journeys =
      "journeys:\n  - name: sales_order_confirmation\n    params: {customer_ref: NOBODY, quantity: "
      "1}\n";
  auto r = Prober({"once", WriteConfig(dir, emu, s), "--output", "json"});
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK(testing::JourneyResultLines(r.out).at(0)["service"] == "order-to-cash");
  // The journeys[] entry may also say which business service the journey proves there.
  s.extra = "plants:\n  lyon: {params: {customer_ref: NOBODY}}\n";
  s.journeys = "journeys:\n  - name: sales_order_confirmation\n    service: retail-orders\n";
  auto failed = Prober({"once", WriteConfig(dir, emu, s), "--output", "json"});
  CHECK(failed.exit_code == 1);
  CHECK(testing::JourneyResultLines(failed.out).at(0)["failed_step"] == "find_customer");
  CHECK(testing::JourneyResultLines(failed.out).at(0)["service"] == "retail-orders");
  // A probe company the user may not use: every call carries allowed_company_ids, and Odoo refuses.
  s.extra = "";
  s.journeys = "journeys:\n  - name: login\n";
  std::string text = [&] {
    std::ifstream in(WriteConfig(dir, emu, s));
    std::stringstream t;
    t << in.rdbuf();
    return t.str();
  }();
  text.replace(text.find("    labels:"), 0, "    company_id: 99\n");
  auto refused = Prober({"once", dir.Write("company.yaml", text), "--output", "json"});
  INFO(refused.err);
  CHECK(refused.exit_code == 1);
  const json line = testing::JourneyResultLines(refused.out).at(0);
  CHECK(line["failed_step"] == "read_user");
  CHECK(line["steps"][1]["odoo_error"] == "odoo.exceptions.AccessError");
  text.replace(text.find("company_id: 99"), 14, "company_id: 2");
  CHECK(Prober({"once", dir.Write("company2.yaml", text)}).exit_code == 0);
}

TEST_CASE("once --pushgateway pushes the run's metrics to a real Pushgateway", "[journeys]") {
  RunningEmulator emu = Emulator("17.0");
  TempDir dir;
  const uint16_t port = testing::UnusedPort();
  const std::string gateway = "http://127.0.0.1:" + std::to_string(port);
  testing::BackgroundProcess pushgateway(
      {"/usr/bin/prometheus-pushgateway", "--web.listen-address=127.0.0.1:" + std::to_string(port),
       "--persistence.file=" + dir.path() + "/pushgateway.data"},
      {}, testing::BackgroundProcess::Stderr::kCaptured);
  REQUIRE_FALSE(pushgateway.WaitForLine("Listening").empty());
  Setup s;
  s.extra = "instance: ci-runner-1\n";
  s.journeys = "journeys:\n  - name: login\n  - name: sales_order_confirmation\n";
  const std::string config = WriteConfig(dir, emu, s);
  auto r = Prober({"once", config, "--pushgateway", gateway});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  auto scraped =
      testing::RunProcess({"/usr/bin/curl", "-sS", "--max-time", "5", gateway + "/metrics"});
  const std::string& text = scraped.out;
  INFO(text.substr(0, 4000));
  // Grouped by job, instance and region; each pair's runs, and their failures at 0.
  for (const char* journey : {"login", "sales_order_confirmation"}) {
    CHECK(testing::MetricSum(text,
                             std::string("odoo_prober_journey_runs_total{env=\"\",instance=\"ci-"
                                         "runner-1\",job=\"odoo-prober\",journey=\"") +
                                 journey + "\",plant=\"lyon\",region=\"eu-west\"") == 1);
  }
  CHECK(testing::MetricSum(text, "odoo_prober_journey_failures_total{") == 0);
  CHECK(Contains(text,
                 "odoo_prober_journey_info{definition=\"login\",env=\"\",instance=\"ci-runner-1\","
                 "job=\"odoo-prober\",journey=\"login\",plant=\"lyon\",region=\"eu-west\","
                 "service=\"access\""));
  CHECK(Contains(text, "odoo_prober_tls_cert_not_after_timestamp_seconds{"));
  CHECK(Contains(
      text, "push_time_seconds{instance=\"ci-runner-1\",job=\"odoo-prober\",region=\"eu-west\"}"));
  // The next push replaces the group: one run per journey still, not two.
  CHECK(Prober({"once", config, "--pushgateway", gateway, "--journey", "login"}).exit_code == 0);
  scraped = testing::RunProcess({"/usr/bin/curl", "-sS", "--max-time", "5", gateway + "/metrics"});
  CHECK(testing::MetricSum(scraped.out, "odoo_prober_journey_runs_total{") == 1);
  // A gateway that is not there: said, exit 3, the results still printed.
  auto gone = Prober({"once", config, "--journey", "login", "--pushgateway",
                      "http://127.0.0.1:" + std::to_string(testing::UnusedPort())});
  CHECK(gone.exit_code == 3);
  CHECK(Contains(gone.err, "pushgateway http://127.0.0.1:"));
  CHECK(Contains(gone.err, "cannot push the group instance=ci-runner-1, region=eu-west"));
  CHECK(Contains(gone.out, "login"));
}

TEST_CASE("once inspects each TLS endpoint once and reports findings", "[journeys][tls]") {
  RunningEmulator emu = Emulator("17.0");
  TempDir dir;
  Setup s;
  s.journeys = "journeys:\n  - name: login\n  - name: invoice_validation\n";
  const auto path = WriteConfig(dir, emu, s);
  auto tls_lines = [](const std::string& out) {
    std::vector<json> found;
    std::istringstream in(out);
    for (std::string line; std::getline(in, line);) {
      auto j = json::parse(line, nullptr, false);
      if (!j.is_discarded() && j.value("type", "") == "tls") found.push_back(j);
    }
    return found;
  };
  auto r = Prober({"once", path, "--output", "json"});
  CHECK(r.exit_code == 0);
  auto reports = tls_lines(r.out);
  REQUIRE(reports.size() == 1);  // two journeys, one endpoint
  CHECK(reports[0]["target"] == "plant");
  CHECK(reports[0]["trusted"] == true);
  CHECK(reports[0]["findings"].empty());
  CHECK(reports[0]["chain_expiry_timestamp_seconds"].get<int64_t>() > 0);
  auto table = Prober({"once", path});
  CHECK(Contains(table.out, "TLS localhost:"));
  CHECK(Contains(table.out, "no findings"));
  // An expired certificate: the journeys fail on TLS and the report says why.
  emulator::Faults f;
  f.certificate = "expired";
  emu.emulator().SetFaults(f);
  auto expired = Prober({"once", path, "--output", "json"});
  CHECK(expired.exit_code == 1);
  auto bad = tls_lines(expired.out);
  REQUIRE(bad.size() == 1);
  REQUIRE(bad[0]["findings"].size() == 1);
  CHECK(bad[0]["findings"][0]["kind"] == "expired");
  CHECK(bad[0]["findings"][0]["severity"] == "critical");
}

TEST_CASE("odoo-prober tls inspects one endpoint ad hoc", "[journeys][tls]") {
  RunningEmulator emu = Emulator("17.0");
  auto ok = Prober({"tls", emu.https_url(), "--ca", emu.pki().ca_cert, "--output", "json"});
  CHECK(ok.exit_code == 0);
  const json report = json::parse(ok.out);
  CHECK(report["trusted"] == true);
  CHECK(report["findings"].empty());
  CHECK(report["verified"].size() == 2);
  auto table = Prober({"tls", emu.https_url(), "--ca", emu.pki().ca_cert});
  CHECK(Contains(table.out, "no findings"));
  CHECK(Contains(table.out, "chain expires"));
  auto rogue =
      Prober({"tls", emu.untrusted_https_url(), "--ca", emu.pki().ca_cert, "--output", "json"});
  CHECK(rogue.exit_code == 1);
  CHECK(json::parse(rogue.out)["findings"][0]["kind"] == "self_signed");
  auto soon = Prober(
      {"tls", emu.https_url(), "--ca", emu.pki().ca_cert, "--warning", "400d", "--output", "json"});
  CHECK(soon.exit_code == 1);  // the 1-year certificate is within a 400-day warning window
  CHECK(Prober({"tls", "ftp://x"}).exit_code == 2);
  CHECK(Prober({"tls", "host:99999"}).exit_code == 2);
}

TEST_CASE("live progress on a terminal, plain lines otherwise", "[journeys]") {
  RunningEmulator emu = Emulator("17.0");
  TempDir dir;
  Setup s;
  s.journeys = "journeys:\n  - name: login\n  - name: invoice_validation\n";
  const auto path = WriteConfig(dir, emu, s);
  // Not a terminal: one plain line per finished journey on stderr, the table on stdout.
  auto plain = Prober({"once", path});
  CHECK(plain.exit_code == 0);
  CHECK_FALSE(Contains(plain.err, "\x1b["));
  CHECK(Contains(plain.err, "ok login on plant in "));
  CHECK(Contains(plain.out, "JOURNEY"));
  // A terminal (script(1) gives the prober a pseudo-terminal): lines redrawn in place.
  auto tty = testing::RunProcess(
      {"/usr/bin/script", "-qec", std::string(ODOO_PROBER_BIN) + " once " + path, "/dev/null"});
  CHECK(tty.exit_code == 0);
  CHECK(Contains(tty.out, "\x1b[2A"));  // cursor back up over the two journey lines
  CHECK(Contains(tty.out, "running"));
  CHECK(Contains(tty.out, "invoice_validation on plant"));
}

TEST_CASE("sweep neutralises probe records left behind", "[journeys]") {
  RunningEmulator emu = Emulator("18.0");
  TempDir dir;
  // A journey that creates tagged records and does not register them for cleanup.
  dir.Write("journeys/leaky.yaml", R"(name: leaky
steps:
  - name: authenticate
    authenticate: {}
  - name: order
    call: {model: sale.order, method: create, args: [{partner_id: 10, client_order_ref: "${run.tag}"}]}
    harmless: "leaks on purpose, for sweep to find, on the emulator"
    save: {order_id: $}
  - name: confirm
    call: {model: sale.order, method: action_confirm, args: [["${var.order_id}"]]}
  - name: invoice
    call: {model: account.move, method: create, args: [{move_type: out_invoice, partner_id: 10, ref: "${run.tag}", invoice_line_ids: [[0, 0, {product_id: 5, price_unit: 10}]]}]}
    harmless: "leaks on purpose, for sweep to find, on the emulator"
    save: {invoice_id: $}
  - name: post
    call: {model: account.move, method: action_post, args: [["${var.invoice_id}"]]}
)");
  Setup s;
  s.extra = "journey_dirs: [journeys]\n";
  s.journeys = "journeys:\n  - name: leaky\n";
  const auto path = WriteConfig(dir, emu, s);
  REQUIRE(Prober({"once", path}).exit_code == 0);
  REQUIRE(emu.emulator().OpenRecordsTagged("probe-").size() == 2);
  auto dry = Prober({"sweep", path, "--older-than", "0s", "--dry-run"});
  CHECK(dry.exit_code == 0);
  CHECK(Contains(dry.out, "sale.order"));
  CHECK(Contains(dry.out, "would be neutralised"));
  CHECK(Contains(dry.out, "): searched "));
  CHECK(Contains(dry.out, ": 2 to neutralise\n"));
  CHECK(emu.emulator().OpenRecordsTagged("probe-").size() == 2);
  // Records younger than the age are left alone.
  auto young = Prober({"sweep", path, "--older-than", "1h"});
  CHECK(young.exit_code == 0);
  CHECK(emu.emulator().OpenRecordsTagged("probe-").size() == 2);
  auto swept = Prober({"sweep", path, "--older-than", "0s"});
  INFO(swept.out << swept.err);
  CHECK(swept.exit_code == 0);
  CHECK(emu.emulator().OpenRecordsTagged("probe-") == json::array());
}

TEST_CASE("sweep lists a record once when two targets share its database", "[journeys]") {
  RunningEmulator emu = Emulator("17.0");
  auto call = [&](const std::string& model, const std::string& method, json args) {
    return testing::ExecuteKw(emu.emulator(), model, method, std::move(args));
  };
  const int order = call("sale.order", "create",
                         {{{"partner_id", 10}, {"client_order_ref", "probe-00000000beef"}}});
  TempDir dir;
  Setup s;
  // A second plant on the same ERP and database, as two plants' companies are.
  s.extra = "  - name: plant-b\n    url: " + emu.https_url() +
            "/\n    database: probe\n    protocol: jsonrpc\n    login: admin\n"
            "    password_file: secret\n    tls: {ca_file: " +
            emu.pki().ca_cert + "}\n    labels: {region: eu-west, plant: porto}\n";
  s.journeys = "journeys:\n  - name: login\n";
  const auto path = WriteConfig(dir, emu, s);
  auto dry = Prober({"sweep", path, "--older-than", "0s", "--dry-run"});
  INFO(dry.out << dry.err);
  CHECK(dry.exit_code == 0);
  const std::string listed = "sale.order " + std::to_string(order) + " ";
  const auto first = dry.out.find(listed);
  REQUIRE(first != std::string::npos);
  CHECK(dry.out.find(listed, first + 1) == std::string::npos);
  CHECK(Contains(dry.out, "plant (" + emu.https_url()));
  CHECK(Contains(dry.out, ": 1 to neutralise\n"));
  CHECK(Contains(dry.out, "plant-b (" + emu.https_url()));
  CHECK(Contains(dry.out, "1 already listed for a target on this database"));

  auto swept = Prober({"sweep", path, "--older-than", "0s"});
  INFO(swept.out << swept.err);
  CHECK(swept.exit_code == 0);
  CHECK(emu.emulator().OpenRecordsTagged("probe-") == json::array());
}

}  // namespace
}  // namespace odoo_prober
