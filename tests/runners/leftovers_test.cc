// The leftovers a daemon keeps: which records are kept, the backoff of their retries, a
// postponement, the bound, and forgetting removed targets. Time is passed in; nothing sleeps.
#include "runners/engine/leftovers.h"

#include <catch2/catch.hpp>

namespace odoo_prober::runners {
namespace {

using namespace std::chrono_literals;
using Mono = Leftovers::Mono;
using Wall = Leftovers::Wall;

const Mono kStart{};
const Wall kNoon = Wall(std::chrono::seconds(1795003200));

// A run of `journey` on `target` whose records ended as `statuses` (model, id, status).
results::JourneyResult RunWith(
    const std::string& target,
    const std::vector<std::tuple<std::string, int64_t, std::string>>& records) {
  results::JourneyResult r;
  r.journey = "goods_receipt";
  r.target = target;
  r.run_id = "0123456789ab";
  r.labels = {"eu-west", "lyon", "prod"};
  for (const auto& [model, id, status] : records)
    r.records.push_back(
        {model, id, status, status == "ok" ? "" : "verify/returned: no return", ""});
  return r;
}

results::RecordCleanup Outcome(const results::LeftoverRecord& l, const std::string& status) {
  return {l.model, l.id, status, status == "ok" ? "" : "still waiting", ""};
}

TEST_CASE("leftovers: failed cleanups are kept once and retried with a doubling backoff",
          "[leftovers]") {
  Leftovers keep({1min, 8min, 100});
  const auto run = RunWith(
      "lyon",
      {{"purchase.order", 7, "failed"}, {"stock.picking", 12, "failed"}, {"sale.order", 3, "ok"}});
  CHECK(keep.Add(run, kStart, kNoon) == 0);
  keep.Add(run, kStart + 5s, kNoon + 5s);  // the same records again: not kept twice
  auto all = keep.List();
  REQUIRE(all.size() == 2);
  CHECK(all[0].target == "lyon");
  CHECK(all[0].labels.region == "eu-west");
  CHECK(all[0].journey == "goods_receipt");
  CHECK(all[0].run_id == "0123456789ab");
  CHECK(all[0].attempts == 1);
  CHECK(all[0].since == kNoon);
  CHECK(all[0].detail == "verify/returned: no return");
  CHECK(all[0].next_try == kNoon + 1min);

  // Nothing is due before retry_min; then both are, once (taken means in progress).
  CHECK(keep.TakeDue(kStart + 59s, 10).empty());
  CHECK(keep.NextDue() == kStart + 1min);
  auto due = keep.TakeDue(kStart + 1min, 10);
  REQUIRE(due.size() == 2);
  CHECK(keep.TakeDue(kStart + 1min, 10).empty());
  CHECK(keep.NextDue() == Mono::max());

  // Each failed try doubles the wait (2, 4, 8 minutes), capped at retry_max.
  Mono now = kStart + 1min;
  std::vector<std::chrono::minutes> waits;
  for (int i = 0; i < 4; ++i) {
    for (const auto& l : due) keep.Retried(l, Outcome(l, "failed"), now, kNoon);
    const Mono next = keep.NextDue();
    waits.push_back(std::chrono::duration_cast<std::chrono::minutes>(next - now));
    now = next;
    due = keep.TakeDue(now, 10);
    REQUIRE(due.size() == 2);
  }
  CHECK(waits == std::vector<std::chrono::minutes>{2min, 4min, 8min, 8min});
  CHECK(keep.List()[0].attempts == 5);
  CHECK(keep.List()[0].detail == "still waiting");

  // A try that cleans up forgets the record; the other stays.
  keep.Retried(due[0], Outcome(due[0], "ok"), now, kNoon);
  keep.Retried(due[1], Outcome(due[1], "failed"), now, kNoon);
  REQUIRE(keep.List().size() == 1);
  CHECK(keep.List()[0].id == due[1].id);
}

TEST_CASE("leftovers: at most max_records, a few per round, oldest due first", "[leftovers]") {
  Leftovers keep({1min, 30min, 3});
  CHECK(keep.Add(RunWith("lyon", {{"purchase.order", 1, "failed"}}), kStart, kNoon) == 0);
  CHECK(keep.Add(RunWith("lyon", {{"purchase.order", 2, "failed"}}), kStart + 1s, kNoon) == 0);
  // The bound: the fourth record is not kept, and said so.
  CHECK(keep.Add(RunWith("porto", {{"sale.order", 3, "failed"}, {"sale.order", 4, "not_run"}}),
                 kStart + 2s, kNoon) == 1);
  CHECK(keep.List().size() == 3);
  const auto first = keep.TakeDue(kStart + 10min, 2);
  REQUIRE(first.size() == 2);
  CHECK(first[0].id == 1);
  CHECK(first[1].id == 2);
  CHECK(keep.TakeDue(kStart + 10min, 2).size() == 1);
}

TEST_CASE("leftovers: a postponed record keeps its tries, removed targets are forgotten",
          "[leftovers]") {
  Leftovers keep({1min, 30min, 100});
  keep.Add(RunWith("lyon", {{"purchase.order", 1, "failed"}}), kStart, kNoon);
  keep.Add(RunWith("porto", {{"sale.order", 2, "failed"}}), kStart, kNoon);
  auto due = keep.TakeDue(kStart + 1min, 10);
  REQUIRE(due.size() == 2);
  // lyon is in maintenance: put back without a try, due again after retry_min.
  keep.Postpone(due[0], kStart + 1min, kNoon + 1min);
  keep.Retried(due[1], Outcome(due[1], "failed"), kStart + 1min, kNoon + 1min);
  auto lyon = keep.List()[0].target == "lyon" ? keep.List()[0] : keep.List()[1];
  CHECK(lyon.attempts == 1);
  CHECK(lyon.next_try == kNoon + 2min);
  CHECK(keep.TakeDue(kStart + 2min, 10).size() == 1);

  // A reload removed porto: its record is forgotten, and a late outcome of it changes nothing.
  CHECK(keep.Retain({"lyon"}) == 1);
  REQUIRE(keep.List().size() == 1);
  keep.Retried(due[1], Outcome(due[1], "failed"), kStart + 3min, kNoon);
  CHECK(keep.List().size() == 1);
  CHECK(keep.List()[0].target == "lyon");
}

}  // namespace
}  // namespace odoo_prober::runners
