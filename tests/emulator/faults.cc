#include "tests/emulator/faults.h"

#include <array>

#include "config/config.h"
#include "prober/text.h"

namespace odoo_prober::emulator {

using nlohmann::json;

namespace {

constexpr std::array<std::pair<FaultKind, const char*>, 15> kKinds{{
    {FaultKind::kHttp502, "http_502"},
    {FaultKind::kHttp503, "http_503"},
    {FaultKind::kHttp504, "http_504"},
    {FaultKind::kHang, "hang"},
    {FaultKind::kReset, "reset"},
    {FaultKind::kMalformedJson, "malformed_json"},
    {FaultKind::kTruncated, "truncated"},
    {FaultKind::kOversized, "oversized"},
    {FaultKind::kOdooError, "odoo_error"},
    {FaultKind::kWizard, "wizard"},
    {FaultKind::kNoop, "noop"},
    {FaultKind::kAccessDenied, "access_denied"},
    {FaultKind::kUserError, "user_error"},
    {FaultKind::kSessionExpired, "session_expired"},
    {FaultKind::kRedirect, "redirect"},
}};

std::optional<std::chrono::milliseconds> Duration(const json& v) {
  if (v.is_number_integer()) return std::chrono::milliseconds(v.get<int64_t>());
  if (v.is_string()) return config::ParseDuration(v.get<std::string>());
  return std::nullopt;
}

prober::Status ParseLatency(const json& v, const std::string& where, Latency& out) {
  if (v.is_object()) {
    auto min = Duration(v.value("min", json(nullptr)));
    auto max = Duration(v.value("max", json(nullptr)));
    if (!min || !max || *max < *min) {
      return prober::Status::InvalidArgument(where +
                                             ": give {min: 10ms, max: 80ms} with min <= max");
    }
    out = {*min, *max};
    return prober::Status::Ok();
  }
  auto d = Duration(v);
  if (!d) return prober::Status::InvalidArgument(where + ": not a duration (e.g. 250ms, 2s)");
  out = {*d, *d};
  return prober::Status::Ok();
}

json LatencyJson(const Latency& l) {
  if (l.min == l.max) return std::to_string(l.min.count()) + "ms";
  return {{"min", std::to_string(l.min.count()) + "ms"},
          {"max", std::to_string(l.max.count()) + "ms"}};
}

}  // namespace

const std::vector<std::string>& CertificateNames() {
  static const std::vector<std::string> kNames = {"trusted", "self-signed", "expired",
                                                  "wrong-host", "rotated"};
  return kNames;
}

std::optional<FaultKind> ParseFaultKind(const std::string& name) {
  for (const auto& [k, n] : kKinds) {
    if (name == n) return k;
  }
  return std::nullopt;
}

std::string FaultKindName(FaultKind kind) {
  for (const auto& [k, n] : kKinds) {
    if (k == kind) return n;
  }
  return "unknown";
}

prober::Result<Faults> ParseFaults(const json& doc) {
  Faults f;
  if (doc.is_null()) return f;
  if (!doc.is_object()) return prober::Status::InvalidArgument("faults: expected a mapping");
  static const std::vector<std::string> kKeys = {"latency",
                                                 "method_latency",
                                                 "client_latency",
                                                 "rules",
                                                 "session_expiry_after",
                                                 "certificate",
                                                 "oversized_bytes",
                                                 "seed"};
  for (auto it = doc.begin(); it != doc.end(); ++it) {
    if (std::find(kKeys.begin(), kKeys.end(), it.key()) == kKeys.end()) {
      const std::string known = prober::Join(kKeys);
      return prober::Status::InvalidArgument("faults: unknown key '" + it.key() +
                                             "'; expected one of " + known);
    }
  }
  if (doc.contains("latency")) {
    if (auto st = ParseLatency(doc["latency"], "latency", f.latency); !st.ok()) return st;
  }
  for (const char* key : {"method_latency", "client_latency"}) {
    if (!doc.contains(key)) continue;
    if (!doc[key].is_object())
      return prober::Status::InvalidArgument(std::string(key) + ": expected a mapping");
    auto& target = std::string(key) == "method_latency" ? f.method_latency : f.client_latency;
    for (auto it = doc[key].begin(); it != doc[key].end(); ++it) {
      Latency l;
      if (auto st = ParseLatency(it.value(), std::string(key) + "." + it.key(), l); !st.ok())
        return st;
      target[it.key()] = l;
    }
  }
  if (doc.contains("rules")) {
    if (!doc["rules"].is_array()) return prober::Status::InvalidArgument("rules: expected a list");
    for (size_t i = 0; i < doc["rules"].size(); ++i) {
      const json& r = doc["rules"][i];
      const std::string where = "rules[" + std::to_string(i) + "]";
      if (!r.is_object() || !r.contains("kind") || !r["kind"].is_string()) {
        return prober::Status::InvalidArgument(where + ": needs kind");
      }
      FaultRule rule;
      auto kind = ParseFaultKind(r["kind"].get<std::string>());
      if (!kind) {
        const std::string known = prober::JoinEach(
            kKinds, ", ", [](const auto& kind) { return std::string(kind.second); });
        return prober::Status::InvalidArgument(where + ".kind: unknown; one of " + known);
      }
      rule.kind = *kind;
      rule.match = r.value("match", "*");
      rule.rate = r.value("rate", 1.0);
      if (r.contains("wizard")) {
        if (!r["wizard"].is_string() || r["wizard"].get<std::string>().empty())
          return prober::Status::InvalidArgument(where + ".wizard: the dialog's model name");
        rule.wizard = r["wizard"].get<std::string>();
      }
      rule.after = r.value("after", 0);
      if (rule.after < 0) return prober::Status::InvalidArgument(where + ".after: 0 or more");
      if (rule.rate < 0 || rule.rate > 1)
        return prober::Status::InvalidArgument(where + ".rate: between 0 and 1");
      f.rules.push_back(rule);
    }
  }
  f.session_expiry_after = doc.value("session_expiry_after", 0);
  if (f.session_expiry_after < 0)
    return prober::Status::InvalidArgument("session_expiry_after: 0 or more");
  f.certificate = doc.value("certificate", "trusted");
  const auto& names = CertificateNames();
  if (std::find(names.begin(), names.end(), f.certificate) == names.end()) {
    return prober::Status::InvalidArgument(
        "certificate: one of trusted, self-signed, expired, wrong-host, rotated");
  }
  f.oversized_bytes = doc.value("oversized_bytes", f.oversized_bytes);
  f.seed = doc.value("seed", f.seed);
  return f;
}

json ToJson(const Faults& f) {
  json doc = {{"latency", LatencyJson(f.latency)},
              {"method_latency", json::object()},
              {"client_latency", json::object()},
              {"rules", json::array()},
              {"session_expiry_after", f.session_expiry_after},
              {"certificate", f.certificate},
              {"oversized_bytes", f.oversized_bytes},
              {"seed", f.seed}};
  for (const auto& [k, l] : f.method_latency) doc["method_latency"][k] = LatencyJson(l);
  for (const auto& [k, l] : f.client_latency) doc["client_latency"][k] = LatencyJson(l);
  for (const auto& r : f.rules)
    doc["rules"].push_back({{"match", r.match},
                            {"kind", FaultKindName(r.kind)},
                            {"rate", r.rate},
                            {"wizard", r.wizard},
                            {"after", r.after}});
  return doc;
}

}  // namespace odoo_prober::emulator
