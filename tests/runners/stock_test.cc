// Probe journeys never touch real stock. On the emulator, which reserves arriving goods for the
// deliveries waiting for them as Odoo does: the stock guard refuses a storable product before
// any write (validate --online and the journey itself); `stock_moves: allowed` lets it through,
// and the daemon retries the cleanup that the waiting delivery blocks until it can, its leftover
// gauge back at 0; the provisioned consumables reserve nothing; a target without them is told
// to run provision; and the daemon at its cadence leaves no trace, run after run.
#include <catch2/catch.hpp>
#include <fstream>
#include <map>
#include <sstream>

#include "tests/runners/prober_process.h"
#include "tests/support/emulator_support.h"

namespace odoo_prober {
namespace {

using nlohmann::json;
using testing::BackgroundProcess;
using testing::Contains;
using testing::RunningEmulator;
using testing::TempDir;
using namespace std::chrono_literals;

constexpr int kOfficeChair = 5;  // FURN_7777 in the demo data: storable
constexpr int kDecoAddict = 10;  // a demo customer

std::string WriteConfig(const TempDir& dir, RunningEmulator& emu, const std::string& journeys,
                        const std::string& extra = "") {
  dir.Write("secret", "admin\n");
  std::ostringstream y;
  y << "version: 1\ninstance: stock-test\nadmin: {listen: \"127.0.0.1:0\"}\n"
    << "results: {jsonl: results.jsonl}\n"
    << extra << "targets:\n  - name: plant\n    url: " << emu.https_url()
    << "\n    database: probe\n    login: admin\n    password_file: secret\n    timeout: 5s\n"
    << "    tls: {ca_file: " << emu.pki().ca_cert << "}\n"
    << "    labels: {region: eu-west, plant: lyon}\n"
    << journeys;
  return dir.Write("prober.yaml", y.str());
}

// A standard install of `version` (Work Orders on), with or without the probe master data.
RunningEmulator Emulator(const std::string& version, bool probe_data = true) {
  emulator::EmulatorOptions o = testing::Personality(version);
  o.work_orders = true;
  o.probe_data = probe_data;
  return RunningEmulator(o);
}

// A customer's order of the Office Chair for 3 more than the free stock: its delivery waits for
// goods. Returns the sale order and its delivery.
std::pair<int, int> WaitingDelivery(emulator::OdooEmulator& odoo) {
  auto call = [&](const std::string& model, const std::string& method, json args,
                  json kwargs = json::object()) {
    return testing::ExecuteKw(odoo, model, method, std::move(args), std::move(kwargs));
  };
  double free = 0;
  const json internal = {{"product_id", "=", kOfficeChair}, {"location_id.usage", "=", "internal"}};
  for (const auto& q : call("stock.quant", "search_read", json::array({internal}),
                            {{"fields", {"quantity", "reserved_quantity"}}})) {
    free += q["quantity"].get<double>() - q["reserved_quantity"].get<double>();
  }
  const int so = call(
      "sale.order", "create",
      {{{"partner_id", kDecoAddict},
        {"order_line", {{0, 0, {{"product_id", kOfficeChair}, {"product_uom_qty", free + 3}}}}}}});
  REQUIRE(call("sale.order", "action_confirm", {{so}}) == true);
  const int delivery = call("sale.order", "read", {{so}, {"picking_ids"}})[0]["picking_ids"][0];
  REQUIRE(call("stock.picking", "read", {{delivery}, {"state"}})[0]["state"] == "confirmed");
  return {so, delivery};
}

std::string PickingName(emulator::OdooEmulator& odoo, int picking) {
  return testing::ExecuteKw(odoo, "stock.picking", "read", {{picking}, {"name"}})[0]["name"];
}

size_t Count(emulator::OdooEmulator& odoo, const std::string& model) {
  return testing::ExecuteKw(odoo, model, "search_count", json::array({json::array()}))
      .get<size_t>();
}

using testing::HttpGet;

// The daemon, its log (info and up) joining its output, for WaitForLine.
struct Daemon : testing::ProberDaemon {
  explicit Daemon(const std::string& config)
      : ProberDaemon(config, "20", BackgroundProcess::Stderr::kCaptured, {"--log-level", "info"}) {}
};

TEST_CASE("stock guard: a storable product with a waiting delivery is refused before any write",
          "[stock]") {
  const std::string version = GENERATE("17.0", "18.0");
  INFO("Odoo " << version);
  RunningEmulator emu = Emulator(version);
  auto& odoo = emu.emulator();
  const auto [so, delivery] = WaitingDelivery(odoo);
  const json stock_before = testing::StockSnapshot(odoo);
  const size_t orders_before = Count(odoo, "purchase.order");
  TempDir dir;
  const auto config = WriteConfig(
      dir, emu, "journeys:\n  - {name: goods_receipt, params: {product_code: FURN_7777}}\n");

  // validate --online names target, journey, parameter, product, why and the waiting delivery.
  auto check = testing::RunProber({"validate", "--online", config});
  INFO(check.out << check.err);
  CHECK(check.exit_code == 1);
  CHECK(Contains(check.out,
                 "plant: goods_receipt: step stock_guard: product_code = \"FURN_7777\": "
                 "[FURN_7777] Office Chair keeps stock (" +
                     std::string(version == "18.0" ? "is_storable" : "type: product") +
                     "): the goods a probe receives are reserved at once for the 1 "
                     "move already waiting for it (" +
                     PickingName(odoo, delivery) + ")"));
  CHECK(Contains(check.out, "say `stock_moves: allowed` on this journey's entry"));

  // The journey itself refuses it before its first write: no purchase order, stock untouched.
  auto once = testing::RunProber({"once", config, "--output", "json"});
  INFO(once.out << once.err);
  CHECK(once.exit_code == 1);
  const auto lines = testing::JourneyResultLines(once.out);
  REQUIRE(lines.size() == 1);
  CHECK(lines[0]["outcome"] == "assertion");
  CHECK(lines[0]["failed_step"] == "stock_guard");
  CHECK(Contains(lines[0]["detail"].get<std::string>(), "Office Chair keeps stock"));
  CHECK(lines[0]["records"].empty());
  CHECK(Count(odoo, "purchase.order") == orders_before);
  CHECK(testing::StockSnapshot(odoo) == stock_before);
  CHECK(odoo.OpenRecordsTagged("probe-") == json::array());
}

TEST_CASE("stock_moves: allowed runs it, and the daemon retries the blocked undo until it can",
          "[stock]") {
  const std::string version = GENERATE("17.0", "18.0");
  INFO("Odoo " << version);
  RunningEmulator emu = Emulator(version);
  auto& odoo = emu.emulator();
  const json stock_before = testing::StockSnapshot(odoo);
  const auto [so, delivery] = WaitingDelivery(odoo);
  TempDir dir;
  const auto config = WriteConfig(dir, emu,
                                  "journeys:\n  - {name: goods_receipt, interval: 20s, timeout: "
                                  "20s, params: {product_code: FURN_7777}, stock_moves: allowed}\n",
                                  "leftovers: {retry_min: 1s, retry_max: 2s}\n");
  Daemon d(config);
  // The receipt is done, and the delivery takes the goods at once: the return waits, and the
  // run's cleanup fails. The daemon keeps both records and retries them.
  const bool retried = !d.process.WaitForLine("still open after try 2", 30s).empty();
  INFO(d.process.output());
  REQUIRE(retried);
  const std::string metrics = HttpGet(d.url + "/metrics");
  INFO(metrics);
  CHECK(testing::MetricSum(metrics, "odoo_prober_leftover_records{") == 2);
  CHECK(testing::MetricSum(metrics, "odoo_prober_leftover_oldest_timestamp_seconds{") > 1.7e9);
  const std::string status = HttpGet(d.url + "/status");
  CHECK(Contains(status, "Leftover records"));
  CHECK(Contains(status, "return_fully_reserved"));
  CHECK(testing::ExecuteKw(odoo, "stock.picking", "read", {{delivery}, {"state"}})[0]["state"] ==
        "assigned");

  // The customer's order no longer holds the goods: the next retry returns them.
  testing::ExecuteKw(odoo, "sale.order", "action_cancel", {{so}},
                     {{"context", {{"disable_cancel_warning", true}}}});
  REQUIRE(testing::Eventually(
      [&] {
        const std::string m = HttpGet(d.url + "/metrics");
        return Contains(m, "odoo_prober_leftover_records{") &&
               testing::MetricSum(m, "odoo_prober_leftover_records{") == 0;
      },
      30s));
  const std::string after = HttpGet(d.url + "/metrics");
  CHECK_FALSE(Contains(after, "odoo_prober_leftover_oldest_timestamp_seconds{"));
  CHECK_FALSE(Contains(HttpGet(d.url + "/status"), "Leftover records"));
  CHECK_FALSE(d.process.WaitForLine("cleaned up at try", 5s).empty());
  CHECK(d.process.Stop() == 0);
  CHECK(odoo.OpenRecordsTagged("probe-") == json::array());
  CHECK(testing::StockSnapshot(odoo) == stock_before);
}

TEST_CASE("the provisioned consumables pass, a waiting delivery gets nothing from a probe",
          "[stock]") {
  const std::string version = GENERATE("17.0", "18.0");
  INFO("Odoo " << version);
  RunningEmulator emu = Emulator(version);
  auto& odoo = emu.emulator();
  const auto [so, delivery] = WaitingDelivery(odoo);
  const json stock_before = testing::StockSnapshot(odoo);
  TempDir dir;
  // The built-in journeys on their defaults: the probe master data provision creates.
  const auto config = WriteConfig(dir, emu,
                                  "journeys:\n  - name: sales_order_confirmation\n"
                                  "  - name: goods_receipt\n  - name: work_order_release\n"
                                  "  - name: invoice_validation\n");
  auto check = testing::RunProber({"validate", "--online", config});
  INFO(check.out << check.err);
  CHECK(check.exit_code == 0);
  auto once = testing::RunProber({"once", config, "--output", "json"});
  INFO(once.out << once.err);
  CHECK(once.exit_code == 0);
  const auto lines = testing::JourneyResultLines(once.out);
  REQUIRE(lines.size() == 4);
  for (const auto& l : lines) {
    INFO(l.dump());
    CHECK(l["outcome"] == "ok");
    // The guard ran before each stock journey's first write, and let the consumables through.
    if (l["journey"] != "invoice_validation") {
      bool guarded = false;
      for (const auto& s : l["steps"]) guarded = guarded || s["name"] == "stock_guard";
      CHECK(guarded);
    }
  }
  CHECK(testing::ExecuteKw(odoo, "stock.picking", "read", {{delivery}, {"state"}})[0]["state"] ==
        "confirmed");
  CHECK(testing::StockSnapshot(odoo) == stock_before);
  CHECK(odoo.OpenRecordsTagged("probe-") == json::array());
}

TEST_CASE("a target without the probe master data is told to run provision", "[stock]") {
  RunningEmulator emu = Emulator("18.0", /*probe_data=*/false);
  TempDir dir;
  const auto config =
      WriteConfig(dir, emu, "journeys:\n  - name: login\n  - name: sales_order_confirmation\n");
  auto check = testing::RunProber({"validate", "--online", config});
  INFO(check.out << check.err);
  CHECK(check.exit_code == 1);
  CHECK(Contains(check.out, "plant: login: ok"));
  CHECK(Contains(check.out,
                 "plant: sales_order_confirmation: parameter customer_ref = "
                 "\"PROBE-CUSTOMER\": step find_customer:"));
  CHECK(Contains(check.out, "run `odoo-prober provision " + config + "` to create it"));
  // provision creates it; then validate passes.
  auto prov = testing::RunProber({"provision", config});
  INFO(prov.out << prov.err);
  CHECK(prov.exit_code == 0);
  CHECK(testing::RunProber({"validate", "--online", config}).exit_code == 0);
}

TEST_CASE("journeys lists the products each journey moves and the probe data it defaults to",
          "[stock]") {
  auto r = testing::RunProber({"journeys"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK(Contains(r.out, "product_code (string) default \"PROBE-ITEM\""));
  CHECK(Contains(r.out,
                 "stock: product_code names a product (by default_code) whose stock it "
                 "moves (receipt); one that keeps stock is refused unless the entry says "
                 "stock_moves: allowed"));
  CHECK(Contains(r.out, "moves (production)"));
  CHECK_FALSE(Contains(r.out, "FURN_"));
}

// The daemon at its cadence, compressed (every journey every 2 s rather than every minute, the
// same sequence of runs against one database): bench/cadence runs the real 60 s x 5 minutes.
TEST_CASE("at the daemon's cadence the five journeys leave no trace, run after run", "[stock]") {
  RunningEmulator emu = Emulator("18.0");
  auto& odoo = emu.emulator();
  const auto [so, delivery] = WaitingDelivery(odoo);
  const json stock_before = testing::StockSnapshot(odoo);
  TempDir dir;
  std::string journeys = "journeys:\n";
  for (const char* j : {"login", "sales_order_confirmation", "goods_receipt", "work_order_release",
                        "invoice_validation"})
    journeys += "  - {name: " + std::string(j) + ", interval: 2s, timeout: 2s}\n";
  Daemon d(WriteConfig(dir, emu, journeys));
  constexpr int kRuns = 5;
  REQUIRE(testing::Eventually(
      [&] {
        return testing::MetricSum(HttpGet(d.url + "/metrics"), "odoo_prober_journey_runs_total{") >=
               5 * kRuns + 5;
      },
      35s));
  const std::string metrics = HttpGet(d.url + "/metrics");
  CHECK(testing::MetricSum(metrics, "odoo_prober_leftover_records{") == 0);
  CHECK(d.process.Stop() == 0);
  std::ifstream in(dir.path() + "/results.jsonl");
  std::stringstream text;
  text << in.rdbuf();
  std::map<std::string, int> runs;
  for (const auto& l : testing::JourneyResultLines(text.str())) {
    INFO(l.dump());
    CHECK(l["outcome"] == "ok");
    for (const auto& rec : l["records"]) CHECK(rec["cleanup"] == "ok");
    ++runs[l["journey"].get<std::string>()];
  }
  REQUIRE(runs.size() == 5);
  for (const auto& [journey, n] : runs) {
    INFO(journey);
    CHECK(n >= kRuns);
  }
  CHECK(odoo.OpenRecordsTagged("probe-") == json::array());
  CHECK(testing::StockSnapshot(odoo) == stock_before);
  CHECK(testing::ExecuteKw(odoo, "stock.picking", "read", {{delivery}, {"state"}})[0]["state"] ==
        "confirmed");
}

}  // namespace
}  // namespace odoo_prober
