#include "runners/engine/change_watch.h"

namespace odoo_prober::runners {
namespace {

// `now` completed from `was` where it could not tell.
void CarryOver(const results::Fingerprint& was, results::Fingerprint& now) {
  if (now.server_version.empty()) now.server_version = was.server_version;
  if (now.tls_leaf.empty()) {
    now.tls_leaf = was.tls_leaf;
    now.tls_issuer = was.tls_issuer;
    now.tls_expiry = was.tls_expiry;
  }
  auto carry = [&](const char* item, auto member) {
    if (!now.unknown.count(item) || was.unknown.count(item)) return;
    now.*member = was.*member;
    now.unknown.erase(item);
  };
  carry("modules", &results::Fingerprint::modules);
  carry("currency", &results::Fingerprint::currency);
  carry("country", &results::Fingerprint::country);
  carry("user_lang", &results::Fingerprint::lang);
  carry("user_tz", &results::Fingerprint::tz);
}

}  // namespace

ChangeWatch::Reading ChangeWatch::Observe(const config::TargetConfig& target,
                                          results::Fingerprint fingerprint,
                                          std::chrono::system_clock::time_point at,
                                          const std::string& instance) {
  Reading out;
  if (!fingerprint.error.empty()) {
    out.error = fingerprint.error;
    return out;
  }
  auto it = last_.find(target.name);
  if (it == last_.end()) {
    out.first = true;
    last_.emplace(target.name, std::move(fingerprint));
    return out;
  }
  CarryOver(it->second, fingerprint);
  out.events = results::DiffFingerprints(it->second, fingerprint);
  for (auto& e : out.events) {
    e.target = target.name;
    e.labels = target.labels;
    e.instance = instance;
    e.at = at;
  }
  it->second = std::move(fingerprint);
  return out;
}

void ChangeWatch::Retain(const std::set<std::string>& targets) {
  for (auto it = last_.begin(); it != last_.end();) {
    it = targets.count(it->first) ? std::next(it) : last_.erase(it);
  }
}

const results::Fingerprint* ChangeWatch::Last(const std::string& target) const {
  auto it = last_.find(target);
  return it == last_.end() ? nullptr : &it->second;
}

}  // namespace odoo_prober::runners
