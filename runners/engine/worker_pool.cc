#include "runners/engine/worker_pool.h"

#include <algorithm>

namespace odoo_prober::runners {

WorkerPool::WorkerPool(int threads) {
  for (int i = 0; i < std::max(1, threads); ++i) threads_.emplace_back([this] { Work(); });
}

bool WorkerPool::Submit(std::function<void()> task) {
  {
    prober::MutexLock lock(mu_);
    if (closed_) return false;
    tasks_.push_back(std::move(task));
  }
  cv_.Signal();
  return true;
}

void WorkerPool::Join() {
  {
    prober::MutexLock lock(mu_);
    closed_ = true;
  }
  cv_.SignalAll();
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
}

void WorkerPool::Work() {
  for (;;) {
    std::function<void()> task;
    {
      prober::MutexLock lock(mu_);
      while (!closed_ && tasks_.empty()) cv_.Wait();
      if (tasks_.empty()) return;  // closed and drained
      task = std::move(tasks_.front());
      tasks_.pop_front();
    }
    task();
  }
}

}  // namespace odoo_prober::runners
