#include <catch2/catch.hpp>

#include "results/journey_result.h"
#include "tests/support/support.h"

namespace odoo_prober::results {
namespace {

JourneyResult Sample() {
  JourneyResult r;
  r.run_id = "0123456789ab";
  r.journey = "login";
  r.target = "lyon";
  r.labels = {"eu-west", "lyon", "prod"};
  r.started_at = std::chrono::system_clock::time_point(std::chrono::milliseconds(1763745873123));
  r.duration_us = 123456;
  r.outcome = prober::Outcome::kAuth;
  r.failed_step = "authenticate";
  r.detail = "odoo.exceptions.AccessDenied: Access Denied";
  r.protocol = "web";
  r.server_major = 17;
  StepResult s;
  s.name = "authenticate";
  s.outcome = prober::Outcome::kAuth;
  s.timings = {100, 200, 3000, 40000, 50000};
  s.detail = r.detail;
  s.odoo_error = "odoo.exceptions.AccessDenied";
  s.http_status = 200;
  r.steps.push_back(s);
  return r;
}

TEST_CASE("a journey result round-trips through JSON", "[results]") {
  const JourneyResult r = Sample();
  const auto j = ToJson(r);
  CHECK(j["started_at"] == "2025-11-21T17:24:33.123Z");
  CHECK(j["outcome"] == "auth");
  auto back = FromJson(nlohmann::json::parse(j.dump()));
  REQUIRE(back.ok());
  CHECK(ToJson(*back) == j);
  CHECK(back->started_at == r.started_at);
  CHECK(back->steps[0].timings.tls_us == 3000);
  CHECK_FALSE(FromJson(nlohmann::json{{"run_id", 1}}).ok());
}

TEST_CASE("the table shows outcome, phases and the failing step", "[results]") {
  const std::string table = FormatTable({Sample()});
  CHECK(testing::Contains(table, "OUTCOME"));
  CHECK(testing::Contains(table, "auth"));
  CHECK(testing::Contains(table, "3.0 ms"));  // the TLS phase
  CHECK(testing::Contains(table, "step authenticate: odoo.exceptions.AccessDenied"));
}

}  // namespace
}  // namespace odoo_prober::results
