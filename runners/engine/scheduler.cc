#include "runners/engine/scheduler.h"

#include <algorithm>
#include <cctype>
#include <functional>
#include <random>

namespace odoo_prober::runners {

int ReplicaOf(const std::string& instance, int replicas) {
  if (replicas <= 1) return 0;
  size_t digits = instance.size();
  while (digits > 0 && std::isdigit(static_cast<unsigned char>(instance[digits - 1]))) --digits;
  if (digits < instance.size() && instance.size() - digits <= 9) {
    return std::stoi(instance.substr(digits)) % replicas;
  }
  uint64_t h = 14695981039346656037ull;  // FNV-1a: the same on every build
  for (unsigned char c : instance) h = (h ^ c) * 1099511628211ull;
  return static_cast<int>(h % static_cast<uint64_t>(replicas));
}

Scheduler::Scheduler(std::vector<SchedulePair> pairs, ScheduleOptions options, Mono start)
    : pairs_(std::move(pairs)), options_(std::move(options)), states_(pairs_.size()) {
  // The instance's jitter: the same instance restarts with the same phase; two instances differ.
  std::mt19937_64 rng(options_.seed ^ std::hash<std::string>{}(options_.instance));
  const size_t n = std::max<size_t>(1, pairs_.size());
  const int64_t replicas = std::max(1, options_.replicas);
  for (size_t i = 0; i < pairs_.size(); ++i) {
    const auto interval = pairs_[i].interval;
    const auto spread = interval * static_cast<int64_t>(i) / static_cast<int64_t>(n) +
                        interval * (options_.replica % replicas) / replicas;
    const int64_t max_jitter =
        static_cast<int64_t>(static_cast<double>(interval.count()) * options_.jitter_fraction /
                             static_cast<double>(replicas));
    const auto jitter = std::chrono::milliseconds(
        max_jitter > 0 ? std::uniform_int_distribution<int64_t>(0, max_jitter)(rng) : 0);
    states_[i].next = options_.once ? start : start + (spread + jitter) % interval;
  }
}

void Scheduler::CheckWindows(Mono now, Wall wall) {
  bool any = false;
  for (size_t i = 0; i < pairs_.size(); ++i) {
    const auto& windows = pairs_[i].maintenance;
    any = any || !windows.empty();
    states_[i].in_maintenance =
        std::any_of(windows.begin(), windows.end(),
                    [&](const config::WeeklyWindow& w) { return w.Contains(wall); });
  }
  // Windows begin and end on whole minutes of local time, and every time zone's offset is a
  // whole number of minutes: checking at each minute of the wall clock is exact.
  const auto into = wall.time_since_epoch() % std::chrono::minutes(1);
  next_window_check_ =
      any ? now + std::chrono::duration_cast<Mono::duration>(std::chrono::minutes(1) - into)
          : Mono::max();
}

std::vector<size_t> Scheduler::Due(Mono now, Wall wall) {
  if (now >= next_window_check_) CheckWindows(now, wall);
  std::vector<size_t> start;
  for (size_t i = 0; i < pairs_.size(); ++i) {
    PairState& s = states_[i];
    if (now < s.next) continue;
    const auto interval = pairs_[i].interval;
    auto advance = [&]() -> int64_t {  // to the first tick after now
      if (options_.once) {
        s.next = Mono::max();
        return 1;
      }
      const auto behind = (now - s.next) / interval + 1;
      s.next += interval * behind;
      return behind;
    };
    const bool maintenance =
        std::any_of(pairs_[i].maintenance.begin(), pairs_[i].maintenance.end(),
                    [&](const config::WeeklyWindow& w) { return w.Contains(wall); });
    s.in_maintenance = maintenance;
    if (maintenance) {
      advance();  // not run, and not a skip: the target is expected to be down
      continue;
    }
    if (s.running) {
      s.skipped += advance();
      continue;
    }
    if (busy_ >= options_.workers ||
        busy_per_target_[pairs_[i].target] >= options_.per_target_cap) {
      continue;  // wait for a slot; the tick stays due
    }
    s.last_lag = std::chrono::duration_cast<std::chrono::milliseconds>(now - s.next);
    const auto behind = advance();
    s.skipped += behind - 1;  // ticks missed entirely while waiting for a slot
    s.running = true;
    ++s.runs;
    ++busy_;
    ++busy_per_target_[pairs_[i].target];
    start.push_back(i);
  }
  return start;
}

bool Scheduler::Done() const {
  return std::all_of(states_.begin(), states_.end(),
                     [](const PairState& s) { return s.runs > 0 && !s.running; });
}

void Scheduler::Finished(size_t i) {
  PairState& s = states_.at(i);
  if (!s.running) return;
  s.running = false;
  --busy_;
  --busy_per_target_[pairs_[i].target];
}

void Scheduler::MarkRunning(size_t i) {
  PairState& s = states_.at(i);
  if (s.running) return;
  s.running = true;
  ++busy_;
  ++busy_per_target_[pairs_[i].target];
}

Scheduler::Mono Scheduler::NextWakeup(Mono now) const {
  Mono next = next_window_check_ > now ? next_window_check_ : Mono::max();
  for (const auto& s : states_) {
    if (s.next > now) next = std::min(next, s.next);
  }
  return next;
}

}  // namespace odoo_prober::runners
