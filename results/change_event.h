// ChangeEvent: something that changed on a target between two readings of its fingerprint
// (results::Fingerprint, read by `run` every fingerprint_interval): a release, a module installed,
// upgraded or removed, a certificate rotated, the company's currency or country. DiffFingerprints
// is the pure comparison; runners/engine/change_watch.h keeps the last reading per target.
//
// Kinds: server_version, module_installed, module_removed, module_upgraded (a module's version,
// between equal server versions: a release changes them all and is one server_version event),
// certificate_rotated (another leaf certificate), currency_or_country, user_lang_or_tz (the probe
// user's). Items one reading could not tell (Fingerprint::unknown) make no event.
//
// Thread-safety: a value; copy it across threads.
#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "config/config.h"
#include "results/compare.h"

namespace odoo_prober::results {

struct ChangeEvent {
  std::string target;
  config::Labels labels;
  std::string instance;
  std::chrono::system_clock::time_point at;  // when the reading that saw it was made
  std::string kind;
  std::string item;  // the module's name; "" for the others
  std::string before, after;
  // For people: "sale 17.0.1.2 → 17.0.1.3", "server 17.0 → 17.0+e", "installed mrp_plm 17.0.1.0".
  std::string Summary() const;
};

// Every kind, in the order above (the metrics declare each at 0).
const std::vector<std::string>& ChangeKinds();

// What changed from `before` to `after` (both read without error), with target, labels, instance
// and time left for the caller.
std::vector<ChangeEvent> DiffFingerprints(const Fingerprint& before, const Fingerprint& after);

// {"type": "change", "target", "region", "plant", "env", "instance", "at", "kind", "item",
//  "before", "after", "summary"}
nlohmann::json ToJson(const ChangeEvent& event);

}  // namespace odoo_prober::results
