// Outcome classes: how a probe run, a step or a single RPC call ended.
//
// Failures of Odoo are measurements, not errors (docs/architecture.md): every way a call to a
// target can go wrong maps to exactly one of these, and the set is closed because it is a metric
// label.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

namespace odoo_prober::prober {

enum class Outcome {
  kOk,         // the call or journey did what it should
  kAuth,       // login refused, access denied, session expired beyond one re-login
  kTransport,  // DNS, connection refused or reset, nothing received
  kTimeout,    // the deadline passed before the answer was complete
  kHttp,       // an answer that is not Odoo's JSON: 4xx/5xx, HTML, too large
  kOdooError,  // Odoo answered with an error envelope (UserError, ValidationError, ...)
  kAssertion,  // Odoo answered, but not what the journey expects
  kTls,        // certificate untrusted, wrong host name, handshake failed
};

// The lower-case name used in output, results and metric labels ("ok", "odoo_error", ...).
std::string_view OutcomeName(Outcome outcome);
// The names of every outcome but ok, in declaration order.
std::vector<std::string_view> FailureOutcomeNames();
// The inverse of OutcomeName; nullopt for an unknown name.
std::optional<Outcome> ParseOutcome(std::string_view name);

}  // namespace odoo_prober::prober
