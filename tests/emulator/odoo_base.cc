// The base family of the emulated database: companies, currencies, partners, users, units,
// taxes, products and the settings model, with the demo data every recorded database had.
#include <algorithm>
#include <sstream>
#include <tuple>

#include "tests/emulator/odoo_db.h"
#include "tests/emulator/schema_util.h"

namespace odoo_prober::emulator {

using namespace schema;

namespace {

// Products: product.product carries the template's fields (Odoo delegates them); the selection
// errors name product.template as Odoo does.
std::map<std::string, Field> ProductFields(const Dialect& d, bool variant) {
  std::map<std::string, Field> f = {
      {"name", Req(F("Name", FT::kChar))},
      {"default_code", F("Internal Reference", FT::kChar)},
      {"sale_ok", Def(F("Can be Sold", FT::kBoolean), true)},
      {"purchase_ok", Def(F("Can be Purchased", FT::kBoolean), true)},
      {"list_price", Def(F("Sales Price", FT::kFloat), 1.0)},
      {"standard_price", Def(F("Cost", FT::kFloat), 0.0)},
      {"uom_id", Def(M2O("Unit of Measure", "uom.uom"), 1)},
      {"uom_po_id", Def(M2O("Purchase Unit", "uom.uom"), 1)},
      {"tracking", Def(Sel("Tracking", {"serial", "lot", "none"}), "none")},
      {"taxes_id", M2M("Customer Taxes", "account.tax")},
      {"supplier_taxes_id", M2M("Vendor Taxes", "account.tax")},
      {"qty_available", Comp(F("Quantity On Hand", FT::kFloat))},
      {"active", Def(F("Active", FT::kBoolean), true)},
      {"company_id", M2O("Company", "res.company")},
  };
  Field type = Def(Sel("Product Type", d.product_types), "consu");
  type.owner = "product.template";
  f["type"] = type;
  if (d.storable_flag) {
    f["is_storable"] = Def(F("Track Inventory", FT::kBoolean), false);
  } else {
    Field detailed = Def(Sel("Product Type", {"consu", "service", "product"}), "consu");
    detailed.owner = "product.template";
    f["detailed_type"] = detailed;
  }
  if (variant) {
    f["product_tmpl_id"] = M2O("Product Template", "product.template");
    f["bom_ids"] = Comp(M2M("BoMs", "mrp.bom"));
  } else {
    f["bom_ids"] = O2M("Bill of Materials", "mrp.bom", "product_tmpl_id");
    f["product_variant_ids"] = O2M("Products", "product.product", "product_tmpl_id");
  }
  return f;
}

// Groups the demo admin has, besides the Work Orders setting's.
bool AdminHasGroup(const std::string& g) {
  return g == "base.group_user" || g == "base.group_system" || g == "stock.group_stock_manager" ||
         g == "mrp.group_mrp_manager" || g == "purchase.group_purchase_manager" ||
         g == "sales_team.group_sale_manager" || g == "account.group_account_manager";
}

}  // namespace

void OdooDatabase::RegisterBase() {
  AddModel("res.company", "Companies",
           {{"name", Req(F("Company Name", FT::kChar))},
            {"partner_id", M2O("Partner", "res.partner")},
            {"currency_id", M2O("Currency", "res.currency")},
            {"country_id", M2O("Country", "res.country")}});
  AddModel("res.country", "Country",
           {{"name", Req(F("Country Name", FT::kChar))}, {"code", F("Country Code", FT::kChar)}});
  // The installed modules, as the Apps menu lists them (what `compare` fingerprints).
  AddModel("ir.module.module", "Module",
           {{"name", Req(F("Technical Name", FT::kChar))},
            {"shortdesc", F("Module Name", FT::kChar)},
            {"latest_version", F("Latest Version", FT::kChar)},
            {"state", Def(Sel("Status", {"uninstallable", "uninstalled", "installed", "to upgrade",
                                         "to remove", "to install"}),
                          "uninstalled")}});
  AddModel("res.currency", "Currency",
           {{"name", Req(F("Currency", FT::kChar))}, {"symbol", F("Symbol", FT::kChar)}});
  AddModel("res.partner", "Contact",
           {{"name", F("Name", FT::kChar)},
            {"is_company", Def(F("Is a Company", FT::kBoolean), false)},
            {"parent_id", M2O("Related Company", "res.partner")},
            {"child_ids", O2M("Contact", "res.partner", "parent_id")},
            {"ref", F("Reference", FT::kChar)},
            {"email", F("Email", FT::kChar)},
            {"customer_rank", Def(F("Customer Rank", FT::kInteger), 0)},
            {"supplier_rank", Def(F("Supplier Rank", FT::kInteger), 0)},
            {"company_id", M2O("Company", "res.company")},
            {"active", Def(F("Active", FT::kBoolean), true)}},
           {"_compute_display_name"});
  AddModel("res.users", "User",
           {{"login", Req(F("Login", FT::kChar))},
            {"name", F("Name", FT::kChar)},
            {"partner_id", M2O("Related Partner", "res.partner")},
            {"company_id", M2O("Company", "res.company")},
            {"company_ids", M2M("Companies", "res.company")},
            {"lang", Def(F("Language", FT::kChar), "en_US")},
            {"tz", Def(F("Timezone", FT::kChar), "Europe/Brussels")},
            {"active", Def(F("Active", FT::kBoolean), true)}});
  AddModel("uom.uom", "Product Unit of Measure", {{"name", Req(F("Unit of Measure", FT::kChar))}});
  AddModel("account.tax", "Tax",
           {{"name", Req(F("Tax Name", FT::kChar))},
            {"amount", F("Amount", FT::kFloat)},
            {"type_tax_use", Sel("Tax Type", {"sale", "purchase", "none"})}});
  AddModel("product.template", "Product", ProductFields(dialect_, false));
  AddModel("product.product", "Product Variant", ProductFields(dialect_, true));
  // Settings are a transient model whose execute() applies them; only the Work Orders setting
  // is emulated (the 16.0 recording turns it on).
  AddModel("res.config.settings", "Config Settings",
           {{"group_mrp_routings", Def(F("Work Orders", FT::kBoolean), false)}});

  RegisterBaseBehaviour();
}

// What the base models do beyond storing: write checks, computed fields, and the methods the
// probe calls (context_get, has_group, the settings' execute).
void OdooDatabase::RegisterBaseBehaviour() {
  tables_["res.partner"].before_write = [](int id, const json& vals) {
    if (vals.contains("parent_id") && vals["parent_id"].is_number_integer() &&
        vals["parent_id"].get<int>() == id) {
      Raise("odoo.exceptions.ValidationError", "You cannot create recursive Partner hierarchies.");
    }
  };
  AddComputed("res.partner", "display_name", [this](int id) -> json {
    const int parent = orm_.RawId("res.partner", id, "parent_id");
    if (!parent || Truthy(orm_.Raw("res.partner", id, "is_company"))) return nullptr;
    return orm_.DisplayName("res.partner", parent) + ", " +
           Str(orm_.Raw("res.partner", id, "name"));
  });
  for (const char* m : {"product.product", "product.template"}) {
    AddComputed(m, "display_name", [this, m](int id) -> json {
      const std::string code = Str(orm_.Raw(m, id, "default_code"));
      const json name = orm_.Raw(m, id, "name");
      return code.empty() ? name : json("[" + code + "] " + Str(name));
    });
  }
  AddComputed("product.product", "qty_available", [this](int id) { return OnHand(id); });
  AddComputed("product.template", "qty_available", [this](int id) {
    return OnHand(orm_.RawIds("product.template", id, "product_variant_ids").at(0));
  });
  AddComputed("product.product", "bom_ids", [this](int id) {
    return orm_.RawIds("product.template", orm_.RawId("product.product", id, "product_tmpl_id"),
                       "bom_ids");
  });
  tables_["product.product"].on_create = [this](int, json& rec, const json& vals) {
    // A new product gets the company's default taxes, which in each recorded database are the
    // ones its products have (dialect_.Taxed).
    const std::string type = Str(vals.value("type", vals.value("detailed_type", json("consu"))));
    const bool taxed = dialect_.Taxed(type);
    if (!vals.contains("taxes_id")) rec["taxes_id"] = taxed ? json::array({1}) : json::array();
    if (!vals.contains("supplier_taxes_id"))
      rec["supplier_taxes_id"] = taxed ? json::array({2}) : json::array();
    if (vals.contains("product_tmpl_id")) return;
    json tmpl = vals;
    tmpl["taxes_id"] = rec["taxes_id"];
    tmpl["supplier_taxes_id"] = rec["supplier_taxes_id"];
    rec["product_tmpl_id"] = orm_.Create("product.template", tmpl);
  };

  AddMethod("res.users", "context_get", [](const MethodCall&) {
    return json{{"lang", "en_US"}, {"tz", "Europe/Brussels"}, {"uid", 2}};
  });
  AddMethod("res.users", "has_group", [this](const MethodCall& c) -> std::optional<json> {
    // 16: an @api.model method, has_group('module.group'); 17+: on the user, with ids first.
    const json group = c.kwargs.contains("group_ext_id") ? c.kwargs["group_ext_id"]
                       : dialect_.has_group_on_model     ? (c.args.empty() ? json() : c.args[0])
                                                         : (c.args.size() > 1 ? c.args[1] : json());
    if (!group.is_string())
      Raise("builtins.TypeError",
            "has_group() missing 1 required positional argument: 'group_ext_id'");
    const std::string g = group.get<std::string>();
    if (g.find('.') == std::string::npos)
      Raise("builtins.AssertionError", "External ID must be fully qualified");
    if (g == "mrp.group_mrp_routings") return settings_.work_orders;
    return AdminHasGroup(g);
  });
  AddMethod("res.config.settings", "execute", [this](const MethodCall& c) -> std::optional<json> {
    for (int id : c.ids) {
      const bool on = Truthy(orm_.Raw(c.model, id, "group_mrp_routings"));
      if (on == settings_.work_orders) continue;
      // Odoo archives every operation when Work Orders goes off and brings them back when it
      // comes on again.
      settings_.work_orders = on;
      for (auto& [op, rec] : orm_.model("mrp.routing.workcenter").records) rec["active"] = on;
    }
    return json{{"type", "ir.actions.client"}, {"tag", "reload"}};
  });
}

void OdooDatabase::SeedBase() {
  auto seed = [&](const char* model, int id, const json& vals) { SeedRecord(model, id, vals); };
  seed("res.currency", 1, {{"name", "USD"}, {"symbol", "$"}});
  seed("res.country", 233, {{"name", "United States"}, {"code", "US"}});
  seed("res.partner", 1, {{"name", "YourCompany"}, {"is_company", true}});
  seed("res.company", 1,
       {{"name", "My Company (San Francisco)"},
        {"partner_id", 1},
        {"currency_id", 1},
        {"country_id", 233}});
  seed("res.company", 2, {{"name", "My Company (Chicago)"}, {"partner_id", 1}, {"currency_id", 1}});
  seed("res.partner", 2, {{"name", "OdooBot"}, {"active", false}});
  seed("res.partner", 3,
       {{"name", "Mitchell Admin"}, {"parent_id", 1}, {"email", "admin@yourcompany.example.com"}});
  seed("res.users", 2,
       {{"login", "admin"},
        {"name", "Mitchell Admin"},
        {"partner_id", 3},
        {"company_id", 1},
        {"company_ids", {1, 2}}});
  seed("res.partner", 10,
       {{"name", "Deco Addict"}, {"is_company", true}, {"customer_rank", 1}, {"ref", "DECO"}});
  seed("res.partner", 11,
       {{"name", "Gemini Furniture"}, {"is_company", true}, {"customer_rank", 1}});
  seed("res.partner", 14,
       {{"name", "Azure Interior"},
        {"is_company", true},
        {"customer_rank", 1},
        {"supplier_rank", 1},
        {"ref", "AZURE"}});
  seed("res.partner", 15, {{"name", "Wood Corner"}, {"is_company", true}, {"supplier_rank", 1}});
  seed("uom.uom", 1, {{"name", "Units"}});
  {
    std::ostringstream rate;
    rate << settings_.sale_tax_percent << "%";
    seed("account.tax", 1,
         {{"name", rate.str()}, {"amount", settings_.sale_tax_percent}, {"type_tax_use", "sale"}});
  }
  // The modules of the recorded databases; versions as `series.module version`.
  int module_id = 1;
  for (const auto& [name, desc, version] :
       std::vector<std::tuple<std::string, std::string, std::string>>{
           {"base", "Base", "1.3"},
           {"web", "Web", "1.0"},
           {"account", "Invoicing", "1.2"},
           {"sale", "Sales", "1.2"},
           {"sale_management", "Sales", "1.0"},
           {"sale_stock", "Sales and Warehouse Management", "1.0"},
           {"purchase", "Purchase", "1.2"},
           {"purchase_stock", "Purchase Stock", "1.2"},
           {"stock", "Inventory", "1.1"},
           {"stock_sms", "Stock - SMS", "1.0"},
           {"mrp", "Manufacturing", "2.0"}}) {
    if (std::find(settings_.without_modules.begin(), settings_.without_modules.end(), name) !=
        settings_.without_modules.end())
      continue;
    seed("ir.module.module", module_id++,
         {{"name", name},
          {"shortdesc", desc},
          {"latest_version", std::to_string(major_) + ".0." + version},
          {"state", "installed"}});
  }
  seed("account.tax", 2, {{"name", "15%"}, {"amount", 15.0}, {"type_tax_use", "purchase"}});
  seed("account.journal", 1,
       {{"name", "Customer Invoices"}, {"code", "INV"}, {"type", "sale"}, {"company_id", 1}});
  seed("account.journal", 2,
       {{"name", "Vendor Bills"}, {"code", "BILL"}, {"type", "purchase"}, {"company_id", 1}});
}

void OdooDatabase::SeedProducts() {
  // A template and its single variant share the id; taxes as each recorded database had them.
  auto product = [&](int id, json vals, bool storable) {
    if (dialect_.storable_flag) {
      vals["type"] = vals.value("type", "consu");
      vals["is_storable"] = storable;
    } else {
      const std::string t = storable ? "product" : vals.value("type", "consu");
      vals["type"] = t;
      vals["detailed_type"] = t;
    }
    const bool taxed = dialect_.Taxed(vals.value("type", ""));
    vals["taxes_id"] = taxed ? json::array({1}) : json::array();
    vals["supplier_taxes_id"] = taxed ? json::array({2}) : json::array();
    SeedRecord("product.template", id, vals);
    vals["product_tmpl_id"] = id;
    SeedRecord("product.product", id, vals);
  };
  auto item = [](const char* name, const char* code, double price, double cost) {
    return json{
        {"name", name}, {"default_code", code}, {"list_price", price}, {"standard_price", cost}};
  };
  product(1,
          {{"name", "Restaurant Expenses"},
           {"type", "service"},
           {"list_price", 14.0},
           {"standard_price", 14.0}},
          false);
  product(5, item("Office Chair", "FURN_7777", 70.0, 55.0), true);
  product(6, item("Table Top", "FURN_8522", 380.0, 240.0), true);
  product(7, item("Table Leg", "FURN_2333", 50.0, 10.0), true);
  product(8, item("Bolt", "CONS_89957", 0.5, 0.5), false);
  product(9, item("Screw", "CONS_25630", 0.1, 0.1), false);
  product(29, item("Table", "FURN_9666", 520.0, 290.0), true);
  product(40, item("Probe Widget", "PROBE_WIDGET", 10.0, 8.0), false);
}

}  // namespace odoo_prober::emulator
