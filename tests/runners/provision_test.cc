// Preparing Odoo for probing: odoo-prober provision and validate --online against the emulator.
#include <catch2/catch.hpp>
#include <sstream>

#include "tests/runners/prober_process.h"
#include "tests/support/emulator_support.h"

namespace odoo_prober {
namespace {

using nlohmann::json;
using testing::Contains;
using testing::RunningEmulator;
using testing::TempDir;

constexpr const char* kJourneys = R"(journeys:
  - name: login
  - name: sales_order_confirmation
  - name: goods_receipt
  - name: goods_receipt
    id: goods_receipt_backorder
    params: {receive_quantity: 3}
  - name: work_order_release
  - name: invoice_validation
)";

std::string Config(const TempDir& dir, RunningEmulator& emu, const std::string& journeys,
                   const std::string& name = "prober.yaml") {
  dir.Write("secret", "admin\n");
  std::ostringstream y;
  y << "version: 1\ntargets:\n  - name: plant\n    url: " << emu.https_url()
    << "\n    database: probe\n    protocol: jsonrpc\n    login: admin\n    password_file: secret\n"
    << "    tls: {ca_file: " << emu.pki().ca_cert << "}\n"
    << journeys;
  return dir.Write(name, y.str());
}

int Count(emulator::OdooEmulator& emu, const std::string& model, const json& domain) {
  return testing::ExecuteKw(emu, model, "search_count", json::array({domain}));
}

// The `journeys:` block provision prints for the config.
std::string PrintedJourneys(const std::string& out) {
  const auto at = out.find("\njourneys:\n");
  REQUIRE(at != std::string::npos);
  return out.substr(at + 1);
}

TEST_CASE("provision creates the probe data once, and the journeys pass with its params",
          "[provision]") {
  const std::string version = GENERATE("16.0", "17.0", "18.0", "19.0");
  INFO("Odoo " << version);
  emulator::EmulatorOptions o = testing::Personality(version);
  o.work_orders = true;
  o.probe_data = false;  // the demo database alone: provision creates it
  RunningEmulator emu(o);
  auto& odoo = emu.emulator();
  TempDir dir;
  const auto path = Config(dir, emu, kJourneys);
  const json probe_customer = json::array({json::array({"ref", "=", "PROBE-CUSTOMER"})});

  auto dry = testing::RunProber({"provision", path, "--dry-run"});
  INFO(dry.out << dry.err);
  CHECK(dry.exit_code == 0);
  CHECK(Contains(dry.out, "would create res.partner PROBE-CUSTOMER"));
  CHECK(Contains(dry.out, "would create mrp.bom of PROBE-MANUFACTURED"));
  CHECK(Count(odoo, "res.partner", probe_customer) == 0);  // a dry run writes nothing
  CHECK(Count(odoo, "product.product",
              json::array({json::array({"default_code", "=like", "PROBE-%"})})) == 0);

  auto first = testing::RunProber({"provision", path});
  INFO(first.out << first.err);
  CHECK(first.exit_code == 0);
  for (const char* created :
       {"created  res.partner", "PROBE-CUSTOMER", "PROBE-VENDOR", "product.product", "PROBE-ITEM",
        "PROBE-COMPONENT", "PROBE-MANUFACTURED", "created  mrp.workcenter", "created  mrp.bom"}) {
    CHECK(Contains(first.out, created));
  }
  CHECK(Count(odoo, "res.partner", probe_customer) == 1);
  // Recognisable, and consumables: probe receipts keep no stock.
  const json item = testing::ExecuteKw(
      odoo, "product.product", "search_read",
      json::array({json::array({json::array({"default_code", "=", "PROBE-ITEM"})})}),
      {{"fields", version == "16.0" || version == "17.0" ? json({"name", "type"})
                                                         : json({"name", "type", "is_storable"})}});
  REQUIRE(item.size() == 1);
  CHECK(item[0]["name"] == "Probe Item");
  CHECK(item[0]["type"] == "consu");
  if (item[0].contains("is_storable")) CHECK(item[0]["is_storable"] == false);

  auto second = testing::RunProber({"provision", path});
  CHECK(second.exit_code == 0);
  CHECK_FALSE(Contains(second.out, "created"));
  CHECK(Contains(second.out, "nothing to create"));
  CHECK(Count(odoo, "res.partner", probe_customer) == 1);

  // The printed params, pasted into the config.
  const auto pasted = Config(dir, emu, PrintedJourneys(second.out), "pasted.yaml");
  auto online = testing::RunProber({"validate", pasted, "--online"});
  INFO(online.out << online.err);
  CHECK(online.exit_code == 0);
  CHECK(Contains(online.out, "plant: work_order_release: ok"));
  const json stock = testing::StockSnapshot(odoo);
  auto run = testing::RunProber({"once", pasted, "--output", "json"});
  INFO(run.out << run.err);
  CHECK(run.exit_code == 0);
  const auto lines = testing::JourneyResultLines(run.out);
  CHECK(lines.size() == 6);
  for (const auto& l : lines) {
    CHECK(l["outcome"] == "ok");
    for (const auto& rec : l["records"]) CHECK(rec["cleanup"] == "ok");
  }
  CHECK(odoo.OpenRecordsTagged("probe-") == json::array());
  CHECK(testing::StockSnapshot(odoo) == stock);
}

TEST_CASE("provision's journeys: block keeps every field of each entry", "[provision]") {
  emulator::EmulatorOptions o = testing::Personality("17.0");
  RunningEmulator emu(o);
  TempDir dir;
  const auto path = Config(dir, emu, R"(journeys:
  - name: login
    interval: 5m
  - name: sales_order_confirmation
    targets: [plant]
    interval: 90s
    timeout: 45s
    service: order-to-cash-eu
    step_histograms: true
    params: {quantity: 2}
  - name: goods_receipt
    id: goods_receipt_backorder
    stock_moves: allowed
    params: {receive_quantity: 3}
)");
  auto r = testing::RunProber({"provision", path});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  const std::string block = PrintedJourneys(r.out);
  CHECK(Contains(block, "  - name: login\n    interval: 5m\n"));
  CHECK(Contains(block,
                 "  - name: sales_order_confirmation\n    targets: [plant]\n    interval: 90s\n"
                 "    timeout: 45s\n    service: order-to-cash-eu\n    step_histograms: true\n"
                 "    params: {"));
  CHECK(Contains(block, "quantity: 2"));
  CHECK(Contains(block,
                 "  - name: goods_receipt\n    id: goods_receipt_backorder\n"
                 "    stock_moves: allowed\n    params: {"));
  // Pasted, it is the same plan.
  const auto pasted = Config(dir, emu, block, "pasted.yaml");
  auto before = testing::RunProber({"validate", path});
  auto after = testing::RunProber({"validate", pasted});
  INFO(after.err);
  CHECK(after.exit_code == 0);
  CHECK(after.out.substr(after.out.find('\n')) == before.out.substr(before.out.find('\n')));
}

TEST_CASE("without the Work Orders setting, provision and validate --online name it",
          "[provision]") {
  emulator::EmulatorOptions o = testing::Personality("16.0");  // the setting off, as 16.0's demo
  o.probe_data = false;
  RunningEmulator emu(o);
  TempDir dir;
  // The demo's manufactured product, to show the lookup that the setting breaks.
  std::string journeys = kJourneys;
  const std::string wo = "  - name: work_order_release\n";
  journeys.replace(journeys.find(wo), wo.size(), wo + "    params: {product_code: FURN_9666}\n");
  const auto path = Config(dir, emu, journeys);
  auto r = testing::RunProber({"provision", path});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 1);
  CHECK(Contains(r.out,
                 "missing: work_order_release needs the Odoo setting Work Orders (Manufacturing > "
                 "Configuration > Settings > Operations), which is off (group "
                 "mrp.group_mrp_routings)"));
  CHECK(Contains(r.out, "created  res.partner"));               // what it may create, it did
  CHECK(Count(emu.emulator(), "mrp.bom", json::array()) == 1);  // no probe bill of materials
  auto online = testing::RunProber({"validate", path, "--online"});
  CHECK(online.exit_code == 1);
  CHECK(Contains(online.out, "plant: work_order_release: needs the Odoo setting Work Orders"));
  // The demo BoM's operation is archived: the lookup fails too, naming the parameter.
  CHECK(Contains(online.out,
                 "plant: work_order_release: parameter product_code = \"FURN_9666\": "
                 "step find_bom: expected $[0].operation_ids not empty"));
  CHECK(Contains(online.out, "plant: login: ok"));
}

// The emulator's probe data (EmulatorOptions::probe_data, the tests' default) is what provision
// makes: on every personality, provision finds all of it and creates nothing.
TEST_CASE("provision finds the emulator's probe data and creates nothing", "[provision]") {
  const std::string version = GENERATE("16.0", "17.0", "18.0", "19.0");
  INFO("Odoo " << version);
  emulator::EmulatorOptions o = testing::Personality(version);
  o.work_orders = true;
  RunningEmulator emu(o);
  TempDir dir;
  auto r = testing::RunProber({"provision", Config(dir, emu, kJourneys)});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  for (const char* found : {"found    res.partner", "PROBE-CUSTOMER", "PROBE-VENDOR",
                            "found    product.product", "PROBE-ITEM", "PROBE-COMPONENT",
                            "PROBE-MANUFACTURED", "found    mrp.workcenter", "found    mrp.bom"}) {
    CHECK(Contains(r.out, found));
  }
  CHECK(Contains(r.out, "nothing to create"));
}

TEST_CASE("validate --online names a parameter that does not resolve", "[provision]") {
  RunningEmulator emu(testing::Personality("18.0"));
  TempDir dir;
  const auto path = Config(dir, emu, R"(journeys:
  - name: sales_order_confirmation
    params: {customer_ref: NOBODY}
  - name: goods_receipt
    params: {product_code: NO-SUCH-PRODUCT}
  - name: invoice_validation
)");
  auto r = testing::RunProber({"validate", path, "--online"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 1);
  CHECK(Contains(r.out,
                 "plant: sales_order_confirmation: parameter customer_ref = \"NOBODY\": "
                 "step find_customer: expected 1 item(s) in the answer, got 0"));
  CHECK(Contains(r.out,
                 "plant: goods_receipt: parameter product_code = \"NO-SUCH-PRODUCT\": "
                 "step find_product: expected 1 item(s) in the answer, got 0"));
  CHECK(Contains(r.out, "plant: invoice_validation: ok"));
  // Nothing was written: the lookups stop before the first step that would.
  CHECK(Count(emu.emulator(), "sale.order", json::array()) == 0);
  CHECK(Count(emu.emulator(), "account.move", json::array()) == 0);
  // Offline, the same configuration is valid.
  CHECK(testing::RunProber({"validate", path}).exit_code == 0);
}

}  // namespace
}  // namespace odoo_prober
