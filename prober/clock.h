// Clock: the one seam to wall and monotonic time, injected so tests never sleep.
//
// Thread-safety: implementations must be safe to call from any thread.
#pragma once

#include <chrono>

namespace odoo_prober::prober {

class Clock {
 public:
  virtual ~Clock() = default;
  // Wall time, for timestamps in results and reports.
  virtual std::chrono::system_clock::time_point Now() const = 0;
  // Monotonic time, for durations and deadlines.
  virtual std::chrono::steady_clock::time_point Monotonic() const = 0;
  // Waits `d` (between a step's retries); a fake clock advances instead of waiting.
  virtual void Sleep(std::chrono::milliseconds d) const = 0;
};

// The real clocks. The instance returned lives for the whole program.
Clock& RealClock();

}  // namespace odoo_prober::prober
