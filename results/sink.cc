#include "results/sink.h"

#include <spdlog/spdlog.h>

#include <type_traits>

namespace odoo_prober::results {

FanOut::FanOut(std::vector<std::unique_ptr<ResultSink>> sinks, size_t queue_capacity,
               OnDrop on_drop)
    : capacity_(std::max<size_t>(1, queue_capacity)), on_drop_(std::move(on_drop)) {
  for (auto& sink : sinks) {
    auto lane = std::make_unique<Lane>();
    lane->sink = std::move(sink);
    Lane* raw = lane.get();
    lanes_.push_back(std::move(lane));
    raw->thread = std::thread([this, raw] { Drain(*raw); });
  }
}

FanOut::~FanOut() { Close(std::chrono::seconds(5)); }

void FanOut::Publish(const JourneyResult& result) { Enqueue(result); }
void FanOut::Publish(const TlsReport& report) { Enqueue(report); }
void FanOut::Publish(const DependencyResult& result) { Enqueue(result); }
void FanOut::Publish(const ChangeEvent& event) { Enqueue(event); }

template <typename T>
void FanOut::Enqueue(const T& result) {
  for (auto& lane : lanes_) {
    bool dropped = false;
    {
      prober::MutexLock lock(lane->mu);
      if (lane->closing || lane->queue.size() >= capacity_) {
        dropped = true;
      } else {
        lane->queue.push_back(result);
      }
    }
    if (dropped) {
      ++dropped_;
      if (on_drop_) on_drop_(lane->sink->name(), Drop::kQueueFull);
    } else {
      lane->cv.Signal();
    }
  }
}

void FanOut::Drain(Lane& lane) {
  for (;;) {
    std::variant<JourneyResult, TlsReport, DependencyResult, ChangeEvent> item;
    {
      prober::MutexLock lock(lane.mu);
      while (!lane.closing && lane.queue.empty()) lane.cv.Wait();
      if (lane.queue.empty()) break;  // closing and drained
      item = std::move(lane.queue.front());
      lane.queue.pop_front();
    }
    auto st = std::visit(
        [&](const auto& v) {
          using T = std::decay_t<decltype(v)>;
          if constexpr (std::is_same_v<T, JourneyResult>) {
            return lane.sink->Write(v);
          } else if constexpr (std::is_same_v<T, TlsReport>) {
            return lane.sink->WriteTls(v);
          } else if constexpr (std::is_same_v<T, DependencyResult>) {
            return lane.sink->WriteDependency(v);
          } else {
            return lane.sink->WriteChange(v);
          }
        },
        item);
    if (!st.ok()) {
      ++dropped_;
      ++lane.failed;
      if (on_drop_) on_drop_(lane.sink->name(), Drop::kWriteFailed);
      if (lane.healthy.exchange(false)) {
        spdlog::warn(
            "sink {}: {}; results are dropped (counted in odoo_prober_sink_dropped_total"
            "{{reason=\"write_failed\"}}) until it writes again; probing goes on",
            lane.sink->name(), st.message());
      }
    } else if (!lane.healthy.exchange(true)) {
      spdlog::warn("sink {}: writing again, {} result(s) lost meanwhile", lane.sink->name(),
                   lane.failed);
      lane.failed = 0;
    }
  }
  if (auto st = lane.sink->Flush(); !st.ok())
    spdlog::warn("sink {}: flush: {}", lane.sink->name(), st.message());
}

void FanOut::Close(std::chrono::milliseconds grace) {
  if (closed_) return;
  closed_ = true;
  const auto deadline = std::chrono::steady_clock::now() + grace;
  for (auto& lane : lanes_) {
    prober::MutexLock lock(lane->mu);
    lane->closing = true;
    lane->cv.SignalAll();
  }
  for (auto& lane : lanes_) {
    // A sink still draining after the grace period loses its queue (counted as drops).
    {
      prober::MutexLock lock(lane->mu);
      if (std::chrono::steady_clock::now() > deadline && !lane->queue.empty()) {
        dropped_ += lane->queue.size();
        lane->queue.clear();
      }
    }
    if (lane->thread.joinable()) lane->thread.join();
  }
}

std::vector<std::string> FanOut::names() const {
  std::vector<std::string> out;
  for (const auto& lane : lanes_) out.push_back(lane->sink->name());
  return out;
}

bool FanOut::Healthy() const {
  for (const auto& lane : lanes_) {
    if (!lane->healthy) return false;
  }
  return true;
}

}  // namespace odoo_prober::results
