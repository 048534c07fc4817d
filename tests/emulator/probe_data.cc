// The probe master data of a target prepared with `odoo-prober provision`
// (runners/cli/provision.cc): the same records with the same values, created through the same RPC
// methods, so that a database with them answers the built-in journeys' defaults as a provisioned
// Odoo does. provision_test holds the two together: provision finds all of it here and creates
// nothing.
#include "tests/emulator/odoo_db.h"

namespace odoo_prober::emulator {

void OdooDatabase::SeedProbeData() {
  auto create = [this](const char* model, const json& vals) {
    return Call(model, "create", json::array({vals}), json::object())->get<int>();
  };
  create("res.partner", {{"name", "Probe Customer"},
                         {"is_company", true},
                         {"customer_rank", 1},
                         {"ref", "PROBE-CUSTOMER"}});
  create("res.partner", {{"name", "Probe Vendor"},
                         {"is_company", true},
                         {"supplier_rank", 1},
                         {"ref", "PROBE-VENDOR"}});
  // Consumables: no stock is kept for them (the type field moved between 17 and 18).
  auto product = [&](const char* code, const char* name, bool sold) {
    json vals = {{"name", name},      {"sale_ok", sold},       {"purchase_ok", true},
                 {"list_price", 1.0}, {"standard_price", 0.0}, {"default_code", code}};
    if (major_ >= 18) {
      vals["type"] = "consu";
      vals["is_storable"] = false;
    } else {
      vals["detailed_type"] = "consu";
    }
    return create("product.product", vals);
  };
  product("PROBE-ITEM", "Probe Item", true);
  // provision creates the manufacturing data only where Work Orders is on.
  if (!settings_.work_orders) return;
  const int component = product("PROBE-COMPONENT", "Probe Component", false);
  const int manufactured = product("PROBE-MANUFACTURED", "Probe Manufactured Item", false);
  const int workcenter = create("mrp.workcenter", json::object({{"name", "Probe Work Center"}}));
  const json operation = {
      {"name", "Probe Operation"}, {"workcenter_id", workcenter}, {"time_cycle_manual", 1.0}};
  create("mrp.bom",
         {{"product_tmpl_id", orm_.RawId("product.product", manufactured, "product_tmpl_id")},
          {"product_qty", 1.0},
          {"type", "normal"},
          {"code", "PROBE"},
          {"bom_line_ids",
           json::array({json::array({0, 0, {{"product_id", component}, {"product_qty", 1.0}}})})},
          {"operation_ids", json::array({json::array({0, 0, operation})})}});
}

}  // namespace odoo_prober::emulator
