// compare: what `compare` allows between a baseline and a candidate: latency budgets, the
// differences of fingerprint expected (sections.h).
#include <yaml-cpp/yaml.h>

#include <cstdlib>
#include <set>
#include <string>

#include "config/config.h"
#include "config/sections.h"
#include "config/yaml_reader.h"
#include "config/yaml_util.h"
#include "prober/text.h"

namespace odoo_prober::config {
namespace {

using prober::Join;
using namespace std::chrono_literals;

class CompareReader {
 public:
  explicit CompareReader(ReadContext& c) : c_(c), r_(c.r) {}

  // A latency budget: a ratio of at least 1 ("1.2", or "120%").
  std::optional<double> Budget(const YAML::Node& v, const std::string& field) {
    std::string t = v.IsScalar() ? v.Scalar() : "";
    const bool percent = !t.empty() && t.back() == '%';
    if (percent) t.pop_back();
    char* end = nullptr;
    double x = std::strtod(t.c_str(), &end);
    if (percent) x /= 100;
    if (t.empty() || end != t.c_str() + t.size() || !(x >= 1) || x > 100) {
      r_.Error(v, field,
               "must be a ratio of candidate to baseline p95 of at least 1, e.g. 1.2 or 120%");
      return std::nullopt;
    }
    return x;
  }

  void LoadCompare(const YAML::Node& node, ProberConfig& cfg) {
    auto m = r_.Map(node, "compare",
                    {"latency_budget", "latency_budgets", "ignore_below", "expect_different",
                     "allow_protocol_change"});
    if (!m) return;
    CompareConfig& c = cfg.compare;
    if (auto on = m->Bool("allow_protocol_change")) c.allow_protocol_change = *on;
    if (m->Has("latency_budget")) {
      if (auto b = Budget(m->Value("latency_budget"), m->Sub("latency_budget")))
        c.latency_budget = *b;
    }
    if (m->Has("latency_budgets")) {
      const YAML::Node budgets = m->Value("latency_budgets");
      if (!budgets.IsMap()) {
        r_.Error(budgets, "compare.latency_budgets",
                 "must map journey names to ratios, e.g. {goods_receipt: 1.5}");
      } else {
        for (const auto& entry : budgets) {
          const std::string name = entry.first.Scalar();
          if (!c_.ConfiguredJourney(entry.first, "compare.latency_budgets." + name, cfg)) continue;
          if (auto b = Budget(entry.second, "compare.latency_budgets." + name))
            c.latency_budgets[name] = *b;
        }
      }
    }
    if (auto d = m->Duration("ignore_below", 0ms, 1min, "5ms")) c.ignore_below = *d;
    if (m->Has("expect_different")) ExpectDifferent(m->Value("expect_different"), c);
  }

  // `expect_different`: fingerprint items, or {modules: [name, ...]}.
  void ExpectDifferent(const YAML::Node& list, CompareConfig& c) {
    static const std::set<std::string> items = {"server_version", "modules",   "currency",
                                                "country",        "user_lang", "user_tz",
                                                "tls_issuer",     "tls_key"};
    const std::string how = "lists fingerprint items: " + Join({items.begin(), items.end()}) +
                            ", or {modules: [name, ...]}";
    r_.Sequence(list, "compare.expect_different", "[server_version, {modules: [sale_stock]}]",
                [&](const YAML::Node& item, const std::string& sub) {
                  if (item.IsScalar()) {
                    if (!items.count(item.Scalar())) {
                      auto guess = Closest(item.Scalar(), {items.begin(), items.end()});
                      return r_.Error(item, sub,
                                      "'" + item.Scalar() + "' is not a fingerprint item" +
                                          (guess ? "; did you mean '" + *guess + "'?" : "") +
                                          "; it " + how);
                    }
                    if (item.Scalar() == "modules") {
                      c.expect_all_modules = true;
                    } else {
                      c.expect_different.insert(item.Scalar());
                    }
                    return;
                  }
                  auto mods = r_.Map(item, sub, {"modules"});
                  if (!mods) return;
                  if (!mods->Has("modules")) return r_.Error(item, sub, how);
                  r_.Sequence(mods->Value("modules"), mods->Sub("modules"), "[sale_stock, mrp]",
                              [&](const YAML::Node& mod, const std::string& msub) {
                                if (!mod.IsScalar() || mod.Scalar().empty())
                                  return r_.Error(mod, msub, "must be a module's technical name");
                                c.expect_modules.insert(mod.Scalar());
                              });
                });
  }

 private:
  ReadContext& c_;
  YamlReader& r_;
};

}  // namespace

void ReadCompare(ReadContext& c, const YAML::Node& node, ProberConfig& cfg) {
  CompareReader(c).LoadCompare(node, cfg);
}

}  // namespace odoo_prober::config
