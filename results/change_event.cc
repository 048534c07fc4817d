#include "results/change_event.h"

#include "prober/text.h"

namespace odoo_prober::results {
namespace {

std::string Day(std::chrono::system_clock::time_point t) {
  return prober::FormatUtc(t, "%Y-%m-%d");
}

// The certificate as people tell one from another: its issuer and when it expires.
std::string Certificate(const Fingerprint& f) {
  return "sha256 " + f.tls_leaf.substr(0, 16) + " (" + f.tls_issuer +
         (f.tls_expiry ? ", expires " + Day(*f.tls_expiry) : "") + ")";
}

bool Known(const Fingerprint& f, const std::string& item) { return !f.unknown.count(item); }

}  // namespace

const std::vector<std::string>& ChangeKinds() {
  static const std::vector<std::string> kinds = {
      "server_version",      "module_installed",    "module_removed", "module_upgraded",
      "certificate_rotated", "currency_or_country", "user_lang_or_tz"};
  return kinds;
}

std::string ChangeEvent::Summary() const {
  const std::string arrow = " \u2192 ";
  if (kind == "server_version") return "server " + before + arrow + after;
  if (kind == "module_installed") return "installed " + item + " " + after;
  if (kind == "module_removed") return "removed " + item + " " + before;
  if (kind == "module_upgraded") return item + " " + before + arrow + after;
  if (kind == "certificate_rotated") return "certificate rotated: " + before + arrow + after;
  if (kind == "currency_or_country") return "currency and country " + before + arrow + after;
  return kind + " " + before + arrow + after;
}

std::vector<ChangeEvent> DiffFingerprints(const Fingerprint& before, const Fingerprint& after) {
  std::vector<ChangeEvent> out;
  auto add = [&](const std::string& kind, const std::string& item, const std::string& was,
                 const std::string& is) {
    ChangeEvent e;
    e.kind = kind;
    e.item = item;
    e.before = was;
    e.after = is;
    out.push_back(std::move(e));
  };
  const bool same_release = before.server_version == after.server_version;
  if (!before.server_version.empty() && !after.server_version.empty() && !same_release)
    add("server_version", "", before.server_version, after.server_version);
  if (Known(before, "modules") && Known(after, "modules") && !before.modules.empty() &&
      !after.modules.empty()) {
    for (const auto& [name, version] : after.modules) {
      auto it = before.modules.find(name);
      if (it == before.modules.end()) {
        add("module_installed", name, "", version);
      } else if (same_release && it->second != version) {
        add("module_upgraded", name, it->second, version);
      }
    }
    for (const auto& [name, version] : before.modules)
      if (!after.modules.count(name)) add("module_removed", name, version, "");
  }
  if (!before.tls_leaf.empty() && !after.tls_leaf.empty() && before.tls_leaf != after.tls_leaf)
    add("certificate_rotated", "", Certificate(before), Certificate(after));
  if (Known(before, "currency") && Known(after, "currency") && Known(before, "country") &&
      Known(after, "country") &&
      (before.currency != after.currency || before.country != after.country))
    add("currency_or_country", "", before.currency + ", " + before.country,
        after.currency + ", " + after.country);
  if (Known(before, "user_lang") && Known(after, "user_lang") && Known(before, "user_tz") &&
      Known(after, "user_tz") && (before.lang != after.lang || before.tz != after.tz))
    add("user_lang_or_tz", "", before.lang + ", " + before.tz, after.lang + ", " + after.tz);
  return out;
}

nlohmann::json ToJson(const ChangeEvent& e) {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(e.at.time_since_epoch());
  return {{"type", "change"},
          {"target", e.target},
          {"region", e.labels.region},
          {"plant", e.labels.plant},
          {"env", e.labels.env},
          {"instance", e.instance},
          {"at", prober::FormatUtc(e.at, "%Y-%m-%dT%H:%M:%SZ")},
          {"at_seconds", static_cast<double>(ms.count()) / 1000.0},
          {"kind", e.kind},
          {"item", e.item},
          {"before", e.before},
          {"after", e.after},
          {"summary", e.Summary()}};
}

}  // namespace odoo_prober::results
