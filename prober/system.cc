#include "prober/system.h"

#include <unistd.h>

#include <random>

namespace odoo_prober::prober {
namespace {

class OsSystem final : public System {
 public:
  std::string HostName() const override {
    char buf[256] = {0};
    if (::gethostname(buf, sizeof buf - 1) != 0) return "";
    return buf;
  }
  uint64_t Random() const override {
    // One generator per thread, seeded once from the OS.
    static thread_local std::mt19937_64 rng{std::random_device{}()};
    return rng();
  }
};

}  // namespace

const System& RealSystem() {
  static const OsSystem system;
  return system;
}

}  // namespace odoo_prober::prober
