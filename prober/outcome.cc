#include "prober/outcome.h"

#include <array>
#include <utility>

namespace odoo_prober::prober {
namespace {

constexpr std::array<std::pair<Outcome, std::string_view>, 8> kNames{{
    {Outcome::kOk, "ok"},
    {Outcome::kAuth, "auth"},
    {Outcome::kTransport, "transport"},
    {Outcome::kTimeout, "timeout"},
    {Outcome::kHttp, "http"},
    {Outcome::kOdooError, "odoo_error"},
    {Outcome::kAssertion, "assertion"},
    {Outcome::kTls, "tls"},
}};

}  // namespace

std::string_view OutcomeName(Outcome outcome) {
  for (const auto& [o, name] : kNames) {
    if (o == outcome) return name;
  }
  return "unknown";
}

std::vector<std::string_view> FailureOutcomeNames() {
  std::vector<std::string_view> names;
  for (const auto& [o, name] : kNames) {
    if (o != Outcome::kOk) names.push_back(name);
  }
  return names;
}

std::optional<Outcome> ParseOutcome(std::string_view name) {
  for (const auto& [o, n] : kNames) {
    if (n == name) return o;
  }
  return std::nullopt;
}

}  // namespace odoo_prober::prober
