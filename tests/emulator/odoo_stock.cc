// The stock family of the emulated database: locations, transfers, moves and their lines,
// quants with reservations, the validation wizards (immediate transfer, backorder, SMS
// confirmation) and the return wizard, as the recordings of Odoo 16-19 show them.
//
// Stock is kept in stock.quant records of storable products in internal locations: a done
// move takes from the quants of its source and adds to a quant of its destination, and a
// reserved move holds part of a quant (reserved_quantity) until it is done or released. Goods
// that arrive are reserved at once for the moves already waiting for them there, as Odoo does
// (so a receipt's return may find nothing free to take back).
#include <algorithm>
#include <cmath>

#include "tests/emulator/odoo_db.h"
#include "tests/emulator/schema_util.h"

namespace odoo_prober::emulator {

using namespace schema;

namespace {

constexpr int kStockLocation = 8;   // WH/Stock
constexpr int kVendorLocation = 4;  // Partners/Vendors

}  // namespace

void OdooDatabase::AddStockModels() {
  AddModel("stock.location", "Inventory Locations",
           {{"name", Req(F("Location Name", FT::kChar))},
            {"complete_name", F("Full Location Name", FT::kChar)},
            {"location_id", M2O("Parent Location", "stock.location")},
            {"usage", Sel("Location Type", {"supplier", "view", "internal", "customer", "inventory",
                                            "production", "transit"})},
            {"company_id", M2O("Company", "res.company")}});
  AddModel("stock.warehouse", "Warehouse",
           {{"name", Req(F("Warehouse", FT::kChar))},
            {"code", Req(F("Short Name", FT::kChar))},
            {"view_location_id", M2O("View Location", "stock.location")},
            {"lot_stock_id", M2O("Location Stock", "stock.location")},
            {"in_type_id", M2O("In Type", "stock.picking.type")},
            {"out_type_id", M2O("Out Type", "stock.picking.type")},
            {"manu_type_id", M2O("Manufacturing Operation Type", "stock.picking.type")},
            {"company_id", M2O("Company", "res.company")}});
  AddModel(
      "stock.picking.type", "Picking Type",
      {{"name", Req(F("Operation Type", FT::kChar))},
       {"code", Sel("Type of Operation", {"incoming", "outgoing", "internal", "mrp_operation"})},
       {"sequence_code", F("Sequence Prefix", FT::kChar)},
       {"warehouse_id", M2O("Warehouse", "stock.warehouse")},
       {"default_location_src_id", M2O("Default Source Location", "stock.location")},
       {"default_location_dest_id", M2O("Default Destination Location", "stock.location")},
       {"return_picking_type_id", M2O("Operation Type for Returns", "stock.picking.type")},
       {"create_backorder", Def(Sel("Create Backorder", {"ask", "always", "never"}), "ask")},
       {"company_id", M2O("Company", "res.company")}});
  {
    std::map<std::string, Field> f = {
        {"name", F("Reference", FT::kChar)},
        {"state",
         Def(Sel("Status", {"draft", "waiting", "confirmed", "assigned", "done", "cancel"}),
             "draft")},
        {"picking_type_id", Req(M2O("Operation Type", "stock.picking.type"))},
        {"picking_type_code",
         Comp(Sel("Type of Operation", {"incoming", "outgoing", "internal", "mrp_operation"}))},
        {"partner_id", M2O("Contact", "res.partner")},
        {"origin", F("Source Document", FT::kChar)},
        {"location_id", M2O("Source Location", "stock.location")},
        {"location_dest_id", M2O("Destination Location", "stock.location")},
        {"move_ids", O2M("Stock Moves", "stock.move", "picking_id")},
        {"move_line_ids", O2M("Operations", "stock.move.line", "picking_id")},
        {"backorder_id", M2O("Back Order of", "stock.picking")},
        {"backorder_ids", O2M("Back Orders", "stock.picking", "backorder_id")},
        {"date_done", F("Date of Transfer", FT::kDatetime)},
        {"scheduled_date", F("Scheduled Date", FT::kDatetime)},
        {"purchase_id", M2O("Purchase Orders", "purchase.order")},
        {"sale_id", M2O("Sales Order", "sale.order")},
        {"company_id", M2O("Company", "res.company")}};
    if (dialect_.move_ids_without_package)
      f["move_ids_without_package"] = Comp(M2M("Stock moves not in package", "stock.move"));
    if (dialect_.immediate_transfer)
      f["immediate_transfer"] = Def(F("Immediate Transfer", FT::kBoolean), false);
    if (dialect_.return_link) {  // recorded on 17.0 and later; 16.0 finds returns through moves
      f["return_id"] = M2O("Return of", "stock.picking");
      f["return_ids"] = O2M("Returns", "stock.picking", "return_id");
    }
    AddModel("stock.picking", "Transfer", f);
  }
  {
    std::map<std::string, Field> f = {
        {"name", F("Description", FT::kChar)},
        {"product_id", Req(M2O("Product", "product.product"))},
        {"product_uom_qty", Def(F("Demand", FT::kFloat), 0.0)},
        {"product_uom", Def(M2O("Unit", "uom.uom"), 1)},
        {"state", Def(Sel("Status", {"draft", "waiting", "confirmed", "partially_available",
                                     "assigned", "done", "cancel"}),
                      "draft")},
        {"picking_id", M2O("Transfer", "stock.picking")},
        {"move_line_ids", O2M("Move Lines", "stock.move.line", "move_id")},
        {"location_id", M2O("Source Location", "stock.location")},
        {"location_dest_id", M2O("Destination Location", "stock.location")},
        {"purchase_line_id", M2O("Purchase Order Line", "purchase.order.line")},
        {"sale_line_id", M2O("Sale Line", "sale.order.line")},
        {"raw_material_production_id", M2O("Production Order for components", "mrp.production")},
        {"production_id", M2O("Production Order for finished products", "mrp.production")},
        {"origin_returned_move_id", M2O("Origin return move", "stock.move")},
        {"returned_move_ids", O2M("All returned moves", "stock.move", "origin_returned_move_id")},
        {"move_orig_ids", M2M("Original Move", "stock.move")},
        {"origin", F("Source Document", FT::kChar)}};
    if (dialect_.move_quantity) {
      f["quantity"] = Def(F("Quantity", FT::kFloat), 0.0);
      f["picked"] = Def(F("Picked", FT::kBoolean), false);
    } else {
      f["quantity_done"] = Comp(F("Quantity Done", FT::kFloat));
      f["reserved_availability"] = Comp(F("Quantity Reserved", FT::kFloat));
    }
    AddModel("stock.move", "Stock Move", f, {"_action_done", "_action_cancel", "_action_confirm"});
  }
  {
    std::map<std::string, Field> f = {
        {"move_id", M2O("Stock Operation", "stock.move")},
        {"product_id", M2O("Product", "product.product")},
        {"picking_id", M2O("Transfer", "stock.picking")},
        {"location_id", M2O("From", "stock.location")},
        {"location_dest_id", M2O("To", "stock.location")},
        {"state", Comp(Sel("Status", {"draft", "waiting", "confirmed", "partially_available",
                                      "assigned", "done", "cancel"}))}};
    if (dialect_.move_quantity) {
      f["quantity"] = Def(F("Quantity", FT::kFloat), 0.0);
      f["picked"] = Def(F("Picked", FT::kBoolean), false);
    } else {
      f["qty_done"] = Def(F("Quantity Done", FT::kFloat), 0.0);
      f["reserved_uom_qty"] = Def(F("Reserved", FT::kFloat), 0.0);
    }
    AddModel("stock.move.line", "Product Moves (Stock Move Line)", f);
  }
  AddModel("stock.quant", "Quants",
           {{"product_id", Req(M2O("Product", "product.product"))},
            {"location_id", Req(M2O("Location", "stock.location"))},
            {"quantity", Def(F("Quantity", FT::kFloat), 0.0)},
            {"reserved_quantity", Def(F("Reserved Quantity", FT::kFloat), 0.0)},
            {"company_id", M2O("Company", "res.company")}});
}

void OdooDatabase::AddStockWizards() {
  // The validation wizards, each with a line per transfer (what the dialog lists).
  AddModel("stock.backorder.confirmation", "Backorder Confirmation",
           {{"pick_ids", M2M("Pick", "stock.picking")},
            {"show_transfers", Def(F("Show Transfers", FT::kBoolean), false)},
            {"backorder_confirmation_line_ids",
             O2M("Backorder Confirmation Lines", "stock.backorder.confirmation.line",
                 "backorder_confirmation_id")}});
  AddModel(
      "stock.backorder.confirmation.line", "Backorder Confirmation Line",
      {{"backorder_confirmation_id", M2O("Immediate Transfer", "stock.backorder.confirmation")},
       {"picking_id", M2O("Transfer", "stock.picking")},
       {"to_backorder", Def(F("To Backorder", FT::kBoolean), false)}});
  if (dialect_.immediate_transfer) {
    AddModel("stock.immediate.transfer", "Immediate Transfer",
             {{"pick_ids", M2M("Pick", "stock.picking")},
              {"show_transfers", Def(F("Show Transfers", FT::kBoolean), false)},
              {"immediate_transfer_line_ids",
               O2M("Immediate Transfer Lines", "stock.immediate.transfer.line",
                   "immediate_transfer_id")}});
    AddModel("stock.immediate.transfer.line", "Immediate Transfer Line",
             {{"immediate_transfer_id", M2O("Immediate Transfer", "stock.immediate.transfer")},
              {"picking_id", M2O("Transfer", "stock.picking")},
              {"to_immediate", Def(F("To Process", FT::kBoolean), false)}});
  }
  AddModel("confirm.stock.sms", "Confirm Stock SMS", {{"pick_ids", M2M("Pick", "stock.picking")}});
  {
    std::map<std::string, Field> f = {
        {"picking_id", M2O("Picking", "stock.picking")},
        {"product_return_moves", O2M("Moves", "stock.return.picking.line", "wizard_id")},
        {"company_id", M2O("Company", "res.company")}};
    if (dialect_.return_location) {  // 18.0 dropped it (recorded ValueError)
      f["location_id"] = M2O("Return Location", "stock.location");
      f["original_location_id"] = M2O("Original Location", "stock.location");
      f["parent_location_id"] = M2O("Parent Location", "stock.location");
      f["move_dest_exists"] = Def(F("Chained Move Exists", FT::kBoolean), false);
    }
    AddModel("stock.return.picking", "Return Picking", f);
  }
  {
    std::map<std::string, Field> f = {{"product_id", Req(M2O("Product", "product.product"))},
                                      {"quantity", Def(F("Quantity", FT::kFloat), 0.0)},
                                      {"uom_id", M2O("Unit of Measure", "uom.uom")},
                                      {"wizard_id", M2O("Wizard", "stock.return.picking")},
                                      {"move_id", M2O("Move", "stock.move")}};
    if (dialect_.return_to_refund)
      f["to_refund"] = Def(F("Update quantities on SO/PO", FT::kBoolean), true);
    if (dialect_.return_move_quantity) f["move_quantity"] = Comp(F("Move Quantity", FT::kFloat));
    AddModel("stock.return.picking.line", "Return Picking Line", f);
  }
}

void OdooDatabase::SeedStock() {
  SeedRecord("stock.location", 4,
             {{"name", "Vendors"}, {"complete_name", "Partners/Vendors"}, {"usage", "supplier"}});
  SeedRecord(
      "stock.location", 5,
      {{"name", "Customers"}, {"complete_name", "Partners/Customers"}, {"usage", "customer"}});
  SeedRecord("stock.location", 7,
             {{"name", "WH"}, {"complete_name", "WH"}, {"usage", "view"}, {"company_id", 1}});
  SeedRecord("stock.location", 8,
             {{"name", "Stock"},
              {"complete_name", "WH/Stock"},
              {"location_id", 7},
              {"usage", "internal"},
              {"company_id", 1}});
  SeedRecord("stock.location", 15,
             {{"name", "Production"},
              {"complete_name", "Virtual Locations/Production"},
              {"usage", "production"}});
  SeedRecord("stock.location", 28,
             {{"name", "Stock"},
              {"complete_name", "CHIC1/Stock"},
              {"usage", "internal"},
              {"company_id", 2}});
  SeedRecord("stock.picking.type", 1,
             {{"name", "Receipts"},
              {"code", "incoming"},
              {"sequence_code", "IN"},
              {"default_location_src_id", kVendorLocation},
              {"default_location_dest_id", kStockLocation},
              {"company_id", 1}});
  SeedRecord("stock.picking.type", 2,
             {{"name", "Delivery Orders"},
              {"code", "outgoing"},
              {"sequence_code", "OUT"},
              {"default_location_src_id", kStockLocation},
              {"default_location_dest_id", 5},
              {"company_id", 1}});
  SeedRecord("stock.picking.type", 3,
             {{"name", "Manufacturing"},
              {"code", "mrp_operation"},
              {"sequence_code", "MO"},
              {"default_location_src_id", kStockLocation},
              {"default_location_dest_id", kStockLocation},
              {"company_id", 1}});
  orm_.Rec("stock.picking.type", 1)["return_picking_type_id"] = 2;
  orm_.Rec("stock.picking.type", 2)["return_picking_type_id"] = 1;
  SeedRecord("stock.warehouse", 1,
             {{"name", "YourCompany"},
              {"code", "WH"},
              {"view_location_id", 7},
              {"lot_stock_id", kStockLocation},
              {"in_type_id", 1},
              {"out_type_id", 2},
              {"manu_type_id", 3},
              {"company_id", 1}});
  for (int id : {1, 2, 3}) orm_.Rec("stock.picking.type", id)["warehouse_id"] = 1;
}

void OdooDatabase::SeedQuants() {
  auto quant = [&](int id, int product, int location, double qty, double reserved) {
    SeedRecord("stock.quant", id,
               {{"product_id", product},
                {"location_id", location},
                {"quantity", qty},
                {"reserved_quantity", reserved},
                {"company_id", location == 28 ? 2 : 1}});
  };
  // The Office Chair (FURN_7777) as each recording found it before its receipt and return;
  // other demo deliveries hold the reserved part.
  switch (dialect_.major) {
    case 16:
      quant(40, 5, 28, 100.0, 0.0);
      quant(62, 5, kStockLocation, 36.0, 4.0);
      break;
    case 17:
      quant(76, 5, kStockLocation, 15.0, 15.0);
      quant(77, 5, kStockLocation, 5.0, 5.0);
      break;
    case 18:
      quant(72, 5, kStockLocation, 15.0, 0.0);
      quant(73, 5, kStockLocation, 5.0, 0.0);
      break;
    default:
      quant(65, 5, kStockLocation, 26.0, 4.0);
      break;
  }
  quant(90, 7, kStockLocation, 80.0, 0.0);  // Table Leg
}

bool OdooDatabase::Storable(int product) const {
  if (!orm_.Exists("product.product", product)) return false;
  if (dialect_.storable_flag) return Truthy(orm_.Raw("product.product", product, "is_storable"));
  return Str(orm_.Raw("product.product", product, "type")) == "product";
}

bool OdooDatabase::Internal(int location) const {
  return location && orm_.Exists("stock.location", location) &&
         Str(orm_.Raw("stock.location", location, "usage")) == "internal";
}

std::vector<int> OdooDatabase::QuantsAt(int product, int location) const {
  std::vector<int> out;
  for (const auto& [id, rec] : orm_.model("stock.quant").records) {
    if (orm_.RawId("stock.quant", id, "product_id") == product &&
        orm_.RawId("stock.quant", id, "location_id") == location) {
      out.push_back(id);
    }
  }
  // Which quant of a location takes goods and reservations follows PostgreSQL's row order in
  // Odoo (ORDER BY lot_id over quants without a lot): the recordings show the oldest quant first
  // on 17.0 and the newest first on 18.0.
  if (dialect_.quants_newest_first) std::reverse(out.begin(), out.end());
  return out;
}

double OdooDatabase::OnHand(int product) const {
  double total = 0;
  for (const auto& [id, rec] : orm_.model("stock.quant").records) {
    if (orm_.RawId("stock.quant", id, "product_id") == product &&
        Internal(orm_.RawId("stock.quant", id, "location_id"))) {
      total += Num(rec.value("quantity", json(0.0)));
    }
  }
  return total;
}

double OdooDatabase::Free(int product, int location) const {
  if (!Storable(product) || !Internal(location)) return 1e18;  // consumables are always there
  double free = 0;
  for (int q : QuantsAt(product, location)) {
    const json& rec = orm_.model("stock.quant").records.at(q);
    free += Num(rec.value("quantity", json(0.0))) - Num(rec.value("reserved_quantity", json(0.0)));
  }
  return free;
}

void OdooDatabase::AddStock(int product, int location, double qty) {
  if (!Storable(product) || !Internal(location) || qty == 0) return;
  auto quants = QuantsAt(product, location);
  if (quants.empty()) {
    orm_.Create("stock.quant",
                {{"product_id", product},
                 {"location_id", location},
                 {"quantity", qty},
                 {"company_id", orm_.RawId("stock.location", location, "company_id")}});
    return;
  }
  json& q = orm_.Rec("stock.quant", quants.front());
  q["quantity"] = Num(q.value("quantity", json(0.0))) + qty;
}

bool OdooDatabase::ReserveMove(int mv) {
  json& move = orm_.Rec("stock.move", mv);
  const std::string state = Str(move.value("state", json("")));
  if (state == "done" || state == "cancel" || state == "assigned") return state == "assigned";
  const int product = orm_.RawId("stock.move", mv, "product_id");
  const int src = orm_.RawId("stock.move", mv, "location_id");
  const double need = Num(move.value("product_uom_qty", json(0.0)));
  json reserved = json::array();
  if (Storable(product) && Internal(src)) {
    if (Free(product, src) + 1e-9 < need) {
      move["state"] = "confirmed";
      return false;  // all or nothing: partial availability is not emulated
    }
    double left = need;
    for (int q : QuantsAt(product, src)) {
      if (left <= 0) break;
      json& quant = orm_.Rec("stock.quant", q);
      const double free = Num(quant.value("quantity", json(0.0))) -
                          Num(quant.value("reserved_quantity", json(0.0)));
      const double take = std::min(std::max(free, 0.0), left);
      if (take <= 0) continue;
      quant["reserved_quantity"] = Num(quant.value("reserved_quantity", json(0.0))) + take;
      reserved.push_back(json::array({q, take}));
      left -= take;
    }
  }
  move["__reserved"] = reserved;
  move["state"] = "assigned";
  if (dialect_.move_quantity) move["quantity"] = need;
  if (orm_.RawIds("stock.move", mv, "move_line_ids").empty()) {
    json ml = {{"move_id", mv},
               {"product_id", product},
               {"picking_id", orm_.RawId("stock.move", mv, "picking_id")},
               {"location_id", src},
               {"location_dest_id", orm_.RawId("stock.move", mv, "location_dest_id")}};
    ml[dialect_.move_quantity ? "quantity" : "reserved_uom_qty"] = need;
    orm_.Create("stock.move.line", ml);
  }
  return true;
}

void OdooDatabase::ReleaseReservation(int mv) {
  json& move = orm_.Rec("stock.move", mv);
  for (const auto& r : move.value("__reserved", json::array())) {
    const int q = r[0].get<int>();
    if (!orm_.Exists("stock.quant", q)) continue;
    json& quant = orm_.Rec("stock.quant", q);
    quant["reserved_quantity"] =
        std::max(0.0, Num(quant.value("reserved_quantity", json(0.0))) - r[1].get<double>());
  }
  move["__reserved"] = json::array();
}

void OdooDatabase::UnreserveMove(int mv) {
  const std::string state = Str(orm_.Raw("stock.move", mv, "state"));
  if (state != "assigned" && state != "partially_available") return;
  ReleaseReservation(mv);
  json& move = orm_.Rec("stock.move", mv);
  move["state"] = "confirmed";
  if (dialect_.move_quantity) move["quantity"] = 0.0;
  std::vector<int> drop;
  for (int ml : orm_.RawIds("stock.move", mv, "move_line_ids")) {
    if (dialect_.move_quantity || Num(orm_.Raw("stock.move.line", ml, "qty_done")) == 0)
      drop.push_back(ml);
  }
  orm_.Unlink("stock.move.line", drop);
}

void OdooDatabase::CancelMove(int mv) {
  const std::string state = Str(orm_.Raw("stock.move", mv, "state"));
  if (state == "done" || state == "cancel") return;
  ReleaseReservation(mv);
  orm_.Rec("stock.move", mv)["state"] = "cancel";
}

void OdooDatabase::DoneMove(int mv, double qty) {
  const int product = orm_.RawId("stock.move", mv, "product_id");
  const int src = orm_.RawId("stock.move", mv, "location_id");
  const int dst = orm_.RawId("stock.move", mv, "location_dest_id");
  if (Storable(product) && Internal(src)) {
    double left = qty;
    // The reserved quants first, then whatever else the location holds.
    for (const auto& r : orm_.Rec("stock.move", mv).value("__reserved", json::array())) {
      const int q = r[0].get<int>();
      if (left <= 0 || !orm_.Exists("stock.quant", q)) continue;
      json& quant = orm_.Rec("stock.quant", q);
      const double take = std::min(left, r[1].get<double>());
      quant["quantity"] = Num(quant.value("quantity", json(0.0))) - take;
      quant["reserved_quantity"] =
          std::max(0.0, Num(quant.value("reserved_quantity", json(0.0))) - r[1].get<double>());
      left -= take;
    }
    orm_.Rec("stock.move", mv)["__reserved"] = json::array();
    if (left > 0) {
      auto quants = QuantsAt(product, src);
      if (quants.empty()) {
        AddStock(product, src, -left);
      } else {
        json& quant = orm_.Rec("stock.quant", quants.front());
        quant["quantity"] = Num(quant.value("quantity", json(0.0))) - left;
      }
    }
  } else {
    ReleaseReservation(mv);
  }
  orm_.Rec("stock.move", mv)["state"] = "done";  // done before the waiting moves look
  if (Storable(product) && Internal(dst)) {
    AddStock(product, dst, qty);
    AssignWaiting(product, dst);
  }
  json& move = orm_.Rec("stock.move", mv);
  if (dialect_.move_quantity) {
    move["quantity"] = qty;
    move["picked"] = true;
  } else {
    // Odoo 16 keeps what was done on the move lines and drops what they had reserved.
    for (int ml : orm_.RawIds("stock.move", mv, "move_line_ids"))
      orm_.Rec("stock.move.line", ml)["reserved_uom_qty"] = 0.0;
  }
}

void OdooDatabase::AssignWaiting(int product, int location) {
  std::vector<int> waiting;
  for (const auto& [id, rec] : orm_.model("stock.move").records) {
    const std::string state = Str(rec.value("state", json("")));
    if ((state == "confirmed" || state == "waiting" || state == "partially_available") &&
        orm_.RawId("stock.move", id, "product_id") == product &&
        orm_.RawId("stock.move", id, "location_id") == location) {
      waiting.push_back(id);
    }
  }
  for (int mv : waiting) {
    if (Free(product, location) <= 0) break;
    if (!ReserveMove(mv)) continue;
    if (const int picking = orm_.RawId("stock.move", mv, "picking_id")) UpdatePickingState(picking);
  }
}

void OdooDatabase::UpdatePickingState(int picking) {
  bool all_assigned = true, any = false;
  for (int mv : orm_.RawIds("stock.picking", picking, "move_ids")) {
    const std::string s = Str(orm_.Raw("stock.move", mv, "state"));
    if (s == "cancel") continue;
    any = true;
    all_assigned = all_assigned && (s == "assigned" || s == "done");
  }
  orm_.Rec("stock.picking", picking)["state"] = !any           ? "cancel"
                                                : all_assigned ? "assigned"
                                                               : "confirmed";
}

int OdooDatabase::CreatePicking(int type_id, int partner_id, const std::string& origin,
                                const std::string& link_field, int link_id, const json& lines) {
  const int src = orm_.RawId("stock.picking.type", type_id, "default_location_src_id");
  const int dst = orm_.RawId("stock.picking.type", type_id, "default_location_dest_id");
  const std::string prefix =
      "WH/" + Str(orm_.Raw("stock.picking.type", type_id, "sequence_code")) + "/";
  json vals = {{"name", NextName(prefix, 5)}, {"picking_type_id", type_id},
               {"partner_id", partner_id},    {"origin", origin},
               {"location_id", src},          {"location_dest_id", dst},
               {"scheduled_date", OdooNow()}, {"company_id", 1}};
  if (!link_field.empty()) vals[link_field] = link_id;
  const int picking = orm_.Create("stock.picking", vals);
  for (const auto& l : lines) {
    const int product = l["product_id"].get<int>();
    json mv = {{"name", Str(orm_.Raw("product.product", product, "name"))},
               {"product_id", product},
               {"product_uom_qty", l["qty"].get<double>()},
               {"picking_id", picking},
               {"location_id", src},
               {"location_dest_id", dst},
               {"origin", origin},
               {"state", "confirmed"}};
    if (l.contains("link")) mv[l["link_field"].get<std::string>()] = l["link"];
    ReserveMove(orm_.Create("stock.move", mv));
  }
  UpdatePickingState(picking);
  return picking;
}

json OdooDatabase::WizardAction(const std::string& name, const std::string& model, int view,
                                const std::vector<int>& ids) const {
  json picks = json::array();
  for (int id : ids) picks.push_back(json::array({4, id}));
  return {{"name", name},
          {"type", "ir.actions.act_window"},
          {"view_mode", "form"},
          {"res_model", model},
          {"views", json::array({json::array({view, "form"})})},
          {"view_id", view},
          {"target", "new"},
          {"context",
           {{"button_validate_picking_ids", ids},
            {"default_show_transfers", false},
            {"default_pick_ids", picks}}}};
}

double OdooDatabase::DoneQuantity(int mv) const {
  if (dialect_.move_quantity) {
    return Truthy(orm_.Raw("stock.move", mv, "picked"))
               ? Num(orm_.Raw("stock.move", mv, "quantity"))
               : 0.0;
  }
  double done = 0;
  for (int ml : orm_.RawIds("stock.move", mv, "move_line_ids"))
    done += Num(orm_.Raw("stock.move.line", ml, "qty_done"));
  return done;
}

void OdooDatabase::DonePicking(int picking, bool backorder) {
  json remaining = json::array();
  for (int mv : orm_.RawIds("stock.picking", picking, "move_ids")) {
    const std::string state = Str(orm_.Raw("stock.move", mv, "state"));
    if (state == "done" || state == "cancel") continue;
    const double done = DoneQuantity(mv);
    json& move = orm_.Rec("stock.move", mv);
    const double demand = Num(move.value("product_uom_qty", json(0.0)));
    const int product = orm_.RawId("stock.move", mv, "product_id");
    if (done <= 0) {
      CancelMove(mv);
    } else {
      DoneMove(mv, done);
    }
    if (done < demand && backorder) {
      json left = {{"product_id", product}, {"qty", demand - done}};
      for (const char* link : {"purchase_line_id", "sale_line_id"}) {
        if (orm_.RawId("stock.move", mv, link)) {
          left["link_field"] = link;
          left["link"] = orm_.RawId("stock.move", mv, link);
          break;
        }
      }
      remaining.push_back(left);
    }
    if (done > 0 && done < demand) orm_.Rec("stock.move", mv)["product_uom_qty"] = done;
  }
  json& rec = orm_.Rec("stock.picking", picking);
  rec["state"] = "done";
  rec["date_done"] = OdooNow();
  if (!remaining.empty()) {
    const int purchase = orm_.RawId("stock.picking", picking, "purchase_id");
    const int sale = orm_.RawId("stock.picking", picking, "sale_id");
    const int bo = CreatePicking(orm_.RawId("stock.picking", picking, "picking_type_id"),
                                 orm_.RawId("stock.picking", picking, "partner_id"),
                                 Str(rec.value("origin", json(""))),
                                 purchase ? "purchase_id"
                                 : sale   ? "sale_id"
                                          : "",
                                 purchase ? purchase : sale, remaining);
    orm_.Rec("stock.picking", bo)["backorder_id"] = picking;
  }
}

json OdooDatabase::ValidatePickings(const std::vector<int>& ids, const json& context) {
  std::vector<int> need_backorder_choice;
  const bool skip_backorder = context.value("skip_backorder", false);
  std::set<int> no_backorder;
  for (int id : Orm::Ids(context.value("picking_ids_not_to_backorder", json::array())))
    no_backorder.insert(id);
  for (int picking : ids) {
    const std::string state = Str(orm_.Raw("stock.picking", picking, "state"));
    const std::string name = Str(orm_.Raw("stock.picking", picking, "name"));
    if (state == "done") UserError("The transfer " + name + " is already done.");
    if (state == "cancel") UserError("You cannot validate a cancelled transfer.");
    if (state == "draft") UserError("Please confirm the transfer " + name + " first.");
    auto moves = orm_.RawIds("stock.picking", picking, "move_ids");
    if (!dialect_.move_quantity) {
      double done = 0, reserved = 0;
      for (int mv : moves) {
        for (int ml : orm_.RawIds("stock.move", mv, "move_line_ids")) {
          done += Num(orm_.Raw("stock.move.line", ml, "qty_done"));
          reserved += Num(orm_.Raw("stock.move.line", ml, "reserved_uom_qty"));
        }
      }
      if (done <= 0 && reserved <= 0) {
        UserError(
            "You cannot validate a transfer if no quantities are reserved nor done. To force the "
            "transfer, switch in edit mode and encode the done quantities.");
      }
      if (done <= 0 && !context.value("skip_immediate", false)) {
        return WizardAction("Immediate Transfer?", "stock.immediate.transfer", 842, ids);
      }
      if (done <= 0) {  // skip_immediate: process the reservation
        for (int mv : moves) {
          for (int ml : orm_.RawIds("stock.move", mv, "move_line_ids")) {
            json& l = orm_.Rec("stock.move.line", ml);
            l["qty_done"] = l.value("reserved_uom_qty", json(0.0));
          }
        }
      }
    } else {
      bool any_picked = false;
      for (int mv : moves) any_picked = any_picked || Truthy(orm_.Raw("stock.move", mv, "picked"));
      // Nothing picked: Odoo 17+ picks everything at its reserved quantity.
      if (!any_picked) {
        for (int mv : moves) orm_.Rec("stock.move", mv)["picked"] = true;
      }
    }
    bool short_ = false;
    for (int mv : moves) {
      short_ = short_ || DoneQuantity(mv) < Num(orm_.Raw("stock.move", mv, "product_uom_qty"));
    }
    const std::string policy =
        Str(orm_.Raw("stock.picking.type", orm_.RawId("stock.picking", picking, "picking_type_id"),
                     "create_backorder"));
    if (short_ && !skip_backorder && !no_backorder.count(picking) && policy == "ask") {
      need_backorder_choice.push_back(picking);
    }
  }
  if (!need_backorder_choice.empty()) {
    return WizardAction("Create Backorder?", "stock.backorder.confirmation", 843, ids);
  }
  // stock_sms: an outgoing transfer to a partner asks whether to text them, unless told not to.
  if (settings_.sms_confirmation && !context.value("skip_sms", false)) {
    std::vector<int> outgoing;
    for (int picking : ids) {
      if (Str(orm_.Raw("stock.picking", picking, "picking_type_code")) == "outgoing")
        outgoing.push_back(picking);
    }
    if (!outgoing.empty()) {
      const int wizard =
          orm_.Create("confirm.stock.sms", {{"pick_ids", {json::array({6, 0, outgoing})}}});
      json ctx = context.is_object() ? context : json::object();
      ctx["button_validate_picking_ids"] = ids;
      return {{"name", "SMS"},
              {"type", "ir.actions.act_window"},
              {"view_mode", "form"},
              {"res_model", "confirm.stock.sms"},
              {"views", json::array({json::array({1204, "form"})})},
              {"view_id", 1204},
              {"target", "new"},
              {"res_id", wizard},
              {"context", ctx}};
    }
  }
  for (int picking : ids) {
    const std::string policy =
        Str(orm_.Raw("stock.picking.type", orm_.RawId("stock.picking", picking, "picking_type_id"),
                     "create_backorder"));
    const bool backorder =
        policy == "always" || (policy != "never" && !no_backorder.count(picking));
    DonePicking(picking, backorder);
  }
  return true;
}

double OdooDatabase::Returnable(int mv) const {
  double qty =
      dialect_.move_quantity ? Num(orm_.Raw("stock.move", mv, "quantity")) : DoneQuantity(mv);
  for (int r : orm_.RawIds("stock.move", mv, "returned_move_ids")) {
    const std::string s = Str(orm_.Raw("stock.move", r, "state"));
    if (s == "assigned" || s == "partially_available" || s == "done")
      qty -= Num(orm_.Raw("stock.move", r, "product_uom_qty"));
  }
  return std::max(0.0, qty);
}

void OdooDatabase::InitReturnWizard(int wizard, const json& vals, const json& context) {
  const std::string m = "stock.return.picking";
  json& rec = orm_.Rec(m, wizard);
  if (!vals.contains("picking_id") && context.contains("active_id") &&
      context["active_id"].is_number_integer() &&
      orm_.Exists("stock.picking", context["active_id"].get<int>())) {
    rec["picking_id"] = context["active_id"];
  }
  const int picking = orm_.RawId(m, wizard, "picking_id");
  if (!picking) UserError("You may only return one picking at a time.");
  if (Str(orm_.Raw("stock.picking", picking, "state")) != "done") {
    UserError("You may only return Done pickings.");
  }
  // 17+ fill the lines and the location from defaults; 16 from an onchange that create()
  // does not run (recorded: lines empty, location false).
  if (dialect_.return_onchange || vals.contains("product_return_moves")) return;
  for (int mv : orm_.RawIds("stock.picking", picking, "move_ids")) {
    if (Str(orm_.Raw("stock.move", mv, "state")) != "done") continue;
    orm_.Create("stock.return.picking.line",
                {{"wizard_id", wizard},
                 {"product_id", orm_.RawId("stock.move", mv, "product_id")},
                 {"quantity", dialect_.return_lines_empty ? 0.0 : Returnable(mv)},
                 {"uom_id", orm_.RawId("stock.move", mv, "product_uom")},
                 {"move_id", mv}});
  }
  if (dialect_.return_location && !vals.contains("location_id")) {
    rec["location_id"] = orm_.RawId("stock.picking", picking, "location_id");
  }
}

json OdooDatabase::ReturnOnchange(const json& context) {
  // Odoo 16's onchange([], {}, False, spec) of the return wizard: the defaults the web client
  // would show, many2one values as [id, name], the lines as x2many commands.
  const int picking = context.value("active_id", 0);
  if (!orm_.Exists("stock.picking", picking))
    UserError("You may only return one picking at a time.");
  json lines = json::array({json::array({5, 0, 0})});
  for (int mv : orm_.RawIds("stock.picking", picking, "move_ids")) {
    if (Str(orm_.Raw("stock.move", mv, "state")) != "done") continue;
    lines.push_back(
        json::array({0,
                     0,
                     {{"product_id", orm_.Get("stock.move", mv, "product_id")},
                      {"quantity", Returnable(mv)},
                      {"uom_id", orm_.Get("stock.move", mv, "product_uom")},
                      {"move_id", json::array({mv, orm_.DisplayName("stock.move", mv)})},
                      {"to_refund", true}}}));
  }
  const int src = orm_.RawId("stock.picking", picking, "location_id");
  return {{"value",
           {{"picking_id", json::array({picking, orm_.DisplayName("stock.picking", picking)})},
            {"product_return_moves", lines},
            {"move_dest_exists", false},
            {"original_location_id", json::array({src, orm_.DisplayName("stock.location", src)})},
            {"parent_location_id", json::array({7, orm_.DisplayName("stock.location", 7)})},
            {"company_id", json::array({1, orm_.DisplayName("res.company", 1)})},
            {"location_id", json::array({src, orm_.DisplayName("stock.location", src)})}}}};
}

json OdooDatabase::CreateReturns(int wizard, bool all, const json& context) {
  const std::string m = "stock.return.picking";
  const int original = orm_.RawId(m, wizard, "picking_id");
  auto lines = orm_.RawIds(m, wizard, "product_return_moves");
  if (all) {
    for (int l : lines) {
      const int mv = orm_.RawId("stock.return.picking.line", l, "move_id");
      orm_.Rec("stock.return.picking.line", l)["quantity"] = Returnable(mv);
    }
  }
  bool any = false;
  for (int l : lines) any = any || Num(orm_.Raw("stock.return.picking.line", l, "quantity")) > 0;
  if (!any) UserError("Please specify at least one non-zero quantity.");
  // Earlier returns still waiting give back what they had reserved (Odoo unreserves the
  // returned moves' destination moves before creating a new return).
  for (int l : lines) {
    const int mv = orm_.RawId("stock.return.picking.line", l, "move_id");
    for (int r : orm_.RawIds("stock.move", mv, "returned_move_ids")) UnreserveMove(r);
    for (int r : orm_.RawIds("stock.move", mv, "returned_move_ids")) {
      if (orm_.RawId("stock.move", r, "picking_id"))
        UpdatePickingState(orm_.RawId("stock.move", r, "picking_id"));
    }
  }
  const int type = orm_.RawId("stock.picking", original, "picking_type_id");
  int return_type = orm_.RawId("stock.picking.type", type, "return_picking_type_id");
  if (!return_type) return_type = type;
  const int src = orm_.RawId("stock.picking", original, "location_dest_id");
  int dst = orm_.FindField(m, "location_id") ? orm_.RawId(m, wizard, "location_id") : 0;
  if (!dst) {
    dst = dialect_.return_to_origin ? orm_.RawId("stock.picking", original, "location_id")
                                    : orm_.RawId("stock.picking", original, "location_dest_id");
  }
  json vals = {
      {"name",
       NextName("WH/" + Str(orm_.Raw("stock.picking.type", return_type, "sequence_code")) + "/",
                5)},
      {"picking_type_id", return_type},
      {"partner_id", orm_.RawId("stock.picking", original, "partner_id")},
      {"origin", "Return of " + Str(orm_.Raw("stock.picking", original, "name"))},
      {"location_id", src},
      {"location_dest_id", dst},
      {"scheduled_date", OdooNow()},
      {"company_id", 1}};
  for (const char* link : {"purchase_id", "sale_id"}) {
    if (orm_.RawId("stock.picking", original, link))
      vals[link] = orm_.RawId("stock.picking", original, link);
  }
  if (dialect_.return_link) vals["return_id"] = original;
  const int ret = orm_.Create("stock.picking", vals);
  for (int l : lines) {
    const double qty = Num(orm_.Raw("stock.return.picking.line", l, "quantity"));
    if (qty <= 0) continue;
    const int mv = orm_.RawId("stock.return.picking.line", l, "move_id");
    json move = {{"name", Str(orm_.Raw("stock.move", mv, "name"))},
                 {"product_id", orm_.RawId("stock.return.picking.line", l, "product_id")},
                 {"product_uom_qty", qty},
                 {"picking_id", ret},
                 {"location_id", src},
                 {"location_dest_id", dst},
                 {"origin_returned_move_id", mv},
                 {"move_orig_ids", json::array({json::array({6, 0, json::array({mv})})})},
                 {"origin", vals["origin"]},
                 {"state", "confirmed"}};
    for (const char* link : {"purchase_line_id", "sale_line_id"}) {
      if (orm_.RawId("stock.move", mv, link)) move[link] = orm_.RawId("stock.move", mv, link);
    }
    ReserveMove(orm_.Create("stock.move", move));
  }
  UpdatePickingState(ret);
  json action = {{"name", "Returned Picking"},   {"type", "ir.actions.act_window"},
                 {"res_model", "stock.picking"}, {"res_id", ret},
                 {"view_mode", "form"},          {"context", json::object()}};
  if (dialect_.return_create_returns) {  // create_returns' action also lists the returns
    json ctx = context.is_object() ? context : json::object();
    ctx.update({{"default_partner_id", orm_.RawId("stock.picking", original, "partner_id")},
                {"search_default_picking_type_id", return_type},
                {"search_default_draft", false},
                {"search_default_assigned", false},
                {"search_default_confirmed", false},
                {"search_default_ready", false},
                {"search_default_planning_issues", false},
                {"search_default_available", false}});
    action["view_mode"] = "form,tree,calendar";
    action["context"] = ctx;
  }
  return action;
}

void OdooDatabase::RegisterStock() {
  AddStockModels();
  AddStockWizards();
  AddComputed("stock.location", "display_name", [this](int id) -> json {
    const json& rec = orm_.model("stock.location").records.at(id);
    return rec.value("complete_name", rec.value("name", json("")));
  });
  AddComputed("stock.move", "display_name", [this](int id) -> json {
    // "P00017/FURN_7777: Vendors>Stock", as Odoo names moves.
    const int picking = orm_.RawId("stock.move", id, "picking_id");
    const std::string origin = picking ? Str(orm_.Raw("stock.picking", picking, "origin")) : "";
    const std::string code = Str(
        orm_.Raw("product.product", orm_.RawId("stock.move", id, "product_id"), "default_code"));
    auto loc = [&](const char* f) {
      const int l = orm_.RawId("stock.move", id, f);
      return l ? Str(orm_.Raw("stock.location", l, "name")) : std::string();
    };
    return (origin.empty() ? "" : origin + "/") + (code.empty() ? "" : code + ": ") +
           loc("location_id") + ">" + loc("location_dest_id");
  });
  AddComputed("stock.picking", "picking_type_code", [this](int id) {
    return orm_.Raw("stock.picking.type", orm_.RawId("stock.picking", id, "picking_type_id"),
                    "code");
  });
  AddComputed("stock.picking", "move_ids_without_package",
              [this](int id) { return orm_.RawIds("stock.picking", id, "move_ids"); });
  AddComputed("stock.move", "quantity_done", [this](int id) { return DoneQuantity(id); });
  AddComputed("stock.move", "reserved_availability", [this](int id) {
    const std::string state = State("stock.move", id);
    if (state == "done" || state == "cancel") return 0.0;
    double reserved = 0;
    for (int ml : orm_.RawIds("stock.move", id, "move_line_ids"))
      reserved += Num(orm_.Raw("stock.move.line", ml, "reserved_uom_qty"));
    return reserved;
  });
  AddComputed("stock.move.line", "state", [this](int id) {
    const int mv = orm_.RawId("stock.move.line", id, "move_id");
    return mv ? orm_.Raw("stock.move", mv, "state") : json("draft");
  });
  AddComputed("stock.return.picking.line", "move_quantity", [this](int id) {
    const int mv = orm_.RawId("stock.return.picking.line", id, "move_id");
    return mv ? Num(orm_.Raw("stock.move", mv, "quantity")) : 0.0;
  });
  tables_["stock.picking"].before_unlink = [this](int id) {
    const std::string state = State("stock.picking", id);
    if (state != "draft" && state != "cancel")
      UserError("You can only delete draft or cancelled transfers.");
  };
  tables_["stock.return.picking"].on_create = [this](int id, json&, const json& vals) {
    InitReturnWizard(id, vals, context_);
  };
  // The validation wizards get their transfers from the context, and a line for each.
  for (const char* m :
       {"stock.backorder.confirmation", "stock.immediate.transfer", "confirm.stock.sms"}) {
    tables_[m].on_create = [this, m = std::string(m)](int id, json&, const json& vals) {
      if (!vals.contains("pick_ids") && context_.contains("default_pick_ids"))
        orm_.Write(m, {id}, {{"pick_ids", context_["default_pick_ids"]}});
      if (m == "confirm.stock.sms") return;
      const bool backorder = m == "stock.backorder.confirmation";
      for (int picking : orm_.RawIds(m, id, "pick_ids")) {
        orm_.Create(m + ".line",
                    {{backorder ? "backorder_confirmation_id" : "immediate_transfer_id", id},
                     {"picking_id", picking},
                     {backorder ? "to_backorder" : "to_immediate", true}});
      }
    };
  }
  RegisterStockMethods();
}

void OdooDatabase::RegisterStockMethods() {
  const std::string p = "stock.picking";
  AddMethod(p, "button_validate",
            [this](const MethodCall& c) { return ValidatePickings(c.ids, c.context); });
  for (const char* method : {"action_assign", "action_confirm"}) {
    AddMethod(p, method, [this](const MethodCall& c) -> std::optional<json> {
      for (int id : c.ids) {
        if (State(c.model, id) == "done" || State(c.model, id) == "cancel") continue;
        for (int mv : orm_.RawIds(c.model, id, "move_ids")) ReserveMove(mv);
        UpdatePickingState(id);
      }
      return true;
    });
  }
  AddMethod(p, "action_cancel", [this](const MethodCall& c) -> std::optional<json> {
    for (int id : c.ids) {
      if (State(c.model, id) == "done") {
        UserError(
            "You cannot cancel a stock move that has been set to 'Done'. Create a return in "
            "order to reverse the moves which took place.");
      }
    }
    for (int id : c.ids) {
      for (int mv : orm_.RawIds(c.model, id, "move_ids")) CancelMove(mv);
      SetState(c.model, id, "cancel");
    }
    return true;
  });
  if (dialect_.set_quantities_to_reservation) {
    AddMethod(p, "action_set_quantities_to_reservation",
              [this](const MethodCall& c) -> std::optional<json> {
                for (int id : c.ids) {
                  for (int mv : orm_.RawIds(c.model, id, "move_ids")) {
                    for (int ml : orm_.RawIds("stock.move", mv, "move_line_ids")) {
                      json& l = orm_.Rec("stock.move.line", ml);
                      l["qty_done"] = l.value("reserved_uom_qty", json(0.0));
                    }
                  }
                }
                return std::nullopt;
              });
  }
  auto process = [this](const MethodCall& c) { return ProcessWizard(c); };
  AddMethod("stock.backorder.confirmation", "process", process);
  AddMethod("stock.backorder.confirmation", "process_cancel_backorder", process);
  if (dialect_.immediate_transfer) AddMethod("stock.immediate.transfer", "process", process);
  AddMethod("confirm.stock.sms", "send_sms", process);
  AddMethod("confirm.stock.sms", "dont_send_sms", process);
  const std::string r = "stock.return.picking";
  AddMethod(r, "onchange", [this](const MethodCall& c) -> std::optional<json> {
    if (!dialect_.return_onchange)
      UserError("The emulator answers the return wizard's onchange as 16.0 does");
    return ReturnOnchange(c.context);
  });
  auto create_returns = [this](const MethodCall& c) -> std::optional<json> {
    return CreateReturns(c.ids.at(0), c.method == "action_create_returns_all", c.context);
  };
  if (dialect_.return_create_returns) {
    AddMethod(r, "create_returns", create_returns);
  } else {
    AddMethod(r, "action_create_returns", create_returns);
    AddMethod(r, "action_create_returns_all", create_returns);
  }
}

// The buttons of the validation wizards: validate their transfers again, as they were told.
std::optional<json> OdooDatabase::ProcessWizard(const MethodCall& c) {
  std::vector<int> picks;
  for (int id : c.ids) {
    for (int p : orm_.RawIds(c.model, id, "pick_ids")) picks.push_back(p);
  }
  json ctx = c.context;
  if (c.model == "stock.immediate.transfer") {
    ctx["skip_immediate"] = true;
  } else if (c.model == "stock.backorder.confirmation") {
    ctx["skip_backorder"] = true;
    if (c.method == "process_cancel_backorder") ctx["picking_ids_not_to_backorder"] = picks;
  } else {
    // The SMS wizard's buttons: "don't send" also turns SMS confirmation off for the whole
    // company, which a prober must never do (tests check that none is pressed).
    if (c.method == "dont_send_sms") settings_.sms_confirmation = false;
    ctx["skip_sms"] = true;
  }
  json result = ValidatePickings(picks, ctx);
  return result.is_boolean() ? json(true) : result;
}

}  // namespace odoo_prober::emulator
