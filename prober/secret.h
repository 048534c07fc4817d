// Secret: a password, API key or session cookie that must never be printed.
//
// It has no stream or format operator on purpose; the only way to the plain text is Reveal(),
// which is called where a request is built and nowhere else. Copies wipe nothing: the goal is
// to keep secrets out of logs, metrics, results and reports, not to defend process memory.
//
// Thread-safety: immutable after construction.
#pragma once

#include <string>
#include <utility>

namespace odoo_prober::prober {

class Secret {
 public:
  Secret() = default;
  explicit Secret(std::string value) : value_(std::move(value)) {}

  bool empty() const { return value_.empty(); }
  // The plain text. Call only where a request to the server is built.
  const std::string& Reveal() const { return value_; }
  // What may be shown instead: "<redacted>" or "<empty>".
  std::string Redacted() const { return value_.empty() ? "<empty>" : "<redacted>"; }

 private:
  std::string value_;
};

}  // namespace odoo_prober::prober
