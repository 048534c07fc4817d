// Result sinks and the fan-out that feeds them.
//
// A ResultSink stores or exports JourneyResults (a JSON-lines file, SQLite, Prometheus metrics,
// the status board). The FanOut gives every sink its own bounded queue and thread, so
// Publish() never blocks the runner: when a sink falls behind, results for it are dropped and
// counted, never waited for. A result a sink fails to store (a full disk) is dropped and counted
// too, with one warning when the sink starts failing and one line when it writes again; the
// next results are tried as they come, so writing resumes by itself when space returns.
//
// Thread-safety: Publish() may be called from any thread. A sink's Write() is called from its
// own fan-out thread only.
// Extending: a new sink implements ResultSink and is added where the daemon builds its list.
#pragma once

#include <atomic>
#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <variant>
#include <vector>

#include "prober/mutex.h"
#include "prober/status.h"
#include "results/change_event.h"
#include "results/dependency_result.h"
#include "results/journey_result.h"
#include "results/tls_findings.h"

namespace odoo_prober::results {

class ResultSink {
 public:
  virtual ~ResultSink() = default;
  // Stores one result. A failure is the sink's own operational error: logged, counted, and the
  // sink stays in use.
  virtual prober::Status Write(const JourneyResult& result) = 0;
  // Stores one TLS check; sinks that do not keep them ignore it.
  virtual prober::Status WriteTls(const TlsReport&) { return prober::Status::Ok(); }
  // Stores one dependency check; sinks that do not keep them ignore it.
  virtual prober::Status WriteDependency(const DependencyResult&) { return prober::Status::Ok(); }
  // Stores one change seen on a target; sinks that do not keep them ignore it.
  virtual prober::Status WriteChange(const ChangeEvent&) { return prober::Status::Ok(); }
  // Makes written results durable (flush buffers, checkpoint).
  virtual prober::Status Flush() { return prober::Status::Ok(); }
  virtual std::string name() const = 0;
};

class FanOut {
 public:
  // Why a result did not reach a sink: its queue was full, or the sink failed to store it.
  enum class Drop { kQueueFull, kWriteFailed };
  // `on_drop(sink name, why)` is called for every result lost for a sink: from Publish's thread
  // (queue full) or the sink's own thread (write failed).
  using OnDrop = std::function<void(const std::string& sink, Drop why)>;
  FanOut(std::vector<std::unique_ptr<ResultSink>> sinks, size_t queue_capacity,
         OnDrop on_drop = {});
  // The sinks' names, in order.
  std::vector<std::string> names() const;
  ~FanOut();
  FanOut(const FanOut&) = delete;
  FanOut& operator=(const FanOut&) = delete;

  // Queues `result` (or a TLS report, a dependency check) for every sink; never blocks.
  void Publish(const JourneyResult& result);
  void Publish(const TlsReport& report);
  void Publish(const DependencyResult& result);
  void Publish(const ChangeEvent& event);
  // Stops accepting, lets every queue drain (up to `grace`), flushes, and joins the threads.
  void Close(std::chrono::milliseconds grace);
  // False when a sink's last write failed.
  bool Healthy() const;
  uint64_t dropped() const { return dropped_.load(); }

 private:
  struct Lane {
    std::unique_ptr<ResultSink> sink;
    prober::Mutex mu;
    prober::CondVar cv{&mu};
    std::deque<std::variant<JourneyResult, TlsReport, DependencyResult, ChangeEvent>> queue
        GUARDED_BY(mu);
    bool closing GUARDED_BY(mu) = false;
    std::atomic<bool> healthy{true};
    uint64_t failed = 0;  // results lost to write errors since the sink last wrote (its thread)
    std::thread thread;
  };
  void Drain(Lane& lane);
  template <typename T>
  void Enqueue(const T& item);

  const size_t capacity_;
  OnDrop on_drop_;
  std::vector<std::unique_ptr<Lane>> lanes_;
  std::atomic<uint64_t> dropped_{0};
  bool closed_ = false;
};

}  // namespace odoo_prober::results
