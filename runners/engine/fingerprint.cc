// What an environment is (fingerprint.h): read by `compare` for both sides and by `run` to watch
// each target for changes.
#include "runners/engine/fingerprint.h"

#include "prober/clock.h"
#include "runners/engine/tls_checks.h"

namespace odoo_prober::runners {

using nlohmann::json;

namespace {

// The name of a many2one value ([id, name]); "" for false.
std::string NameOf(const json& v) {
  return v.is_array() && v.size() == 2 && v[1].is_string() ? v[1].get<std::string>() : "";
}

// The TLS part of a fingerprint, and the check's report for the sinks.
std::optional<results::TlsReport> ReadTls(const config::TargetConfig& target,
                                          results::Fingerprint& f) {
  config::ProberConfig one;
  one.targets = {target};
  const auto endpoints = TlsEndpoints(one);
  if (endpoints.empty()) return std::nullopt;  // plain HTTP
  f.https = true;
  auto report = CheckTls(endpoints.front(), target.client.call_timeout);
  const auto& in = report.inspection;
  const auto& chain = in.verified.empty() ? in.presented : in.verified;
  if (chain.empty()) {
    f.tls_issuer = "no certificate (" + in.detail + ")";
    return report;
  }
  f.tls_issuer = chain.front().issuer + (in.trusted ? "" : " (untrusted)");
  f.tls_key = chain.front().key_type + " " + std::to_string(chain.front().key_bits);
  f.tls_leaf = chain.front().sha256;
  for (const auto& cert : chain)
    if (!f.tls_expiry || cert.not_after < *f.tls_expiry) f.tls_expiry = cert.not_after;
  return report;
}

// The probe user's language and time zone, and its company's currency and country (the probe
// company's when the target names one). `call` reads, or marks the items unknown.
template <typename Call>
void ReadUserAndCompany(int64_t company, int uid, Call& call, results::Fingerprint& f) {
  auto user = call("res.users", "read", json::array({json::array({uid})}),
                   {{"fields", {"lang", "tz", "company_id"}}},
                   {"user_lang", "user_tz", "currency", "country"});
  if (user) {
    const json& u = (*user)[0];
    f.lang = u.value("lang", json("")).is_string() ? u["lang"].get<std::string>() : "";
    f.tz = u.value("tz", json("")).is_string() ? u["tz"].get<std::string>() : "";
    if (company <= 0 && u.contains("company_id") && u["company_id"].is_array())
      company = u["company_id"][0].get<int64_t>();
  }
  if (company <= 0) return;
  if (auto comp = call("res.company", "read", json::array({json::array({company})}),
                       {{"fields", {"currency_id", "country_id"}}}, {"currency", "country"})) {
    f.currency = NameOf((*comp)[0].value("currency_id", json()));
    f.country = NameOf((*comp)[0].value("country_id", json()));
  }
}

}  // namespace

results::Fingerprint ReadFingerprint(const config::TargetConfig& target,
                                     const JourneyRunner::ClientFactory& factory,
                                     std::vector<results::TlsReport>& tls) {
  results::Fingerprint f;
  if (auto report = ReadTls(target, f)) tls.push_back(std::move(*report));
  const prober::Clock& clock = prober::RealClock();
  auto deadline = [&] { return clock.Monotonic() + target.client.call_timeout; };
  auto client = factory(target.client);
  if (!client.ok()) {
    f.error = client.status().message();
    return f;
  }
  prober::OdooClient& c = **client;
  if (auto v = c.Version(deadline()); v.ok() && v.result.is_object())
    f.server_version = v.result.value("server_version", "");
  if (auto login = c.Authenticate(deadline()); !login.ok()) {
    f.error = "cannot log in: " + login.detail;
    return f;
  }
  f.protocol = std::string(prober::ProtocolName(c.protocol()));
  json ctx = json::object();
  if (target.company_id > 0) ctx["allowed_company_ids"] = json::array({target.company_id});
  // A read the probe user may not be allowed (an add-on can hide the Apps list): its items are
  // unknown, with why, and the rest of the fingerprint still counts.
  auto call = [&](const std::string& model, const std::string& method, json args, json kwargs,
                  std::initializer_list<const char*> items) -> std::optional<json> {
    if (!ctx.empty()) kwargs["context"] = ctx;
    auto r = c.CallKw(model, method, std::move(args), std::move(kwargs), deadline());
    if (r.ok() && r.result.is_array() && !r.result.empty()) return r.result;
    for (const char* item : items) {
      f.unknown[item] = "cannot " + method + " " + model + ": " +
                        (r.ok() ? std::string("nothing returned") : r.detail);
    }
    return std::nullopt;
  };
  ReadUserAndCompany(target.company_id, c.uid(), call, f);
  auto modules = call("ir.module.module", "search_read",
                      json::array({json::array({json::array({"state", "=", "installed"})})}),
                      {{"fields", {"name", "latest_version"}}}, {"modules"});
  for (const auto& m : modules.value_or(json::array())) {
    if (!m.is_object() || !m.value("name", json()).is_string()) continue;
    const json v = m.value("latest_version", json());
    f.modules[m["name"].get<std::string>()] = v.is_string() ? v.get<std::string>() : "";
  }
  return f;
}

}  // namespace odoo_prober::runners
