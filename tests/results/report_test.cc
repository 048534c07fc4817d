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
                          "0.500000,0.714286,0,0,0.000000,\n"));
  const std::string table = ReportTable(*report);
  CHECK(testing::Contains(table, "goods_receipt"));
  CHECK(testing::Contains(table, "procure-to-pay"));

  // Not a history: said, with the path.
  dir.Write("not.db", "plain text");
  auto bad = BuildReport(dir.path() + "/not.db", cfg, kUntil - 24h, kUntil);
  REQUIRE_FALSE(bad.ok());
  CHECK(testing::Contains(bad.status().message(), dir.path() + "/not.db"));
}

// Two whole days, Wednesday 18 and Thursday 19 November 2026 (UTC), one login run on every
// hour. The Lyon plant works 08:00-18:00 Paris time (07:00-17:00 UTC): 10 runs a day count.
// Lyon's maintenance, Thursday 12:00-14:00 Paris time (11:00-13:00 UTC), holds 2 of them.
TEST_CASE("report: runs outside business hours and in maintenance do not count", "[report]") {
  testing::TempDir dir;
  const std::string path = dir.path() + "/history.db";
  const auto since = kUntil - 48h;
  {
    auto sink = CreateSqliteSink({path, 30});
    REQUIRE(sink.ok());
    for (int h = 0; h < 48; ++h) {
      const auto start = since + std::chrono::hours(h);
      // Failures at 02:00 UTC Wednesday (outside hours), 11:00 UTC Thursday (maintenance) and
      // 10:00 UTC Wednesday (counted).
      const bool fails = h == 2 || h == 24 + 11 || h == 10;
      REQUIRE((*sink)
                  ->Write(Run("login", "access", start + 500ms, 0.5,
                              fails ? prober::Outcome::kTransport : prober::Outcome::kOk,
                              fails ? "authenticate" : ""))
                  .ok());
    }
    REQUIRE((*sink)->Flush().ok());
  }
  dir.Write("secret", "x");
  dir.Write("prober.yaml", R"(version: 1
targets:
  - name: lyon
    url: https://lyon.example
    database: prod
    login: probe
    password_file: secret
    labels: {region: eu-west, plant: lyon, env: prod}
    maintenance: [{days: [thu], from: "12:00", to: "14:00", time_zone: Europe/Paris}]
journeys:
  - {name: login, interval: 1h, timeout: 30s}
plants:
  lyon:
    business_hours: [{days: [mon, tue, wed, thu, fri], from: "08:00", to: "18:00", time_zone: Europe/Paris}]
objectives:
  availability: 90%
)");
  auto cfg = config::LoadConfig(dir.path() + "/prober.yaml");
  INFO((cfg.ok() ? "" : cfg.status().message()));
  REQUIRE(cfg.ok());
  auto report = BuildReport(path, *cfg, since, kUntil);
  REQUIRE(report.ok());
  REQUIRE(report->pairs.size() == 1);
  const ReportRow& l = report->pairs[0];
  CHECK(l.outside_business_hours == 28);  // 48 - 2 x 10
  CHECK(l.in_maintenance == 2);           // Thursday 11:00 and 12:00 UTC
  CHECK(l.runs == 18);
  CHECK(l.failed == 1);  // Wednesday 10:00 UTC only
  CHECK(l.availability == Approx(17.0 / 18));
  CHECK(l.budget_allowed == Approx(1.8));  // (1 - 0.9) x 18
  CHECK(l.budget_remaining == Approx(1 - 1 / 1.8));
  CHECK(l.has_business_hours);
  CHECK(l.counted_seconds == Approx(20 * 3600.0));     // 2 days x 10 business hours
  CHECK(l.maintenance_seconds == Approx(2 * 3600.0));  // never counted as up time
  REQUIRE(l.coverage.has_value());
  CHECK(*l.coverage == Approx(1.0));            // 18 runs of (20 h - 2 h) / 1 h expected
  CHECK(l.burn_rate.count("1h") == 0);          // Thursday 23:00: outside hours
  CHECK(l.burn_rate.at("24h") == Approx(0.0));  // Thursday's 8 counted runs passed
  CHECK(l.burn_rate.at("3d") == Approx((1.0 / 18) / 0.1));  // all 18
  // The timeline: 28 slices of 48 h / 28; Wednesday 10:00 UTC is in slice 5 (36000 s / 6171 s).
  REQUIRE(l.timeline.size() == static_cast<size_t>(kReportSlices));
  CHECK(l.timeline[0].runs == 0);  // Wednesday 00:00-01:42 UTC: before business hours
  CHECK(l.timeline[5].failed == 1);
  CHECK(l.timeline[4].budget_remaining == Approx(1.0));
  CHECK(l.timeline[5].budget_remaining == Approx(1 - 1 / 1.8));
  CHECK(l.timeline.back().budget_remaining == Approx(l.budget_remaining));
  int64_t sliced = 0;
  for (const auto& t : l.timeline) sliced += t.runs;
  CHECK(sliced == 18);
  const auto j = ReportJson(*report);
  CHECK(j["pairs"][0]["excluded_runs"]["in_maintenance"] == 2);
  CHECK(j["pairs"][0]["unmonitored"]["share"].get<double>() == Approx(0.1));
  CHECK(testing::Contains(ReportTable(*report),
                          "not counted: 28 runs outside business hours, 2 in maintenance"));
  CHECK(testing::Contains(ReportCsv(*report), ",28,2,0.100000,1.000000\n"));
}

TEST_CASE("report: a pair whose every run is excluded has no figures, not 100%", "[report]") {
  testing::TempDir dir;
  const std::string path = dir.path() + "/history.db";
  {
    auto sink = CreateSqliteSink({path, 30});
    REQUIRE(sink.ok());
    // Sunday 15 November 2026, 12:00 UTC: outside Monday-to-Friday hours.
    REQUIRE((*sink)
                ->Write(Run("login", "access", kUntil - 108h, 0.5, prober::Outcome::kTransport,
                            "authenticate"))
                .ok());
    REQUIRE((*sink)->Flush().ok());
  }
  config::ProberConfig cfg;
  config::WeeklyWindow hours;
  hours.days = 0x3e;  // Monday to Friday
  hours.from_minute = 8 * 60;
  hours.to_minute = 18 * 60;
  cfg.plant_business_hours["lyon"] = {hours};
  auto report = BuildReport(path, cfg, kUntil - 7 * 24h, kUntil);
  REQUIRE(report.ok());
  REQUIRE(report->pairs.size() == 1);
  CHECK(report->pairs[0].runs == 0);
  CHECK(report->pairs[0].outside_business_hours == 1);
  CHECK(report->pairs[0].counted_seconds == Approx(5 * 10 * 3600.0));  // Mon 16 - Fri 20 (excl.)
  const auto j = ReportJson(*report);
  CHECK(j["pairs"][0]["availability"].is_null());
  CHECK(j["services"][0]["availability"].is_null());
  CHECK(testing::Contains(ReportTable(*report), "-"));
}

TEST_CASE("report: open TLS findings are those of each endpoint's latest check", "[report]") {
  testing::TempDir dir;
  const std::string path = dir.path() + "/history.db";
  auto check = [](const std::string& endpoint, Clock::time_point at,
                  std::vector<TlsFinding> findings) {
    TlsReport r;
    r.target = "lyon";
    r.endpoint = endpoint;
    r.checked_at = at;
    r.findings = std::move(findings);
    return r;
  };
  {
    auto sink = CreateSqliteSink({path, 30});
    REQUIRE(sink.ok());
    auto& s = **sink;
    const TlsFinding warning{"expiring_warning", Severity::kWarning, "CN=lyon", "in 20 days"};
    const TlsFinding critical{"expiring_critical", Severity::kCritical, "CN=lyon", "in 5 days"};
    const TlsFinding old_tls{"old_tls", Severity::kInfo, "", "TLSv1.2"};
    REQUIRE(s.WriteTls(check("lyon.example:443", kUntil - 20h, {warning})).ok());
    REQUIRE(s.WriteTls(check("lyon.example:443", kUntil - 2h, {old_tls, critical})).ok());
    REQUIRE(s.WriteTls(check("lyon.example:443", kUntil + 1h, {})).ok());  // after the report
    REQUIRE(s.WriteTls(check("porto.example:443", kUntil - 20h, {warning})).ok());
    REQUIRE(s.WriteTls(check("porto.example:443", kUntil - 3h, {})).ok());  // fixed since
    REQUIRE(s.Flush().ok());
  }
  auto report = BuildReport(path, config::ProberConfig{}, kUntil - 24h, kUntil);
  REQUIRE(report.ok());
  REQUIRE(report->tls.size() == 2);
  CHECK(report->tls[0].kind == "expiring_critical");  // critical first
  CHECK(report->tls[0].endpoint == "lyon.example:443");
  CHECK(report->tls[0].checked_at == kUntil - 2h);
  CHECK(report->tls[1].kind == "old_tls");
  CHECK(testing::Contains(ReportTable(*report), "expiring_critical: in 5 days"));
  CHECK(ReportJson(*report)["tls_findings"][0]["severity"] == "critical");
}

TEST_CASE("report: each dependency's checks in the window, beside the SLIs", "[report]") {
  testing::TempDir dir;
  const std::string path = dir.path() + "/history.db";
  auto check = [](const std::string& name, Clock::time_point at, double seconds,
                  prober::Outcome outcome, const std::string& detail = "") {
    DependencyResult r;
    r.dependency = name;
    r.kind = prober::DependencyKind::kHttp;
    r.used_by = {"access", "order-to-cash"};
    r.labels = {"eu-west", "", "prod"};
    r.started_at = at;
    r.outcome.outcome = outcome;
    r.outcome.detail = detail;
    r.outcome.timings.total_us = static_cast<int64_t>(seconds * 1e6);
    return r;
  };
  {
    auto sink = CreateSqliteSink({path, 30});
    REQUIRE(sink.ok());
    auto& s = **sink;
    // idp: 20 checks in the window, 0.1 s to 2.0 s; checks 5 and 6 fail, 6 as the last.
    for (int i = 1; i <= 20; ++i) {
      const auto outcome = i == 5   ? prober::Outcome::kTimeout
                           : i == 6 ? prober::Outcome::kHttp
                                    : prober::Outcome::kOk;
      REQUIRE(s.WriteDependency(check("idp", kUntil - 20h + i * 1min, 0.1 * i, outcome,
                                      i == 6 ? "HTTP 503, expected 2xx" : ""))
                  .ok());
    }
    REQUIRE(s.WriteDependency(check("idp", kUntil + 1h, 9, prober::Outcome::kHttp)).ok());  // after
    REQUIRE(
        s.WriteDependency(check("idp", kUntil - 30h, 9, prober::Outcome::kHttp)).ok());  // before
    REQUIRE(s.Flush().ok());
  }
  auto report = BuildReport(path, config::ProberConfig{}, kUntil - 24h, kUntil);
  REQUIRE(report.ok());
  REQUIRE(report->dependencies.size() == 1);
  const auto& d = report->dependencies[0];
  CHECK(d.dependency == "idp");
  CHECK(d.used_by == "access,order-to-cash");
  CHECK(d.region == "eu-west");
  CHECK(d.checks == 20);
  CHECK(d.failed == 2);
  CHECK(d.availability == Approx(0.9));
  CHECK(d.p95 == Approx(1.9));  // the 19th of 20
  CHECK(d.last_failure == kUntil - 20h + 6min);
  CHECK(d.last_detail == "HTTP 503, expected 2xx");
  const auto json = ReportJson(*report)["dependencies"][0];
  CHECK(json["failures_by_reason"] == nlohmann::json({{"http", 1}, {"timeout", 1}}));
  CHECK(testing::Contains(ReportTable(*report), "idp             eu-west        20 checks"));
  CHECK(testing::Contains(ReportHtml(*report), "<h2>Dependencies</h2>"));
}

size_t Count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

TEST_CASE("report: the HTML page is self-contained and renders in headless Chromium", "[report]") {
  testing::TempDir dir;
  const std::string path = dir.path() + "/history.db";
  {
    auto sink = CreateSqliteSink({path, 30});
    REQUIRE(sink.ok());
    for (int i = 0; i < 48; ++i) {
      auto run =
          Run("goods_receipt", "procure-to-pay", kUntil - std::chrono::minutes(30 * i + 1),
              0.2 + 0.05 * (i % 7), i % 9 == 0 ? prober::Outcome::kOdooError : prober::Outcome::kOk,
              i % 9 == 0 ? "validate" : "");
      run.target = "lyon<b>";  // escaped, never markup
      REQUIRE((*sink)->Write(run).ok());
    }
    REQUIRE((*sink)->Write(Run("login", "access", kUntil - 3h, 0.1, prober::Outcome::kOk)).ok());
    TlsReport tls;
    tls.target = "lyon";
    tls.endpoint = "lyon.example:443";
    tls.checked_at = kUntil - 1h;
    tls.findings = {{"expiring_critical", Severity::kCritical, "CN=lyon", "in 5 days"}};
    REQUIRE((*sink)->WriteTls(tls).ok());
    REQUIRE((*sink)->Flush().ok());
  }
  auto report = BuildReport(path, config::ProberConfig{}, kUntil - 24h, kUntil);
  REQUIRE(report.ok());
  REQUIRE(report->pairs.size() == 2);
  const std::string html = ReportHtml(*report);
  // Self-contained: nothing to fetch, nothing to run.
  CHECK_FALSE(testing::Contains(html, "<script"));
  CHECK_FALSE(testing::Contains(html, "<link"));
  CHECK_FALSE(testing::Contains(html, "src="));
  CHECK_FALSE(testing::Contains(html, "url("));
  CHECK(Count(html, "http") == Count(html, "xmlns=\"http://www.w3.org/2000/svg\""));
  CHECK_FALSE(testing::Contains(html, "lyon<b>"));
  dir.Write("report.html", html);

  auto chromium =
      testing::RenderInChromium("file://" + dir.path() + "/report.html", dir.path() + "/chromium");
  INFO(chromium.err.substr(0, 2000));
  CHECK(chromium.exit_code == 0);
  CHECK_FALSE(testing::Contains(chromium.err, "CONSOLE"));
  CHECK_FALSE(testing::Contains(chromium.err, "Uncaught"));
  CHECK(testing::Contains(chromium.out, "<h1>Odoo SLO report</h1>"));
  CHECK(Count(chromium.out, "<svg") == 3 * report->pairs.size());  // 3 charts per pair
  CHECK(testing::Contains(chromium.out, "availability over time: goods_receipt at lyon&lt;b&gt;"));
  CHECK(testing::Contains(chromium.out, "error budget burn-down"));
  CHECK(testing::Contains(chromium.out, "latency percentiles over time"));
  CHECK(testing::Contains(chromium.out, "<polyline"));
  CHECK(testing::Contains(chromium.out, "expiring_critical"));
  CHECK(testing::Contains(chromium.out, "procure-to-pay"));
}

}  // namespace
}  // namespace odoo_prober::results
