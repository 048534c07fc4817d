// The core of the emulated database: the families' registration, the dispatch of RPC calls to
// the generic ORM or to the families' tables, and what several families share.
#include "tests/emulator/odoo_db.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "tests/emulator/schema_util.h"

namespace odoo_prober::emulator {

using namespace schema;

namespace {

const std::set<std::string> kGenericMethods = {
    "search", "search_read", "search_count", "read",        "create", "write",
    "unlink", "name_search", "fields_get",   "default_get", "exists", "check_access_rights"};

// An argument given by position or by name.
json Arg(const json& args, const json& kwargs, size_t i, const char* name, json fallback) {
  if (kwargs.contains(name)) return kwargs[name];
  return args.size() > i ? args[i] : fallback;
}

int IntArg(const json& args, const json& kwargs, size_t i, const char* name, int fallback) {
  json v = Arg(args, kwargs, i, name, fallback);
  return v.is_number_integer() ? v.get<int>() : fallback;
}

}  // namespace

std::string OdooNow() { return FormatTime(UnixNow(), "%Y-%m-%d %H:%M:%S"); }
std::string OdooToday() { return FormatTime(UnixNow(), "%Y-%m-%d"); }

OdooDatabase::OdooDatabase(int major, DatabaseSettings settings)
    : major_(major), dialect_(major), settings_(settings), orm_(dialect_) {
  RegisterBase();
  RegisterStock();
  RegisterSale();
  RegisterPurchase();
  RegisterMrp();
  RegisterAccount();
  InstallHooks();
  SeedBase();
  SeedStock();
  SeedProducts();
  SeedMrp();
  SeedQuants();
  if (settings_.probe_data) SeedProbeData();
}

void OdooDatabase::AddModel(const char* name, const char* label,
                            std::map<std::string, Field> fields, std::set<std::string> privates) {
  Model m;
  m.name = name;
  m.label = label;
  fields.emplace("create_date", Comp(F("Created on", FT::kDatetime)));
  fields.emplace("write_date", Comp(F("Last Updated on", FT::kDatetime)));
  m.fields = std::move(fields);
  m.private_methods = std::move(privates);
  m.private_methods.insert({"_compute_display_name", "_check_company"});
  orm_.AddModel(std::move(m));
}

void OdooDatabase::SeedRecord(const char* model, int id, const json& vals) {
  Model& m = orm_.model(model);
  m.next_id = std::max(m.next_id, id);
  orm_.Create(model, vals);
}

void OdooDatabase::NoSuchMethod(const std::string& m, const std::string& method) const {
  Raise("builtins.AttributeError", dialect_.NoSuchMethod(m, method));
}

bool OdooDatabase::HasMethod(const std::string& m, const std::string& method) const {
  if (!orm_.HasModel(m)) return false;
  if (kGenericMethods.count(method)) return true;
  auto t = tables_.find(m);
  return t != tables_.end() && t->second.methods.count(method) > 0;
}

void OdooDatabase::InstallHooks() {
  Orm::Hooks hooks;
  hooks.compute = [this](const std::string& m, int id, const std::string& f) {
    return Compute(m, id, f);
  };
  hooks.after_create = [this](const std::string& m, int id, const json& vals) {
    AfterCreate(m, id, vals);
  };
  hooks.before_write = [this](const std::string& m, const std::vector<int>& ids, const json& vals) {
    auto t = tables_.find(m);
    if (t == tables_.end() || !t->second.before_write) return;
    for (int id : ids) t->second.before_write(id, vals);
  };
  hooks.before_unlink = [this](const std::string& m, const std::vector<int>& ids) {
    auto t = tables_.find(m);
    if (t == tables_.end() || !t->second.before_unlink) return;
    for (int id : ids) t->second.before_unlink(id);
  };
  orm_.SetHooks(std::move(hooks));
}

std::string OdooDatabase::NextName(const std::string& prefix, int digits) {
  const int n = ++sequences_[prefix];
  std::string num = std::to_string(n);
  if (static_cast<int>(num.size()) < digits) num.insert(0, digits - num.size(), '0');
  return prefix + num;
}

std::string OdooDatabase::State(const std::string& m, int id) const {
  return Str(orm_.Raw(m, id, "state"));
}

void OdooDatabase::SetState(const std::string& m, int id, const char* state) {
  orm_.Rec(m, id)["state"] = state;
}

json OdooDatabase::Compute(const std::string& m, int id, const std::string& f) const {
  if (f == "create_date" || f == "write_date") {
    return orm_.model(m).records.at(id).value("__created", json(OdooNow()));
  }
  auto t = tables_.find(m);
  if (t == tables_.end()) return nullptr;
  auto c = t->second.computed.find(f);
  return c == t->second.computed.end() ? json(nullptr) : c->second(id);
}

void OdooDatabase::AfterCreate(const std::string& m, int id, const json& vals) {
  json& rec = orm_.Rec(m, id);
  rec["__created"] = OdooNow();
  auto t = tables_.find(m);
  if (t != tables_.end() && t->second.on_create) t->second.on_create(id, rec, vals);
}

double OdooDatabase::SumLines(const std::string& m, int id, const std::string& lines,
                              const std::string& qty_field, const std::string& tax_field,
                              bool taxes) const {
  double total = 0;
  const std::string lm = orm_.FindField(m, lines)->comodel;
  for (int l : orm_.RawIds(m, id, lines)) {
    const double base = Num(orm_.Raw(lm, l, qty_field)) * Num(orm_.Raw(lm, l, "price_unit"));
    double rate = 0;
    for (int t : orm_.RawIds(lm, l, tax_field)) rate += Num(orm_.Raw("account.tax", t, "amount"));
    total += taxes ? base * rate / 100.0 : base;
  }
  return std::round(total * 100) / 100;
}

void OdooDatabase::AddAmounts(const std::string& m, const std::string& lines,
                              const std::string& qty, const std::string& taxes) {
  AddComputed(m, "amount_untaxed",
              [=, this](int id) { return SumLines(m, id, lines, qty, taxes, false); });
  AddComputed(m, "amount_tax",
              [=, this](int id) { return SumLines(m, id, lines, qty, taxes, true); });
  AddComputed(m, "amount_total", [=, this](int id) {
    return std::round((SumLines(m, id, lines, qty, taxes, false) +
                       SumLines(m, id, lines, qty, taxes, true)) *
                      100) /
           100;
  });
}

void OdooDatabase::AddLineTotals(const std::string& m, const std::string& qty,
                                 const std::string& taxes) {
  auto base = [=, this](int id) {
    return Num(orm_.Raw(m, id, qty)) * Num(orm_.Raw(m, id, "price_unit"));
  };
  AddComputed(m, "price_subtotal", [=](int id) { return std::round(base(id) * 100) / 100; });
  AddComputed(m, "price_total", [=, this](int id) {
    double rate = 0;
    for (int t : orm_.RawIds(m, id, taxes)) rate += Num(orm_.Raw("account.tax", t, "amount"));
    return std::round(base(id) * (1 + rate / 100) * 100) / 100;
  });
}

void OdooDatabase::LineDefaults(const std::string& m, int id, json& rec, const json& vals,
                                const char* price_from, const char* taxes_field,
                                const char* taxes_from) {
  const int product = orm_.RawId(m, id, "product_id");
  if (!product) return;
  if (!vals.contains("price_unit"))
    rec["price_unit"] = orm_.Raw("product.product", product, price_from);
  if (!vals.contains("name")) rec["name"] = orm_.Raw("product.product", product, "name");
  if (!vals.contains(taxes_field))
    rec[taxes_field] = orm_.Raw("product.product", product, taxes_from);
}

void OdooDatabase::CancelOpenPickings(const char* link_field, int order) {
  for (int p : orm_.Search("stock.picking", json::array({json::array({link_field, "=", order})}))) {
    if (State("stock.picking", p) == "done") continue;
    SetState("stock.picking", p, "cancel");
    for (int mv : orm_.RawIds("stock.picking", p, "move_ids")) CancelMove(mv);
  }
}

void OdooDatabase::PickingForOrder(const std::string& m, int order, const char* line_model,
                                   const char* qty_field, const char* link_field,
                                   const char* order_field, int picking_type) {
  json lines = json::array();
  for (int l : orm_.RawIds(m, order, "order_line")) {
    const int product = orm_.RawId(line_model, l, "product_id");
    if (!product || Str(orm_.Raw("product.product", product, "type")) == "service") continue;
    lines.push_back({{"product_id", product},
                     {"qty", Num(orm_.Raw(line_model, l, qty_field))},
                     {"link_field", link_field},
                     {"link", l}});
  }
  if (lines.empty()) return;
  CreatePicking(picking_type, orm_.RawId(m, order, "partner_id"), Str(orm_.Raw(m, order, "name")),
                order_field, order, lines);
}

std::optional<json> OdooDatabase::Call(const std::string& m, const std::string& method,
                                       const json& args_in, const json& kwargs_in) {
  if (!orm_.HasModel(m)) UserError("Object " + m + " doesn't exist");
  const json args = args_in.is_array() ? args_in : json::array();
  const json kwargs = kwargs_in.is_object() ? kwargs_in : json::object();
  context_ = kwargs.contains("context") && kwargs["context"].is_object() ? kwargs["context"]
                                                                         : json::object();
  for (const auto& c : context_.value("allowed_company_ids", json::array())) {
    if (!c.is_number_integer() || (c.get<int>() != 1 && c.get<int>() != 2)) {
      Raise("odoo.exceptions.AccessError", "Access to unauthorized or invalid companies.");
    }
  }
  if (!method.empty() && method[0] == '_') {
    if (dialect_.unknown_private_is_access_error() || orm_.model(m).private_methods.count(method)) {
      Raise("odoo.exceptions.AccessError", dialect_.PrivateMethod(m, method));
    }
    NoSuchMethod(m, method);  // 18: an unknown private name is an unknown method
  }
  if (!HasMethod(m, method)) NoSuchMethod(m, method);
  if (kGenericMethods.count(method)) return CallOrm(m, method, args, kwargs);
  // Business methods take the record ids first (context_get is an @api.model method).
  const bool model_method =
      method == "context_get" || (method == "has_group" && dialect_.has_group_on_model);
  const std::vector<int> ids =
      model_method ? std::vector<int>{} : Orm::Ids(Arg(args, kwargs, 0, "ids", json::array()));
  orm_.CheckExist(m, ids);
  return tables_.at(m).methods.at(method)(MethodCall{m, method, ids, args, kwargs, context_});
}

std::optional<json> OdooDatabase::CallOrm(const std::string& m, const std::string& method,
                                          const json& args, const json& kwargs) {
  auto arg = [&](size_t i, const char* name, json fallback) {
    return Arg(args, kwargs, i, name, std::move(fallback));
  };
  if (method == "search" || method == "search_read" || method == "search_count") {
    const json domain = arg(0, "domain", json::array());
    if (method == "search_count") return static_cast<int>(orm_.Search(m, domain).size());
    // search(domain, offset, limit, order); search_read(domain, fields, offset, limit, order)
    const size_t base = method == "search_read" ? 1 : 0;
    const json order = arg(base + 3, "order", json(""));
    const auto ids = orm_.Search(m, domain, IntArg(args, kwargs, base + 1, "offset", 0),
                                 IntArg(args, kwargs, base + 2, "limit", -1),
                                 order.is_string() ? order.get<std::string>() : "");
    if (method == "search") return json(ids);
    return orm_.Read(m, ids, arg(1, "fields", json::array()));
  }
  if (method == "read")
    return orm_.Read(m, Orm::Ids(arg(0, "ids", json::array())), arg(1, "fields", json::array()));
  if (method == "create") {
    json vals = arg(0, "vals_list", arg(0, "vals", json::object()));
    // default_<field> keys of the context fill what the values leave out.
    auto with_defaults = [&](json v) {
      for (auto it = context_.begin(); it != context_.end(); ++it) {
        const std::string f = it.key().rfind("default_", 0) == 0 ? it.key().substr(8) : "";
        if (!f.empty() && orm_.model(m).fields.count(f) && !v.contains(f) && f != "pick_ids")
          v[f] = it.value();
      }
      return v;
    };
    if (!vals.is_array()) return orm_.Create(m, with_defaults(vals));
    json ids = json::array();
    for (const auto& v : vals) ids.push_back(orm_.Create(m, with_defaults(v)));
    return ids;
  }
  if (method == "write") {
    orm_.Write(m, Orm::Ids(arg(0, "ids", json::array())), arg(1, "vals", json::object()));
    return true;
  }
  if (method == "unlink") {
    orm_.Unlink(m, Orm::Ids(arg(0, "ids", json::array())));
    return true;
  }
  if (method == "exists") {
    json out = json::array();
    for (int id : Orm::Ids(arg(0, "ids", json::array()))) {
      if (orm_.Exists(m, id)) out.push_back(id);
    }
    return out;
  }
  if (method == "name_search") {
    const json name = arg(0, "name", json(""));
    const json op = arg(2, "operator", json("ilike"));
    return orm_.NameSearch(
        m, name.is_string() ? name.get<std::string>() : "", arg(1, "args", json::array()),
        op.is_string() ? op.get<std::string>() : "ilike", IntArg(args, kwargs, 3, "limit", 100));
  }
  if (method == "fields_get")
    return orm_.FieldsGet(m, arg(0, "allfields", json::array()),
                          arg(1, "attributes", json::array()));
  if (method == "default_get") {
    // Only the return wizard's picking comes from defaults (recorded on 16.0: the lines and the
    // location come from its onchange).
    json out = json::object();
    const json fields = arg(0, "fields_list", arg(0, "fields", json::array()));
    if (m == "stock.return.picking" && context_.contains("active_id") &&
        std::find(fields.begin(), fields.end(), json("picking_id")) != fields.end()) {
      out["picking_id"] = context_["active_id"];
    }
    return out;
  }
  return true;  // check_access_rights
}

std::optional<json> OdooDatabase::CallNamed(const std::string& m, const std::string& method,
                                            const json& body) {
  json kwargs = body.is_object() ? body : json::object();
  json args = json::array();
  if (kwargs.contains("ids")) {
    args.push_back(kwargs["ids"]);
    kwargs.erase("ids");
  }
  return Call(m, method, args, kwargs);
}

json OdooDatabase::OpenRecordsTagged(const std::string& tag) const {
  static const std::vector<std::pair<std::string, std::string>> kRefs = {
      {"sale.order", "client_order_ref"}, {"purchase.order", "partner_ref"},
      {"purchase.order", "origin"},       {"stock.picking", "origin"},
      {"mrp.production", "origin"},       {"account.move", "ref"}};
  // States in which nothing is left to clean up: posted invoices still need a reversal or a
  // cancellation, confirmed orders a cancellation, a received purchase order a lock.
  auto final_state = [&](const std::string& model, const json& rec) {
    const std::string state = Str(rec.value("state", json("")));
    if (state == "cancel") return true;
    if (model == "account.move" || model == "sale.order") return false;
    if (model == "purchase.order")
      return state == "done" || Truthy(rec.value("locked", json(false)));
    return state == "done";
  };
  // A transfer of a probe order is finished when cancelled, or done and either a return itself
  // or returned by a done return (the goods are back where they were).
  auto open_picking = [&](int p) -> std::string {
    const std::string state = State("stock.picking", p);
    if (state == "cancel") return "";
    if (state != "done") return state;
    bool is_return = false, returned = false;
    for (int mv : orm_.RawIds("stock.picking", p, "move_ids")) {
      is_return = is_return || orm_.RawId("stock.move", mv, "origin_returned_move_id") != 0;
      for (int r : orm_.RawIds("stock.move", mv, "returned_move_ids"))
        returned = returned || State("stock.move", r) == "done";
    }
    return is_return || returned ? "" : "done, not returned";
  };
  json out = json::array();
  std::set<std::pair<std::string, int>> seen;
  auto add = [&](const std::string& model, int id, const std::string& state,
                 const std::string& ref) {
    if (seen.insert({model, id}).second)
      out.push_back({{"model", model}, {"id", id}, {"state", state}, {"ref", ref}});
  };
  for (const auto& [model, field] : kRefs) {
    for (const auto& [id, rec] : orm_.model(model).records) {
      const std::string ref = Str(rec.value(field, json("")));
      if (ref.find(tag) == std::string::npos) continue;
      if (!final_state(model, rec)) add(model, id, Str(rec.value("state", json(""))), ref);
      if (model != "sale.order" && model != "purchase.order") continue;
      const char* link = model == "sale.order" ? "sale_id" : "purchase_id";
      for (int p : orm_.Search("stock.picking", json::array({json::array({link, "=", id})}))) {
        const std::string open = open_picking(p);
        if (!open.empty()) add("stock.picking", p, open, ref);
      }
    }
  }
  return out;
}

}  // namespace odoo_prober::emulator
