// The scheduler with an injected clock: spread, jitter, no overlap, skip counting, caps and
// maintenance windows. Time is passed in; nothing sleeps.
#include "runners/engine/scheduler.h"

#include <catch2/catch.hpp>
#include <set>

#include "config/config.h"
#include "prober/time_zone.h"
#include "tests/support/support.h"

namespace odoo_prober::runners {
namespace {

using namespace std::chrono_literals;
using Mono = Scheduler::Mono;
using Wall = Scheduler::Wall;

const Mono kStart{};  // the epoch of the injected monotonic clock
// A Wednesday, 2026-11-18 12:00 UTC: no window below covers it unless it says so.
const Wall kNoon = Wall(std::chrono::seconds(1795003200));

std::vector<SchedulePair> Pairs(int n, const std::string& target = "t",
                                std::chrono::milliseconds interval = 60s) {
  std::vector<SchedulePair> pairs;
  for (int i = 0; i < n; ++i) pairs.push_back({"j" + std::to_string(i), target, interval, {}});
  return pairs;
}

ScheduleOptions NoJitter() {
  ScheduleOptions o;
  o.jitter_fraction = 0;
  o.workers = 100;
  o.per_target_cap = 100;
  return o;
}

TEST_CASE("first runs are spread evenly across the interval", "[scheduler]") {
  Scheduler s(Pairs(4), NoJitter(), kStart);
  std::vector<std::chrono::milliseconds> offsets;
  for (size_t i = 0; i < 4; ++i)
    offsets.push_back(
        std::chrono::duration_cast<std::chrono::milliseconds>(s.state(i).next - kStart));
  CHECK(offsets == std::vector<std::chrono::milliseconds>{0s, 15s, 30s, 45s});
  // Walking the clock: exactly one start at each of those instants, none in between.
  CHECK(s.Due(kStart, kNoon) == std::vector<size_t>{0});
  CHECK(s.Due(kStart + 14s, kNoon).empty());
  CHECK(s.Due(kStart + 15s, kNoon) == std::vector<size_t>{1});
  CHECK(s.NextWakeup(kStart + 15s) == kStart + 30s);
}

TEST_CASE("jitter is per instance, bounded and reproducible", "[scheduler]") {
  ScheduleOptions a;
  a.instance = "prober-eu-1";
  a.seed = 7;
  ScheduleOptions b = a;
  b.instance = "prober-eu-2";
  Scheduler s1(Pairs(8), a, kStart), s1_again(Pairs(8), a, kStart), s2(Pairs(8), b, kStart);
  bool differs = false;
  for (size_t i = 0; i < 8; ++i) {
    const auto even = 60000ms * static_cast<int64_t>(i) / 8;
    const auto offset =
        std::chrono::duration_cast<std::chrono::milliseconds>(s1.state(i).next - kStart);
    CHECK(s1.state(i).next == s1_again.state(i).next);     // a restart keeps the phase
    CHECK((offset - even + 60000ms) % 60000ms <= 6000ms);  // at most 10% of the interval
    differs = differs || s1.state(i).next != s2.state(i).next;
  }
  CHECK(differs);
}

TEST_CASE("replicas of a region interleave: replica k of n starts k/n of an interval later",
          "[scheduler]") {
  CHECK(ReplicaOf("odoo-prober-eu-west-0", 2) == 0);
  CHECK(ReplicaOf("odoo-prober-eu-west-1", 2) == 1);
  CHECK(ReplicaOf("odoo-prober-eu-west-3", 2) == 1);
  CHECK(ReplicaOf("anything", 1) == 0);
  CHECK(ReplicaOf("prober-lyon", 3) == ReplicaOf("prober-lyon", 3));  // stable
  ScheduleOptions a;
  a.replicas = 2;
  a.instance = "odoo-prober-eu-west-0";
  a.replica = ReplicaOf(a.instance, 2);
  ScheduleOptions b = a;
  b.instance = "odoo-prober-eu-west-1";
  b.replica = ReplicaOf(b.instance, 2);
  Scheduler s0(Pairs(6), a, kStart), s1(Pairs(6), b, kStart);
  for (size_t i = 0; i < 6; ++i) {
    const auto gap =
        std::chrono::duration_cast<std::chrono::milliseconds>(s1.state(i).next - s0.state(i).next);
    const auto apart = (gap + 60000ms) % 60000ms;
    INFO(i << ": " << apart.count() << " ms apart");
    // Half an interval, give or take the jitter (10% of each replica's half: 3 s).
    CHECK(apart >= 27000ms);
    CHECK(apart <= 33000ms);
  }
}

TEST_CASE("runs of one pair never overlap, ticks that come meanwhile are skipped and counted",
          "[scheduler]") {
  Scheduler s(Pairs(1, "t", 10s), NoJitter(), kStart);
  REQUIRE(s.Due(kStart, kNoon) == std::vector<size_t>{0});
  CHECK(s.Due(kStart + 10s, kNoon).empty());  // still running
  CHECK(s.Due(kStart + 35s, kNoon).empty());  // two more ticks (20s, 30s) missed
  CHECK(s.state(0).skipped == 3);
  s.Finished(0);
  CHECK(s.Due(kStart + 39s, kNoon).empty());
  CHECK(s.Due(kStart + 40s, kNoon) == std::vector<size_t>{0});
  CHECK(s.state(0).runs == 2);
}

TEST_CASE("per-target and global caps hold runs until a slot frees", "[scheduler]") {
  ScheduleOptions o = NoJitter();
  o.per_target_cap = 2;
  std::vector<SchedulePair> pairs = Pairs(3, "erp");
  for (auto& p : pairs) p.interval = 60s;
  Scheduler s(pairs, o, kStart);
  // All three are due by 45s; only two may run on the one target.
  CHECK(s.Due(kStart + 45s, kNoon).size() == 2);
  CHECK(s.busy() == 2);
  CHECK(s.Due(kStart + 50s, kNoon).empty());
  s.Finished(0);
  auto late = s.Due(kStart + 52s, kNoon);
  REQUIRE(late.size() == 1);
  CHECK(late[0] == 2);
  CHECK(s.state(2).last_lag == 12s);  // due at 40s, started at 52s
  CHECK(s.state(2).skipped == 0);

  ScheduleOptions g = NoJitter();
  g.workers = 1;
  Scheduler one(Pairs(2, "a"), g, kStart);
  CHECK(one.Due(kStart + 30s, kNoon).size() == 1);
  one.Finished(0);
  CHECK(one.Due(kStart + 31s, kNoon) == std::vector<size_t>{1});
}

config::WeeklyWindow Window(uint8_t days, int from, int to, const std::string& zone) {
  config::WeeklyWindow w;
  w.days = days;
  w.from_minute = from;
  w.to_minute = to;
  auto tz = prober::TimeZone::Load(zone);
  REQUIRE(tz.ok());
  w.zone = std::make_shared<const prober::TimeZone>(*tz);
  return w;
}

TEST_CASE("time zones from the system's zoneinfo", "[scheduler]") {
  auto brussels = prober::TimeZone::Load("Europe/Brussels");
  REQUIRE(brussels.ok());
  CHECK(brussels->OffsetAt(kNoon) == 3600);                                   // November: CET
  CHECK(brussels->OffsetAt(Wall(std::chrono::seconds(1782820800))) == 7200);  // July 2026: CEST
  auto local = brussels->LocalAt(kNoon);
  CHECK(local.weekday == 3);  // Wednesday
  CHECK(local.minute_of_day == 13 * 60);
  CHECK_FALSE(prober::TimeZone::Load("Mars/Olympus_Mons").ok());
  CHECK_FALSE(prober::TimeZone::Load("../../etc/passwd").ok());
}

TEST_CASE("maintenance windows stop runs and are not counted as skips", "[scheduler]") {
  const uint8_t wednesday = 1 << 3;
  SECTION("a window around local noon in Brussels") {
    auto pairs = Pairs(1, "erp", 10s);
    pairs[0].maintenance = {Window(wednesday, 12 * 60 + 30, 14 * 60, "Europe/Brussels")};
    Scheduler s(pairs, NoJitter(), kStart);
    CHECK(s.Due(kStart, kNoon).empty());  // 13:00 in Brussels
    CHECK(s.state(0).in_maintenance);
    CHECK(s.state(0).skipped == 0);
    CHECK(s.Due(kStart + 10s, kNoon + 2h).size() == 1);  // 15:00: over
    CHECK_FALSE(s.state(0).in_maintenance);
  }
  SECTION("the flag follows the window's minutes, not the pair's ticks") {
    // An hourly pair, run at 13:00 in Brussels; the window is 13:30 to 14:00.
    auto pairs = Pairs(1, "erp", 1h);
    pairs[0].maintenance = {Window(wednesday, 13 * 60 + 30, 14 * 60, "Europe/Brussels")};
    Scheduler s(pairs, NoJitter(), kStart);
    CHECK(s.Due(kStart, kNoon).size() == 1);
    s.Finished(0);
    CHECK_FALSE(s.state(0).in_maintenance);
    // The next tick is at 14:00, but the daemon is woken at each minute to look at the window.
    CHECK(s.NextWakeup(kStart) == kStart + 1min);
    CHECK(s.Due(kStart + 29min, kNoon + 29min).empty());
    CHECK_FALSE(s.state(0).in_maintenance);
    CHECK(s.NextWakeup(kStart + 29min) == kStart + 30min);
    CHECK(s.Due(kStart + 30min, kNoon + 30min).empty());  // 13:30: the window's first minute
    CHECK(s.state(0).in_maintenance);
    CHECK(s.Due(kStart + 59min, kNoon + 59min).empty());
    CHECK(s.state(0).in_maintenance);
    CHECK(s.Due(kStart + 60min, kNoon + 60min).size() == 1);  // 14:00: over, and the tick
    CHECK_FALSE(s.state(0).in_maintenance);
    CHECK(s.state(0).skipped == 0);
    // A wall clock between minutes wakes the daemon at the next whole minute.
    Scheduler t(pairs, NoJitter(), kStart);
    t.Due(kStart, kNoon + 20s);
    CHECK(t.NextWakeup(kStart) == kStart + 40s);
    // No window anywhere: no minute wake-ups.
    Scheduler u(Pairs(1, "erp", 1h), NoJitter(), kStart);
    u.Due(kStart, kNoon);
    CHECK(u.NextWakeup(kStart) == kStart + 1h);
  }
  SECTION("an overnight window covers the early hours of the next day") {
    config::WeeklyWindow w = Window(1 << 2 /* tuesday */, 22 * 60, 2 * 60, "UTC");
    CHECK(w.Contains(kNoon - 12h - 30min));  // Tuesday 23:30
    CHECK(w.Contains(kNoon - 11h));          // Wednesday 01:00
    CHECK_FALSE(w.Contains(kNoon - 9h));     // Wednesday 03:00
    CHECK_FALSE(w.Contains(kNoon + 12h));    // Thursday 00:00 follows Wednesday, not a window day
  }
}

TEST_CASE("maintenance and intervals in the config", "[scheduler][config]") {
  const char* base = R"(version: 1
targets:
  - name: erp
    url: https://erp.example.com
    database: prod
    login: probe
    password_env: PW
    maintenance:
      - {days: [sat, sun], from: "22:00", to: "06:00", time_zone: Europe/Brussels}
journeys:
  - name: login
    interval: 5m
)";
  config::LoadOptions env{[](const std::string&) { return std::optional<std::string>("x"); }, {}};
  auto ok = config::ParseConfig(base, "c.yaml", env);
  REQUIRE(ok.config);
  REQUIRE(ok.config->targets[0].maintenance.size() == 1);
  CHECK(ok.config->targets[0].maintenance[0].days == ((1 << 6) | 1));
  CHECK(ok.config->journeys[0].interval == 5min);
  auto with = [&](const std::string& from, const std::string& to) {
    std::string text = base;
    text.replace(text.find(from), from.size(), to);
    return config::ParseConfig(text, "c.yaml", env).errors;
  };
  auto tz = with("Europe/Brussels", "Europe/Bruxelles");
  REQUIRE(tz.size() == 1);
  CHECK(tz[0].pos.line == 9);
  CHECK(testing::Contains(tz[0].message, "unknown time zone 'Europe/Bruxelles'"));
  auto day = with("sat, sun", "sat, sunday");
  REQUIRE(day.size() == 1);
  CHECK(testing::Contains(day[0].message, "unknown day 'sunday'"));
  auto time = with("\"22:00\"", "\"10pm\"");
  REQUIRE(time.size() == 1);
  CHECK(testing::Contains(time[0].message, "HH:MM"));
  auto interval = with("5m", "0s");
  REQUIRE(interval.size() == 1);
  CHECK(interval[0].field == "journeys[0].interval");
}

}  // namespace
}  // namespace odoo_prober::runners
