// The SLO report against a synthetic history whose figures are computed by hand (see each
// CHECK's comment).
#include "results/report.h"

#include <catch2/catch.hpp>

#include "results/sqlite_sink.h"
#include "tests/support/support.h"

namespace odoo_prober::results {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::system_clock;

// 2026-11-20T00:00:00Z
const Clock::time_point kUntil = Clock::from_time_t(1795132800);

JourneyResult Run(const std::string& journey, const std::string& service, Clock::time_point ended,
                  double seconds, prober::Outcome outcome, const std::string& failed_step = "",
                  bool cleaned = true) {
  JourneyResult r;
  r.run_id = journey;  // appended: GCC 12's -Wrestrict false positive (bug 105329)
  r.run_id += std::to_string(ended.time_since_epoch().count());
  r.journey = journey;
  r.service = service;
  r.target = "lyon";
  r.labels = {"eu-west", "lyon", "prod"};
  r.duration_us = static_cast<int64_t>(seconds * 1e6);
  r.started_at = ended - std::chrono::microseconds(r.duration_us);
  r.outcome = outcome;
  r.failed_step = failed_step;
  r.protocol = "jsonrpc";
  r.records.push_back({"purchase.order", 7, cleaned ? "ok" : "failed", "", ""});
  return r;
}

TEST_CASE("report: SLIs, percentiles, budget and burn rates by hand", "[report]") {
  testing::TempDir dir;
  const std::string path = dir.path() + "/history.db";
  {
    auto sink = CreateSqliteSink({path, 30});
    REQUIRE(sink.ok());
    // goods_receipt: 20 runs, run i ending (i + 0.5) h before the end and taking (i + 1) x 0.5 s;
    // run 0 times out in `confirm`, run 10 fails in `create`.
    for (int i = 0; i < 20; ++i) {
      const auto outcome = i == 0    ? prober::Outcome::kTimeout
                           : i == 10 ? prober::Outcome::kOdooError
                                     : prober::Outcome::kOk;
      REQUIRE((*sink)
                  ->Write(Run("goods_receipt", "procure-to-pay",
                              kUntil - std::chrono::minutes(30 + 60 * i), (i + 1) * 0.5, outcome,
                              i == 0    ? "confirm"
                              : i == 10 ? "create"
                                        : ""))
                  .ok());
    }
    // Two days before the end, outside the report's day, inside the 3-day burn window.
    REQUIRE((*sink)
                ->Write(Run("goods_receipt", "procure-to-pay", kUntil - 48h, 1.0,
                            prober::Outcome::kTransport, "authenticate"))
                .ok());
    // Five days before: in no window.
    REQUIRE((*sink)
                ->Write(Run("goods_receipt", "procure-to-pay", kUntil - 120h, 1.0,
                            prober::Outcome::kTransport, "authenticate"))
                .ok());
    // login: 4 runs of 0.2 s, the last one's cleanup failed.
    for (int j = 0; j < 4; ++j) {
      REQUIRE((*sink)
                  ->Write(Run("login", "access", kUntil - std::chrono::hours(j + 1), 0.2,
                              prober::Outcome::kOk, "", j != 3))
                  .ok());
    }
    REQUIRE((*sink)->Flush().ok());
  }
  config::ProberConfig cfg;
  config::Objective gr;
  gr.availability = 0.8;
  gr.latency_under = 3s;
  cfg.objectives.journeys["goods_receipt"] = gr;

  auto report = BuildReport(path, cfg, kUntil - 24h, kUntil);
  INFO((report.ok() ? "" : report.status().message()));
  REQUIRE(report.ok());
  REQUIRE(report->pairs.size() == 2);
  const ReportRow& g = report->pairs[0];
  CHECK(g.journey == "goods_receipt");
  CHECK(g.service == "procure-to-pay");
  CHECK(g.runs == 20);
  CHECK(g.failed == 2);
  CHECK(g.availability == Approx(0.9));  // 18 / 20
  CHECK(g.latency_sli == Approx(0.3));   // 0.5 s .. 3.0 s: 6 of 20
  CHECK(g.p50 == Approx(5.0));           // nearest rank 10 of 0.5, 1.0, .., 10.0
  CHECK(g.p95 == Approx(9.5));           // rank 19
  CHECK(g.p99 == Approx(10.0));          // rank 20
  CHECK(g.budget_allowed == Approx(4));  // (1 - 0.8) x 20 runs
  CHECK(g.budget_consumed == Approx(0.5));
  CHECK(g.budget_remaining == Approx(0.5));
  CHECK(g.burn_rate.at("1h") == Approx(5.0));      // run 0 only, failed: 1 / 0.2
  CHECK(g.burn_rate.at("6h") == Approx(5.0 / 6));  // runs 0..5, one failed: (1/6) / 0.2
  CHECK(g.burn_rate.at("24h") == Approx(0.5));     // 2 of 20: 0.1 / 0.2
  CHECK(g.burn_rate.at("3d") == Approx(5.0 / 7));  // 3 of 21: (1/7) / 0.2
  CHECK(g.top_reasons ==
        std::vector<std::pair<std::string, int64_t>>{{"odoo_error", 1}, {"timeout", 1}});
  CHECK(g.top_steps == std::vector<std::pair<std::string, int64_t>>{{"confirm", 1}, {"create", 1}});
  const ReportRow& l = report->pairs[1];
  CHECK(l.journey == "login");
  CHECK(l.runs == 4);
  CHECK(l.failed == 1);  // a run whose cleanup failed is a failed run
  CHECK(l.availability == Approx(0.75));
  CHECK(l.latency_sli == Approx(1.0));
  CHECK(l.budget_allowed == Approx(0.02));     // (1 - 0.995) x 4, the default objective
  CHECK(l.budget_remaining == Approx(-49.0));  // 1 - 1 / 0.02
  CHECK(l.top_reasons == std::vector<std::pair<std::string, int64_t>>{{"cleanup", 1}});
  // Per business service.
  REQUIRE(report->services.size() == 2);
  CHECK(report->services[0].service == "access");
  CHECK(report->services[0].availability == Approx(0.75));
  CHECK(report->services[1].service == "procure-to-pay");
  CHECK(report->services[1].runs == 20);
  CHECK(report->services[1].availability == Approx(0.9));
  CHECK(report->services[1].latency_sli == Approx(0.3));

  // The formats carry the same figures.
  const auto j = ReportJson(*report);
  CHECK(j["since"] == "2026-11-19T00:00:00Z");
  CHECK(j["pairs"][0]["error_budget"]["remaining"].get<double>() == Approx(0.5));
  CHECK(j["pairs"][0]["burn_rate"]["1h"].get<double>() == Approx(5.0));
  const std::string csv = ReportCsv(*report);
  CHECK(testing::Contains(csv,
                          "\"goods_receipt\",\"procure-to-pay\",\"lyon\",\"eu-west\",\"lyon\",20,2,"
                          "0.900000,0.300000,5.000,9.500,10.000,0.500000,5.000000,0.833333,"
                          "0.500000,0.714286\n"));
  const std::string table = ReportTable(*report);
  CHECK(testing::Contains(table, "goods_receipt"));
  CHECK(testing::Contains(table, "procure-to-pay"));

  // Not a history: said, with the path.
  dir.Write("not.db", "plain text");
  auto bad = BuildReport(dir.path() + "/not.db", cfg, kUntil - 24h, kUntil);
  REQUIRE_FALSE(bad.ok());
  CHECK(testing::Contains(bad.status().message(), dir.path() + "/not.db"));
}

}  // namespace
}  // namespace odoo_prober::results
