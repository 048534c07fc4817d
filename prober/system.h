// System: the one seam to what the program reads from the operating system besides files and
// time (prober/clock.h): the host name and random numbers. Injected, so that a test can name the
// host and fix the draws; the real one is the default where a caller does not care.
//
// Thread-safety: implementations must be safe to call from any thread.
#pragma once

#include <cstdint>
#include <string>

namespace odoo_prober::prober {

class System {
 public:
  virtual ~System() = default;
  // The host's name as the OS reports it; "" when it has none.
  virtual std::string HostName() const = 0;
  // 64 random bits (run ids, seeds): not for secrets.
  virtual uint64_t Random() const = 0;
};

// The real operating system. The instance returned lives for the whole program.
const System& RealSystem();

}  // namespace odoo_prober::prober
