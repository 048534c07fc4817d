// WorkerPool: a fixed number of threads running submitted tasks in order of submission.
//
// The scheduler decides how many runs may go at once; the pool only runs them. Join() (and the
// destructor) lets every submitted task finish, then stops the threads.
//
// Thread-safety: Submit() from any thread; Join() from the owner, once the submitters are done.
#pragma once

#include <deque>
#include <functional>
#include <thread>
#include <vector>

#include "prober/mutex.h"

namespace odoo_prober::runners {

class WorkerPool {
 public:
  explicit WorkerPool(int threads);
  ~WorkerPool() { Join(); }
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Queues `task`; a free thread runs it. After Join(), the task is refused (returns false).
  bool Submit(std::function<void()> task);
  // Runs every queued task to its end, then joins the threads; idempotent.
  void Join();
  int threads() const { return static_cast<int>(threads_.size()); }

 private:
  void Work();

  prober::Mutex mu_;
  prober::CondVar cv_{&mu_};
  std::deque<std::function<void()>> tasks_ GUARDED_BY(mu_);
  bool closed_ GUARDED_BY(mu_) = false;
  std::vector<std::thread> threads_;
};

}  // namespace odoo_prober::runners
