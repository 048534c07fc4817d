#include "runners/interpreter/stock_guard.h"

#include <optional>
#include <vector>

#include "prober/text.h"

namespace odoo_prober::runners {

using nlohmann::json;
using scenarios::StockUse;

namespace {

// At most this many waiting moves are read to name them; the count says how many there are.
constexpr int kWaitingShown = 5;

class Guard {
 public:
  Guard(prober::OdooClient& client, const config::TargetConfig& target, prober::Deadline deadline)
      : client_(client), deadline_(deadline), storable_flag_(client.server_major() >= 18) {
    if (target.company_id > 0) context_["allowed_company_ids"] = json::array({target.company_id});
  }

  // One entry of `stock:`; false when it refuses (or a call failed), with result_ set.
  bool Check(const StockUse& use, const json& value) {
    auto found = Read("product.product", "search_read",
                      json::array({json::array({json::array({use.field, "=", value})})}),
                      {{"fields", ProductFields()}, {"limit", 1}});
    if (!found) return false;
    if (!found->is_array() || found->empty()) return true;  // the journey's lookup says so
    const json& product = (*found)[0];
    std::vector<json> storable;
    const bool production = use.effect == StockUse::Effect::kProduction;
    if (KeepsStock(product)) storable.push_back(product);
    std::vector<json> components;
    if (production && !Components(product, components)) return false;
    for (const auto& c : components) {
      if (KeepsStock(c)) storable.push_back(c);
    }
    if (storable.empty()) return true;
    std::vector<int64_t> ids;
    for (const auto& p : storable) ids.push_back(p.value("id", int64_t{0}));
    auto waiting = Waiting(ids);
    if (!waiting) return false;
    result_.ok = false;
    result_.outcome = prober::Outcome::kAssertion;
    result_.param = use.param;
    result_.detail = use.param + " = " + prober::DumpJson(value) + ": " +
                     Describe(storable, production && !KeepsStock(product)) +
                     Effect(use.effect, *waiting) +
                     ". Probe with products that keep no stock (`odoo-prober provision` creates "
                     "consumable ones), or, if this stock belongs to the probe (no real delivery "
                     "or order ever waits for it), say `stock_moves: allowed` on this journey's "
                     "entry in the config";
    return false;
  }

  StockGuardResult& result() { return result_; }

 private:
  json ProductFields() const {
    json fields = {"id", "display_name", "type", "product_tmpl_id"};
    if (storable_flag_) fields.push_back("is_storable");
    return fields;
  }

  bool KeepsStock(const json& product) const {
    if (storable_flag_) return product.value("is_storable", json(false)) == true;
    return product.value("type", json("")) == "product";
  }

  // The components of the product's first normal bill of materials, read as products.
  bool Components(const json& product, std::vector<json>& out) {
    const json& tmpl = product.value("product_tmpl_id", json());
    if (!tmpl.is_array() || tmpl.empty()) return true;
    auto boms = Read("mrp.bom", "search_read",
                     json::array({json::array({json::array({"product_tmpl_id", "=", tmpl[0]}),
                                               json::array({"type", "=", "normal"})})}),
                     {{"fields", {"bom_line_ids"}}, {"limit", 1}});
    if (!boms) return false;
    if (!boms->is_array() || boms->empty()) return true;  // the journey's find_bom says so
    const json lines = (*boms)[0].value("bom_line_ids", json::array());
    if (!lines.is_array() || lines.empty()) return true;
    // A single-entry kwargs is spelled json::object(...): a braced {{k, v}} given to a json
    // parameter is an object to GCC but a copy of its one element to clang.
    auto line_products = Read("mrp.bom.line", "read", json::array({lines}),
                              json::object({{"fields", json::array({"product_id"})}}));
    if (!line_products) return false;
    json ids = json::array();
    for (const auto& l : *line_products) {
      const json& p = l.value("product_id", json());
      if (p.is_array() && !p.empty()) ids.push_back(p[0]);
    }
    if (ids.empty()) return true;
    auto products = Read("product.product", "read", json::array({ids}),
                         json::object({{"fields", ProductFields()}}));
    if (!products) return false;
    for (const auto& p : *products) out.push_back(p);
    return true;
  }

  // The moves waiting for these products in internal locations: whatever arrives goes to them.
  struct WaitingMoves {
    int64_t count = 0;
    std::vector<std::string> names;  // their transfers (or references), at most kWaitingShown
  };
  std::optional<WaitingMoves> Waiting(const std::vector<int64_t>& product_ids) {
    const json domain = json::array(
        {json::array({"product_id", "in", product_ids}),
         json::array({"state", "in", json::array({"waiting", "confirmed", "partially_available"})}),
         json::array({"location_id.usage", "=", "internal"})});
    auto count = Read("stock.move", "search_count", json::array({domain}), json::object());
    if (!count) return std::nullopt;
    WaitingMoves w;
    w.count = count->is_number_integer() ? count->get<int64_t>() : 0;
    if (w.count == 0) return w;
    auto moves = Read("stock.move", "search_read", json::array({domain}),
                      {{"fields", {"picking_id"}}, {"limit", kWaitingShown}, {"order", "id"}});
    if (!moves) return std::nullopt;
    for (const auto& m : *moves) {
      const json& picking = m.value("picking_id", json());
      if (picking.is_array() && picking.size() > 1 && picking[1].is_string())
        w.names.push_back(picking[1].get<std::string>());
    }
    return w;
  }

  // "[FURN_7777] Office Chair keeps stock (is_storable)", or the components that do.
  std::string Describe(const std::vector<json>& storable, bool only_components) const {
    const std::string how = storable_flag_ ? "is_storable" : "type: product";
    std::string names = prober::JoinEach(storable, ", ", [](const json& p) {
      return p.value("display_name", json("?")).is_string() ? p["display_name"].get<std::string>()
                                                            : std::string("?");
    });
    if (only_components) {
      return "the bill of materials' component" + std::string(storable.size() > 1 ? "s " : " ") +
             names + (storable.size() > 1 ? " keep" : " keeps") + " stock (" + how + ")";
    }
    return names + (storable.size() > 1 ? " keep" : " keeps") + " stock (" + how + ")";
  }

  static std::string Effect(StockUse::Effect effect, const WaitingMoves& w) {
    // "2 moves already waiting for it (WH/OUT/00012, WH/OUT/00013)"
    std::string waiting;
    if (w.count > 0) {
      waiting =
          std::to_string(w.count) + (w.count > 1 ? " moves" : " move") + " already waiting for it";
      if (!w.names.empty()) {
        waiting += " (" + prober::Join(w.names) +
                   (w.count > static_cast<int64_t>(w.names.size()) ? ", ..." : "") + ")";
      }
    }
    switch (effect) {
      case StockUse::Effect::kReceipt:
        return w.count > 0
                   ? ": the goods a probe receives are reserved at once for the " + waiting +
                         ", so its return has nothing to take back and the goods stay in stock"
                   : ": the goods a probe receives are reserved at once for any delivery that "
                     "waits for them, and its return would then fight that delivery";
      case StockUse::Effect::kDelivery:
        return ": a probe order reserves this stock while it lives, and a real delivery waits "
               "behind it" +
               (w.count > 0 ? "; now " + waiting : std::string());
      case StockUse::Effect::kProduction:
        return ": a probe manufacturing order reserves its components while it lives, and real "
               "orders wait behind it" +
               (w.count > 0 ? "; now " + waiting : std::string());
    }
    return "";
  }

  // One read; nullopt (with result_ set) when it failed.
  std::optional<json> Read(const std::string& model, const std::string& method, const json& args,
                           json kwargs) {
    if (!context_.empty()) kwargs["context"] = context_;
    auto rpc = client_.CallKw(model, method, args, kwargs, deadline_);
    result_.timings += rpc.timings;
    if (!rpc.ok()) {
      result_.ok = false;
      result_.outcome = rpc.outcome;
      result_.detail = model + "." + method + ": " + rpc.detail;
      return std::nullopt;
    }
    return rpc.result;
  }

  prober::OdooClient& client_;
  const prober::Deadline deadline_;
  const bool storable_flag_;  // 18+: is_storable; before: type == "product"
  json context_ = json::object();
  StockGuardResult result_;
};

}  // namespace

StockGuardResult CheckStockUse(prober::OdooClient& client, const scenarios::Journey& journey,
                               const json& params, const config::TargetConfig& target,
                               prober::Deadline deadline) {
  Guard guard(client, target, deadline);
  for (const auto& use : journey.stock) {
    const json value = params.is_object() ? params.value(use.param, json()) : json();
    if (value.is_null()) continue;  // an unset parameter: the journey's own lookup fails
    if (!guard.Check(use, value)) break;
  }
  return guard.result();
}

}  // namespace odoo_prober::runners
