// Locks the compiler checks: a mutex, its scoped lock and a condition variable, annotated for
// Clang's thread-safety analysis (-Wthread-safety, on in the clang builds), with the macros that
// annotate what a mutex guards. Under GCC the macros are empty and the types plain wrappers.
//
//   mutable prober::Mutex mu_;
//   std::map<Key, Value> items_ GUARDED_BY(mu_);
//   void Trim() REQUIRES(mu_);            // called with mu_ held
//   void Add(Key k) EXCLUDES(mu_) { prober::MutexLock lock(mu_); items_[k] = ...; Trim(); }
//
// libstdc++'s std::mutex and std::lock_guard carry no annotations, so the analysis needs these.
//
// Thread-safety: Mutex and CondVar are what their names say; a MutexLock belongs to one thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>

#if defined(__clang__)
#define ODOO_PROBER_THREAD_ANNOTATION(x) __attribute__((x))
#else
#define ODOO_PROBER_THREAD_ANNOTATION(x)
#endif

#define CAPABILITY(x) ODOO_PROBER_THREAD_ANNOTATION(capability(x))
#define SCOPED_CAPABILITY ODOO_PROBER_THREAD_ANNOTATION(scoped_lockable)
#define GUARDED_BY(x) ODOO_PROBER_THREAD_ANNOTATION(guarded_by(x))
#define PT_GUARDED_BY(x) ODOO_PROBER_THREAD_ANNOTATION(pt_guarded_by(x))
#define REQUIRES(...) ODOO_PROBER_THREAD_ANNOTATION(requires_capability(__VA_ARGS__))
#define EXCLUDES(...) ODOO_PROBER_THREAD_ANNOTATION(locks_excluded(__VA_ARGS__))
#define ACQUIRE(...) ODOO_PROBER_THREAD_ANNOTATION(acquire_capability(__VA_ARGS__))
#define RELEASE(...) ODOO_PROBER_THREAD_ANNOTATION(release_capability(__VA_ARGS__))
#define NO_THREAD_SAFETY_ANALYSIS ODOO_PROBER_THREAD_ANNOTATION(no_thread_safety_analysis)

namespace odoo_prober::prober {

class CAPABILITY("mutex") Mutex {
 public:
  void Lock() ACQUIRE() { mu_.lock(); }
  void Unlock() RELEASE() { mu_.unlock(); }

 private:
  friend class CondVar;
  std::mutex mu_;
};

// Holds `mu` for its scope.
class SCOPED_CAPABILITY MutexLock {
 public:
  explicit MutexLock(Mutex& mu) ACQUIRE(mu) : mu_(mu) { mu_.Lock(); }
  ~MutexLock() RELEASE() { mu_.Unlock(); }
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

 private:
  Mutex& mu_;
};

// A condition variable over one Mutex, waited on with that mutex held (and held again on
// return). Its waits carry no annotation: the analysis cannot tell that a lane's `cv` waits on
// that lane's `mu`, and the caller holds the MutexLock it is checked against anyway.
class CondVar {
 public:
  explicit CondVar(Mutex* mu) : mu_(mu) {}
  void Wait() {
    std::unique_lock<std::mutex> lock(mu_->mu_, std::adopt_lock);
    cv_.wait(lock);
    lock.release();
  }
  // false when `deadline` passed first.
  template <typename Clock, typename Duration>
  bool WaitUntil(std::chrono::time_point<Clock, Duration> deadline) {
    std::unique_lock<std::mutex> lock(mu_->mu_, std::adopt_lock);
    const bool woken = cv_.wait_until(lock, deadline) == std::cv_status::no_timeout;
    lock.release();
    return woken;
  }
  void Signal() { cv_.notify_one(); }
  void SignalAll() { cv_.notify_all(); }

 private:
  Mutex* const mu_;
  std::condition_variable cv_;
};

}  // namespace odoo_prober::prober
