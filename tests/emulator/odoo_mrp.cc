// The manufacturing family of the emulated database: work centers, bills of materials and
// their operations, manufacturing orders with their component and finished moves, and work
// orders, planned on the demo work centers' calendar.
#include <algorithm>

#include "tests/emulator/odoo_db.h"
#include "tests/emulator/schema_util.h"

namespace odoo_prober::emulator {

using namespace schema;

namespace {

constexpr int kStockLocation = 8;        // WH/Stock
constexpr int kProductionLocation = 15;  // Virtual Locations/Production

}  // namespace

void OdooDatabase::RegisterMrp() {
  AddModel("mrp.workcenter", "Work Center",
           {{"name", Req(F("Work Center", FT::kChar))},
            {"code", F("Code", FT::kChar)},
            {"company_id", M2O("Company", "res.company")},
            {"active", Def(F("Active", FT::kBoolean), true)}});
  AddModel("mrp.bom", "Bill of Material",
           {{"product_tmpl_id", Req(M2O("Product", "product.template"))},
            {"product_id", M2O("Product Variant", "product.product")},
            {"product_qty", Def(F("Quantity", FT::kFloat), 1.0)},
            {"code", F("Reference", FT::kChar)},
            {"type", Def(Sel("BoM Type", {"normal", "phantom"}), "normal")},
            {"bom_line_ids", O2M("BoM Lines", "mrp.bom.line", "bom_id")},
            {"operation_ids", O2M("Operations", "mrp.routing.workcenter", "bom_id")},
            {"company_id", M2O("Company", "res.company")},
            {"active", Def(F("Active", FT::kBoolean), true)}});
  AddModel("mrp.bom.line", "Bill of Material Line",
           {{"bom_id", Req(M2O("Parent BoM", "mrp.bom"))},
            {"product_id", Req(M2O("Component", "product.product"))},
            {"product_qty", Def(F("Quantity", FT::kFloat), 1.0)}});
  AddModel("mrp.routing.workcenter", "Work Center Usage",
           {{"name", Req(F("Operation", FT::kChar))},
            {"bom_id", M2O("Bill of Material", "mrp.bom")},
            {"workcenter_id", Req(M2O("Work Center", "mrp.workcenter"))},
            {"time_cycle_manual", Def(F("Manual Duration", FT::kFloat), 60.0)},
            {"active", Def(F("Active", FT::kBoolean), true)}});
  std::map<std::string, Field> mo = {
      {"name", Def(F("Reference", FT::kChar), "New")},
      {"product_id", Req(M2O("Product", "product.product"))},
      {"product_qty", Def(F("Quantity To Produce", FT::kFloat), 1.0)},
      {"product_uom_id", M2O("Product Unit of Measure", "uom.uom")},
      {"bom_id", M2O("Bill of Material", "mrp.bom")},
      {"state", Def(Sel("State", {"draft", "confirmed", "progress", "to_close", "done", "cancel"}),
                    "draft")},
      {"reservation_state", Comp(Sel("MO Readiness", {"confirmed", "assigned", "waiting"}))},
      {"components_availability", Comp(F("Component Status", FT::kChar))},
      {"is_planned", Def(F("Its Operations are Planned", FT::kBoolean), false)},
      {"move_raw_ids", O2M("Components", "stock.move", "raw_material_production_id")},
      {"move_finished_ids", O2M("Finished Products", "stock.move", "production_id")},
      {"workorder_ids", O2M("Work Orders", "mrp.workorder", "production_id")},
      {"origin", F("Source", FT::kChar)},
      {"company_id", Def(M2O("Company", "res.company"), 1)}};
  mo[dialect_.planned_start] = F("Start", FT::kDatetime);
  mo[dialect_.planned_finished] = F("End", FT::kDatetime);
  AddModel("mrp.production", "Production", mo, {"_action_cancel", "_post_inventory"});
  std::map<std::string, Field> wo = {
      {"name", Req(F("Work Order", FT::kChar))},
      {"production_id", Req(M2O("Manufacturing Order", "mrp.production"))},
      {"workcenter_id", Req(M2O("Work Center", "mrp.workcenter"))},
      {"operation_id", M2O("Operation", "mrp.routing.workcenter")},
      {"state", Comp(Sel("Status", dialect_.workorder_states))},
      {"duration_expected", Def(F("Expected Duration", FT::kFloat), 60.0)},
      {"is_user_working", Def(F("Is the Current User Working", FT::kBoolean), false)}};
  wo[dialect_.planned_start] = F("Start", FT::kDatetime);
  wo[dialect_.planned_finished] = F("End", FT::kDatetime);
  // 16 plans with date_planned_*, and keeps when work really started in date_start.
  wo["date_start"] = F("Start Date", FT::kDatetime);
  wo["date_finished"] = F("End Date", FT::kDatetime);
  AddModel("mrp.workorder", "Work Order", wo);

  AddComputed("mrp.bom", "display_name", [this](int id) {
    return Compute("product.template", orm_.RawId("mrp.bom", id, "product_tmpl_id"),
                   "display_name");
  });
  AddComputed("mrp.production", "reservation_state", [this](int id) -> json {
    const std::string s = ReservationState(id);
    return s.empty() ? json(false) : json(s);
  });
  AddComputed("mrp.production", "components_availability", [this](int id) -> json {
    const std::string state = State("mrp.production", id);
    if (state == "draft" || state == "cancel" || state == "done") return false;
    return ReservationState(id) == "assigned" ? "Available" : "Not Available";
  });
  AddComputed("mrp.workorder", "state", [this](int id) { return WorkorderState(id); });
  tables_["mrp.production"].on_create = [this](int id, json& rec, const json& vals) {
    if (Str(rec["name"]) == "New") rec["name"] = NextName("WH/MO/", 5);
    const int product = orm_.RawId("mrp.production", id, "product_id");
    if (!vals.contains("product_uom_id"))
      rec["product_uom_id"] = orm_.RawId("product.product", product, "uom_id");
    if (!orm_.RawId("mrp.production", id, "bom_id")) {
      auto boms = orm_.RawIds("product.product", product, "bom_ids");
      if (!boms.empty()) rec["bom_id"] = boms[0];
    }
    CreateProductionMoves(id, rec);
  };
  tables_["mrp.production"].before_unlink = [this](int id) {
    if (State("mrp.production", id) == "done")
      UserError("Cannot delete a manufacturing order in done state.");
  };
  RegisterMrpMethods();
}

void OdooDatabase::CreateProductionMoves(int id, json& rec) {
  const std::string name = Str(rec["name"]);
  const double qty = Num(rec["product_qty"]);
  const int product = orm_.RawId("mrp.production", id, "product_id");
  if (const int bom = orm_.RawId("mrp.production", id, "bom_id")) {
    const double factor = qty / std::max(1e-9, Num(orm_.Raw("mrp.bom", bom, "product_qty")));
    for (int line : orm_.RawIds("mrp.bom", bom, "bom_line_ids")) {
      orm_.Create("stock.move",
                  {{"name", name},
                   {"product_id", orm_.RawId("mrp.bom.line", line, "product_id")},
                   {"product_uom_qty", Num(orm_.Raw("mrp.bom.line", line, "product_qty")) * factor},
                   {"raw_material_production_id", id},
                   {"location_id", kStockLocation},
                   {"location_dest_id", kProductionLocation},
                   {"origin", name}});
    }
    for (int op : orm_.RawIds("mrp.bom", bom, "operation_ids")) {
      orm_.Create("mrp.workorder",
                  {{"name", Str(orm_.Raw("mrp.routing.workcenter", op, "name"))},
                   {"production_id", id},
                   {"workcenter_id", orm_.RawId("mrp.routing.workcenter", op, "workcenter_id")},
                   {"operation_id", op},
                   {"duration_expected",
                    Num(orm_.Raw("mrp.routing.workcenter", op, "time_cycle_manual")) * qty}});
    }
  }
  orm_.Create("stock.move", {{"name", name},
                             {"product_id", product},
                             {"product_uom_qty", qty},
                             {"production_id", id},
                             {"location_id", kProductionLocation},
                             {"location_dest_id", kStockLocation},
                             {"origin", name}});
}

void OdooDatabase::RegisterMrpMethods() {
  const std::string mo = "mrp.production";
  auto confirm_moves = [this](int id) {
    for (const char* f : {"move_raw_ids", "move_finished_ids"}) {
      for (int mv : orm_.RawIds("mrp.production", id, f)) SetState("stock.move", mv, "confirmed");
    }
  };
  AddMethod(mo, "action_confirm", [=, this](const MethodCall& c) -> std::optional<json> {
    for (int id : c.ids) {
      if (State(c.model, id) != "draft") continue;
      SetState(c.model, id, "confirmed");
      confirm_moves(id);
    }
    return true;
  });
  AddMethod(mo, "action_assign", [this](const MethodCall& c) -> std::optional<json> {
    for (int id : c.ids) {
      // Components are reserved together or not at all (partial availability is not
      // emulated): the demo Table lacks its Table Top, so its orders stay "confirmed".
      const auto moves = orm_.RawIds(c.model, id, "move_raw_ids");
      const bool all = std::all_of(moves.begin(), moves.end(), [&](int mv) {
        return Free(orm_.RawId("stock.move", mv, "product_id"),
                    orm_.RawId("stock.move", mv, "location_id")) >=
               Num(orm_.Raw("stock.move", mv, "product_uom_qty"));
      });
      if (!all) continue;
      for (int mv : moves) ReserveMove(mv);
    }
    return true;
  });
  AddMethod(mo, "button_plan", [this](const MethodCall& c) -> std::optional<json> {
    for (int id : c.ids) {
      if (State(c.model, id) == "draft") {
        SetState(c.model, id, "confirmed");
        for (int mv : orm_.RawIds(c.model, id, "move_raw_ids"))
          SetState("stock.move", mv, "confirmed");
      }
      if (State(c.model, id) == "confirmed" || State(c.model, id) == "progress") PlanProduction(id);
    }
    return true;
  });
  AddMethod(mo, "button_unplan", [this](const MethodCall& c) -> std::optional<json> {
    for (int id : c.ids) {
      orm_.Rec(c.model, id)["is_planned"] = false;
      for (int wo : orm_.RawIds(c.model, id, "workorder_ids")) {
        orm_.Rec("mrp.workorder", wo)[dialect_.planned_start] = false;
        orm_.Rec("mrp.workorder", wo)[dialect_.planned_finished] = false;
      }
    }
    return dialect_.unplan_returns_none ? std::nullopt : std::optional<json>(true);
  });
  AddMethod(mo, "action_cancel", [this](const MethodCall& c) -> std::optional<json> {
    for (int id : c.ids) {
      if (State(c.model, id) == "done")
        UserError("You cannot cancel a manufacturing order that is done.");
    }
    for (int id : c.ids) {
      SetState(c.model, id, "cancel");
      for (int mv : orm_.RawIds(c.model, id, "move_raw_ids")) CancelMove(mv);
      for (int mv : orm_.RawIds(c.model, id, "move_finished_ids")) CancelMove(mv);
      for (int wo : orm_.RawIds(c.model, id, "workorder_ids")) {
        if (WorkorderState(wo) == "done") continue;
        orm_.Rec("mrp.workorder", wo)["__state"] = "cancel";
        orm_.Rec("mrp.workorder", wo)["is_user_working"] = false;
      }
    }
    return true;
  });
  AddMethod(mo, "button_mark_done", [this](const MethodCall& c) -> std::optional<json> {
    for (int id : c.ids) {
      const std::string s = State(c.model, id);
      if (s == "draft" || s == "cancel" || s == "done") {
        UserError("The manufacturing order " + Str(orm_.Raw(c.model, id, "name")) +
                  " cannot be marked as done.");
      }
      for (const char* f : {"move_raw_ids", "move_finished_ids"}) {
        for (int mv : orm_.RawIds(c.model, id, f))
          DoneMove(mv, Num(orm_.Raw("stock.move", mv, "product_uom_qty")));
      }
      for (int wo : orm_.RawIds(c.model, id, "workorder_ids"))
        orm_.Rec("mrp.workorder", wo)["__state"] = "done";
      SetState(c.model, id, "done");
    }
    return true;
  });
  for (const char* method : {"button_start", "button_pending", "button_finish"}) {
    AddMethod("mrp.workorder", method,
              [this](const MethodCall& c) -> std::optional<json> { return WorkorderButton(c); });
  }
}

std::optional<json> OdooDatabase::WorkorderButton(const MethodCall& c) {
  for (int id : c.ids) {
    const std::string s = WorkorderState(id);
    if (s == "done" || s == "cancel")
      UserError("You cannot start a work order that is already done or cancelled");
  }
  for (int id : c.ids) {
    json& w = orm_.Rec(c.model, id);
    const int mo = orm_.RawId(c.model, id, "production_id");
    if (c.method == "button_start") {
      w["__state"] = "progress";
      w["date_start"] = OdooNow();
      w["is_user_working"] = true;
      if (State("mrp.production", mo) == "confirmed") SetState("mrp.production", mo, "progress");
    } else if (c.method == "button_pending") {
      w["is_user_working"] = false;
    } else {
      w["__state"] = "done";
      w["is_user_working"] = false;
      w["date_finished"] = OdooNow();
      bool all = true;
      for (int other : orm_.RawIds("mrp.production", mo, "workorder_ids"))
        all = all && WorkorderState(other) == "done";
      if (all) SetState("mrp.production", mo, "to_close");
    }
  }
  if (c.method == "button_finish") return true;
  return dialect_.workorder_buttons_none ? std::nullopt : std::optional<json>(true);
}

std::string OdooDatabase::ReservationState(int mo) const {
  const std::string state = State("mrp.production", mo);
  if (state == "draft" || state == "cancel" || state == "done") return "";
  for (int mv : orm_.RawIds("mrp.production", mo, "move_raw_ids")) {
    if (State("stock.move", mv) != "assigned") return "confirmed";
  }
  return "assigned";
}

std::string OdooDatabase::WorkorderState(int wo) const {
  const json& rec = orm_.model("mrp.workorder").records.at(wo);
  const std::string stored = Str(rec.value("__state", json()));
  if (!stored.empty()) return stored;  // progress, done, cancel
  if (dialect_.workorder_always_ready) return "ready";
  const int mo = orm_.RawId("mrp.workorder", wo, "production_id");
  return ReservationState(mo) == "assigned" ? "ready" : "waiting";
}

void OdooDatabase::PlanProduction(int mo) {
  // The demo work centers work Monday to Friday from 08:00 Brussels time (07:00 UTC).
  std::time_t t = UnixNow() + 24 * 3600;
  std::tm tm{};
  for (;;) {
    gmtime_r(&t, &tm);
    if (tm.tm_wday != 0 && tm.tm_wday != 6) break;
    t += 24 * 3600;
  }
  tm.tm_hour = 7;
  tm.tm_min = 0;
  tm.tm_sec = 0;
  const std::time_t start = timegm(&tm);
  std::time_t cursor = start;
  for (int wo : orm_.RawIds("mrp.production", mo, "workorder_ids")) {
    json& w = orm_.Rec("mrp.workorder", wo);
    const std::time_t end =
        cursor + static_cast<std::time_t>(Num(w.value("duration_expected", json(60.0))) * 60);
    w[dialect_.planned_start] = FormatTime(cursor, "%Y-%m-%d %H:%M:%S");
    w[dialect_.planned_finished] = FormatTime(end, "%Y-%m-%d %H:%M:%S");
    cursor = end;
  }
  json& rec = orm_.Rec("mrp.production", mo);
  rec["is_planned"] = true;
  rec[dialect_.planned_start] = FormatTime(start, "%Y-%m-%d %H:%M:%S");
  rec[dialect_.planned_finished] = FormatTime(cursor, "%Y-%m-%d %H:%M:%S");
}

void OdooDatabase::SeedMrp() {
  SeedRecord("mrp.workcenter", 1, {{"name", dialect_.workcenter_name}});
  SeedRecord("mrp.bom", 2, {{"product_tmpl_id", 29}, {"product_qty", 1.0}, {"type", "normal"}});
  // The demo's operation, archived while the Work Orders setting is off (16.0's demo).
  SeedRecord("mrp.routing.workcenter", 2,
             {{"name", "Assembly"},
              {"bom_id", 2},
              {"workcenter_id", 1},
              {"time_cycle_manual", dialect_.operation_minutes},
              {"active", settings_.work_orders}});
  SeedRecord("mrp.bom.line", 4, {{"bom_id", 2}, {"product_id", 6}, {"product_qty", 1.0}});
  SeedRecord("mrp.bom.line", 5, {{"bom_id", 2}, {"product_id", 7}, {"product_qty", 4.0}});
  SeedRecord("mrp.bom.line", 6, {{"bom_id", 2}, {"product_id", 8}, {"product_qty", 4.0}});
  SeedRecord("mrp.bom.line", 7, {{"bom_id", 2}, {"product_id", 9}, {"product_qty", 10.0}});
}

}  // namespace odoo_prober::emulator
