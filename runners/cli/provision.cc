#include "runners/cli/provision.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <set>

#include "prober/clock.h"
#include "prober/odoo_client.h"
#include "prober/text.h"
#include "runners/cli/command.h"
#include "runners/engine/exit_codes.h"
#include "runners/interpreter/journey_runner.h"

namespace odoo_prober::runners::cli {
namespace {

using nlohmann::json;

constexpr const char* kWorkOrdersGroup = "mrp.group_mrp_routings";

// One logged-in conversation with a target, for commands that look things up.
class Session {
 public:
  // Logs in; nullopt (with the reason on `err`) when the target cannot be reached or refuses.
  static std::optional<Session> Open(const config::TargetConfig& target, std::ostream& err) {
    auto client = prober::CreateCurlOdooClient(target.client, prober::RealClock());
    if (!client.ok()) {
      err << target.name << ": " << client.status().message() << "\n";
      return std::nullopt;
    }
    auto login = (*client)->Authenticate(prober::kNoDeadline);
    if (!login.ok()) {
      err << target.name << ": cannot log in: " << login.detail << "\n";
      return std::nullopt;
    }
    return Session(target, std::move(*client));
  }

  // model.method with the target's probe company in the context; the client bounds the call.
  prober::RpcResult Call(const std::string& model, const std::string& method, json args,
                         json kwargs = json::object()) {
    json context = kwargs.value("context", json::object());
    if (target_->company_id > 0) context["allowed_company_ids"] = {target_->company_id};
    if (!context.empty()) kwargs["context"] = context;
    return client_->CallKw(model, method, args, kwargs, prober::kNoDeadline);
  }

  // Whether the logged-in user has `group` (which an Odoo setting gives); nullopt when Odoo
  // cannot tell. 16's has_group is a model method; from 17 on it is asked of the user.
  std::optional<bool> HasGroup(const std::string& group) {
    if (auto it = groups_.find(group); it != groups_.end()) return it->second;
    auto r = version() <= 16 ? Call("res.users", "has_group", json::array({group}))
                             : Call("res.users", "has_group", json::array({json::array({uid()})}),
                                    {{"group_ext_id", group}});
    std::optional<bool> has;
    if (r.ok() && r.result.is_boolean()) {
      has = r.result.get<bool>();
    } else if (group == kWorkOrdersGroup) {
      // Turning Work Orders off archives every operation: only archived ones means off.
      auto active = Call("mrp.routing.workcenter", "search_count",
                         json::array({json::array({json::array({"active", "=", true})})}));
      auto archived = Call("mrp.routing.workcenter", "search_count",
                           json::array({json::array({json::array({"active", "=", false})})}));
      if (active.ok() && archived.ok() && active.result.is_number() &&
          archived.result.is_number() &&
          active.result.get<int>() + archived.result.get<int>() > 0) {
        has = active.result.get<int>() > 0;
      }
    }
    groups_[group] = has;
    return has;
  }

  prober::OdooClient& client() { return *client_; }
  int version() const { return client_->server_major(); }
  int uid() const { return client_->uid(); }

 private:
  Session(const config::TargetConfig& target, std::unique_ptr<prober::OdooClient> client)
      : target_(&target), client_(std::move(client)) {}

  const config::TargetConfig* target_;
  std::unique_ptr<prober::OdooClient> client_;
  std::map<std::string, std::optional<bool>> groups_;
};

// "Work Orders (Manufacturing > ...) is off (group mrp.group_mrp_routings)".
std::string SettingOff(const scenarios::Requirement& r) {
  return "needs the Odoo setting " + r.setting + ", which is off (group " + r.group +
         "); an administrator turns it on (neither provision nor the prober changes settings)";
}

// The probe master data of the built-in journeys.
constexpr const char* kCustomerRef = "PROBE-CUSTOMER";
constexpr const char* kVendorRef = "PROBE-VENDOR";
constexpr const char* kItemCode = "PROBE-ITEM";
constexpr const char* kComponentCode = "PROBE-COMPONENT";
constexpr const char* kManufacturedCode = "PROBE-MANUFACTURED";
constexpr const char* kWorkCenterName = "Probe Work Center";

// The parameters each built-in journey takes from the probe data.
const std::map<std::string, json>& JourneyParams() {
  static const std::map<std::string, json> kParams = {
      {"sales_order_confirmation", {{"customer_ref", kCustomerRef}, {"product_code", kItemCode}}},
      {"invoice_validation", {{"customer_ref", kCustomerRef}, {"product_code", kItemCode}}},
      {"goods_receipt", {{"vendor_ref", kVendorRef}, {"product_code", kItemCode}}},
      {"work_order_release", {{"product_code", kManufacturedCode}}},
  };
  return kParams;
}

// Whether `value` is probe master data provision creates (the built-in journeys' defaults).
bool ProvisionCreates(const json& value) {
  for (const auto& [journey, params] : JourneyParams()) {
    for (const auto& [name, v] : params.items()) {
      if (v == value) return true;
    }
  }
  return false;
}

class Provisioner {
 public:
  Provisioner(Session& session, const config::TargetConfig& target, bool dry_run, std::ostream& out)
      : s_(session), target_(target), dry_run_(dry_run), out_(out) {}

  bool ok() const { return ok_; }

  // Finds the one record of `model` whose `field` is `value`, or creates it from `vals`.
  // Returns its id; nullopt when it is missing under --dry-run, ambiguous, archived or failed.
  std::optional<int64_t> Ensure(const std::string& model, const std::string& field,
                                const std::string& value, json vals) {
    const std::string what = model + " " + value;
    auto found = Search(model, json::array({json::array({field, "=", value})}), /*archived=*/false);
    if (!found) return std::nullopt;
    if (found->size() > 1) {
      return Missing(std::to_string(found->size()) + " " + model + " records have " + field + " " +
                     value + "; the journeys need exactly one: archive the others");
    }
    if (found->size() == 1) {
      out_ << "  found    " << model << " " << (*found)[0] << " " << value << "\n";
      return (*found)[0].get<int64_t>();
    }
    auto archived =
        Search(model, {json::array({field, "=", value}), json::array({"active", "=", false})},
               /*archived=*/true);
    if (archived && !archived->empty()) {
      return Missing(what + " exists but is archived (id " + (*archived)[0].dump() +
                     "): unarchive it in Odoo");
    }
    if (dry_run_) {
      out_ << "  would create " << model << " " << value << "\n";
      return std::nullopt;
    }
    vals[field] = value;
    if (target_.company_id > 0 && model != "mrp.bom") vals["company_id"] = target_.company_id;
    auto r = s_.Call(model, "create", json::array({vals}));
    if (!r.ok() || !r.result.is_number_integer()) {
      return Missing("cannot create " + what + ": " + (r.ok() ? r.result.dump() : r.detail));
    }
    out_ << "  created  " << model << " " << r.result.get<int64_t>() << " " << value << "\n";
    ++created_;
    return r.result.get<int64_t>();
  }

  std::optional<int64_t> Partner(const char* ref, const char* name, const char* rank) {
    return Ensure("res.partner", "ref", ref, {{"name", name}, {"is_company", true}, {rank, 1}});
  }

  // A consumable: no stock is kept for it, so probe receipts and returns leave no trace in
  // the warehouse (the type field moved between 17 and 18).
  std::optional<int64_t> Product(const char* code, const char* name, bool sold) {
    json vals = {{"name", name},
                 {"sale_ok", sold},
                 {"purchase_ok", true},
                 {"list_price", 1.0},
                 {"standard_price", 0.0}};
    if (s_.version() >= 18) {
      vals["type"] = "consu";
      vals["is_storable"] = false;
    } else {
      vals["detailed_type"] = "consu";
    }
    return Ensure("product.product", "default_code", code, vals);
  }

  // The manufactured probe product's bill of materials: one component, one operation.
  void BillOfMaterials(int64_t product, int64_t component, int64_t workcenter) {
    auto tmpl = s_.Call("product.product", "read",
                        json::array({json::array({product}), json::array({"product_tmpl_id"})}));
    if (!tmpl.ok() || !tmpl.result.is_array() || tmpl.result.empty()) {
      Missing("cannot read " + std::string(kManufacturedCode) + ": " + tmpl.detail);
      return;
    }
    const int64_t template_id = tmpl.result[0]["product_tmpl_id"][0].get<int64_t>();
    const json operation = {
        {"name", "Probe Operation"}, {"workcenter_id", workcenter}, {"time_cycle_manual", 1.0}};
    auto boms =
        s_.Call("mrp.bom", "search_read",
                json::array({json::array({json::array({"product_tmpl_id", "=", template_id}),
                                          json::array({"type", "=", "normal"})})}),
                {{"fields", {"id", "operation_ids"}}, {"limit", 1}});
    if (!boms.ok()) {
      Missing("cannot search mrp.bom: " + boms.detail);
      return;
    }
    if (!boms.result.empty()) {
      const int64_t bom = boms.result[0]["id"].get<int64_t>();
      if (!boms.result[0]["operation_ids"].empty()) {
        out_ << "  found    mrp.bom " << bom << " of " << kManufacturedCode << "\n";
        return;
      }
      if (dry_run_) {
        out_ << "  would add an operation to mrp.bom " << bom << "\n";
        return;
      }
      auto w = s_.Call(
          "mrp.bom", "write",
          json::array({json::array({bom}), {{"operation_ids", {json::array({0, 0, operation})}}}}));
      if (!w.ok()) {
        Missing("cannot add an operation to mrp.bom " + std::to_string(bom) + ": " + w.detail);
        return;
      }
      out_ << "  added an operation to mrp.bom " << bom << "\n";
      ++created_;
      return;
    }
    if (dry_run_) {
      out_ << "  would create mrp.bom of " << kManufacturedCode << "\n";
      return;
    }
    json vals = {
        {"product_tmpl_id", template_id},
        {"product_qty", 1.0},
        {"type", "normal"},
        {"code", "PROBE"},
        {"bom_line_ids", {json::array({0, 0, {{"product_id", component}, {"product_qty", 1.0}}})}},
        {"operation_ids", {json::array({0, 0, operation})}}};
    if (target_.company_id > 0) vals["company_id"] = target_.company_id;
    auto r = s_.Call("mrp.bom", "create", json::array({vals}));
    if (!r.ok()) {
      Missing("cannot create the mrp.bom of " + std::string(kManufacturedCode) + ": " + r.detail);
      return;
    }
    out_ << "  created  mrp.bom " << r.result.dump() << " of " << kManufacturedCode << "\n";
    ++created_;
  }

  std::nullopt_t Missing(const std::string& why) {
    out_ << "  missing: " << why << "\n";
    ok_ = false;
    return std::nullopt;
  }

  int created() const { return created_; }

 private:
  std::optional<json> Search(const std::string& model, json domain, bool archived) {
    json kwargs = json::object();
    if (archived) kwargs["context"] = {{"active_test", false}};
    auto r = s_.Call(model, "search", json::array({domain}), kwargs);
    if (!r.ok() || !r.result.is_array()) {
      Missing("cannot search " + model + ": " + (r.ok() ? r.result.dump() : r.detail) +
              (r.detail.find("doesn't exist") != std::string::npos ||
                       r.detail.find("KeyError") != std::string::npos
                   ? " (is its module installed? provision installs none)"
                   : ""));
      return std::nullopt;
    }
    return r.result;
  }

  Session& s_;
  const config::TargetConfig& target_;
  const bool dry_run_;
  std::ostream& out_;
  bool ok_ = true;
  int created_ = 0;
};

}  // namespace

namespace {

// The manufacturing data, once the settings work_order_release needs are seen on.
void ProvisionManufacturing(Provisioner& prov, Session& session, const scenarios::Journey& wo,
                            bool dry_run, std::ostream& out) {
  bool settings_on = true;
  for (const auto& req : wo.requirements) {
    const auto has = session.HasGroup(req.group);
    if (has == false) {
      prov.Missing("work_order_release " + SettingOff(req));
      settings_on = false;
    } else if (!has) {
      out << "  cannot tell whether the Odoo setting " << req.setting
          << " is on; check it in Odoo\n";
    }
  }
  if (!settings_on) return;
  auto component = prov.Product(kComponentCode, "Probe Component", false);
  auto product = prov.Product(kManufacturedCode, "Probe Manufactured Item", false);
  auto workcenter = prov.Ensure("mrp.workcenter", "name", kWorkCenterName, json::object());
  if (component && product && workcenter) {
    prov.BillOfMaterials(*product, *component, *workcenter);
  } else if (dry_run && prov.ok()) {
    out << "  would create mrp.bom of " << kManufacturedCode << "\n";
  }
}

// What the built-in `journeys` need on one target, found or created; false when it is not there.
bool ProvisionTarget(Session& session, const config::TargetConfig& target,
                     const std::set<std::string>& journeys, const scenarios::Catalog& catalog,
                     bool dry_run, std::ostream& out) {
  out << target.name << " (" << target.client.base_url << ", database " << target.client.database
      << ", Odoo " << session.version() << ")" << (dry_run ? ", dry run" : "") << ":\n";
  Provisioner prov(session, target, dry_run, out);
  auto needs = [&](std::initializer_list<const char*> names) {
    return std::any_of(names.begin(), names.end(),
                       [&](const char* n) { return journeys.count(n); });
  };
  if (needs({"sales_order_confirmation", "invoice_validation"}))
    prov.Partner(kCustomerRef, "Probe Customer", "customer_rank");
  if (needs({"goods_receipt"})) prov.Partner(kVendorRef, "Probe Vendor", "supplier_rank");
  if (needs({"sales_order_confirmation", "invoice_validation", "goods_receipt"}))
    prov.Product(kItemCode, "Probe Item", true);
  if (needs({"work_order_release"}))
    ProvisionManufacturing(prov, session, *catalog.Find("work_order_release"), dry_run, out);
  if (!dry_run && prov.created() == 0 && prov.ok()) out << "  nothing to create\n";
  return prov.ok();
}

// The journeys: block to paste, with the probe data's parameters.
void PrintParams(const config::ProberConfig& cfg, const std::set<std::string>& journeys,
                 std::ostream& out) {
  out << "\n# Paste into the configuration's journeys: (params of a plant or a target override "
         "these).\njourneys:\n";
  // Each entry as the configuration has it (every field kept), the probe data's parameters
  // added to its own.
  for (const auto& sel : cfg.journeys) {
    if (!journeys.count(sel.name)) continue;
    out << "  - name: " << sel.name << "\n";
    if (sel.id != sel.name) out << "    id: " << sel.id << "\n";
    if (!sel.targets.empty()) out << "    targets: [" << prober::Join(sel.targets) << "]\n";
    if (sel.interval != config::JourneySelection().interval)
      out << "    interval: " << config::FormatDuration(sel.interval) << "\n";
    if (sel.timeout) out << "    timeout: " << config::FormatDuration(*sel.timeout) << "\n";
    if (sel.service) out << "    service: " << *sel.service << "\n";
    if (sel.step_histograms) out << "    step_histograms: true\n";
    if (sel.stock_moves_allowed) out << "    stock_moves: allowed\n";
    json params = sel.params.is_object() ? sel.params : json::object();
    if (auto it = JourneyParams().find(sel.name); it != JourneyParams().end())
      params.update(it->second);
    if (params.empty()) continue;
    out << "    params: {" << prober::JoinEach(params.items(), ", ", [](const auto& p) {
      const json& v = p.value();
      return p.key() + ": " + (v.is_string() ? v.get<std::string>() : v.dump());
    }) << "}\n";
  }
}

struct ProvisionOptions {
  std::string config_path;
  std::vector<std::string> targets;  // only these (all when empty)
  bool dry_run = false;              // search only; say what would be created
};

// Exit codes: 0 the data is there (or, with --dry-run, could be created), 1 something is
// missing that provision must not create, or a call failed, 2 usage or configuration error.
int RunProvision(const ProvisionOptions& options, const Context& context) {
  std::ostream& out = context.out;
  std::ostream& err = context.err;
  auto loaded = LoadChecked(options.config_path, context.identity, err);
  if (!loaded.ok()) return kExitUsage;
  const auto& cfg = loaded->config;
  for (const auto& name : options.targets) {
    if (cfg.FindTarget(name) == nullptr) {
      err << "--target " << name << ": no such target in " << options.config_path << "\n";
      return kExitUsage;
    }
  }
  const auto plan = Plan(cfg, loaded->catalog, {}, options.targets);
  bool all_ok = true;
  std::set<std::string> journeys_with_data;
  for (const auto& target : cfg.targets) {
    std::set<std::string> journeys;
    for (const auto& p : plan) {
      if (p.target == &target && p.journey->builtin) journeys.insert(p.journey->name);
    }
    if (journeys.empty()) continue;
    auto session = Session::Open(target, err);
    if (!session) {
      all_ok = false;
      continue;
    }
    all_ok = ProvisionTarget(*session, target, journeys, loaded->catalog, options.dry_run, out) &&
             all_ok;
    journeys_with_data.insert(journeys.begin(), journeys.end());
  }
  if (!journeys_with_data.empty()) PrintParams(cfg, journeys_with_data, out);
  return all_ok ? kExitOk : kExitJourneyFailed;
}

class Provision final : public Command {
 public:
  CLI::App* Add(CLI::App& app) override {
    auto* c = app.add_subcommand(
        "provision",
        "Find or create the probe master data the built-in journeys need (never changes settings)");
    c->add_option("CONFIG", o_.config_path, "Configuration file (YAML)")->required();
    c->add_option("--target", o_.targets, "Only this target (repeatable)");
    c->add_flag("--dry-run", o_.dry_run, "Only search, and say what would be created");
    c->footer(
        "Exit codes:\n  0  the probe data is there (or could be created: --dry-run)\n"
        "  1  something is missing that provision must not create (a setting, a module), or a "
        "call failed\n  2  usage or configuration error\n  3  internal error");
    return c;
  }
  int Run(const Context& context) override { return RunProvision(o_, context); }

 private:
  ProvisionOptions o_;
};

}  // namespace

std::unique_ptr<Command> NewProvision() { return std::make_unique<Provision>(); }

int RunValidateOnline(const Loaded& loaded, std::ostream& out, std::ostream& err) {
  const auto& cfg = loaded.config;
  const auto plan = Plan(cfg, loaded.catalog, {}, {});
  JourneyRunner runner(prober::RealClock(), loaded.catalog, CurlFactory());
  bool all_ok = true;
  for (const auto& target : cfg.targets) {
    std::vector<const PlannedPair*> pairs;
    for (const auto& p : plan) {
      if (p.target == &target) pairs.push_back(&p);
    }
    if (pairs.empty()) continue;
    auto session = Session::Open(target, err);
    if (!session) {
      all_ok = false;
      continue;
    }
    for (const PlannedPair* p : pairs) {
      const std::string where = target.name + ": " + p->journey->name + ": ";
      bool ok = true;
      for (const auto& req : p->journey->requirements) {
        const auto has = session->HasGroup(req.group);
        if (has == false) {
          out << where << SettingOff(req) << "\n";
          ok = false;
        } else if (!has) {
          out << where << "cannot tell whether the Odoo setting " << req.setting
              << " is on; check it in Odoo\n";
        }
      }
      const json params = ResolveParams(*p->journey, cfg, *p->selection, target);
      const auto pre = runner.RunPreflight(*p->journey, target, params, session->client(),
                                           p->selection->stock_moves_allowed);
      if (!pre.ok) {
        const std::string names = prober::JoinEach(pre.params, ", ", [&](const std::string& n) {
          return n + " = " + (params.contains(n) ? params[n].dump() : std::string("(unset)"));
        });
        // A lookup of the probe data the defaults name: the target was not provisioned.
        const bool unprovisioned =
            std::any_of(pre.params.begin(), pre.params.end(), [&](const std::string& n) {
              return params.contains(n) && ProvisionCreates(params[n]);
            });
        out << where << (names.empty() ? "" : "parameter " + names + ": ") << "step " << pre.step
            << ": " << pre.detail
            << (unprovisioned ? "; this is probe master data: run `odoo-prober provision " +
                                    cfg.path + "` to create it"
                              : "")
            << "\n";
        ok = false;
      }
      if (ok) out << where << "ok\n";
      all_ok = all_ok && ok;
    }
  }
  return all_ok ? kExitOk : kExitJourneyFailed;
}

}  // namespace odoo_prober::runners::cli
