// The purchase family of the emulated database: requests for quotation and purchase orders,
// their lines, the receipt an order's confirmation creates, and what is received.
#include <algorithm>

#include "tests/emulator/odoo_db.h"
#include "tests/emulator/schema_util.h"

namespace odoo_prober::emulator {

using namespace schema;

namespace {

constexpr int kReceiptType = 1;  // WH/IN

}  // namespace

void OdooDatabase::RegisterPurchase() {
  std::map<std::string, Field> order = {
      {"name", Def(F("Order Reference", FT::kChar), "New")},
      {"partner_id", Req(M2O("Vendor", "res.partner"))},
      {"partner_ref", F("Vendor Reference", FT::kChar)},
      {"origin", F("Source", FT::kChar)},
      {"state", Def(Sel("Status", dialect_.purchase_states), "draft")},
      {"order_line", O2M("Order Lines", "purchase.order.line", "order_id")},
      {"date_approve", F("Confirmation Date", FT::kDatetime)},
      {"amount_untaxed", Comp(F("Untaxed Amount", FT::kFloat))},
      {"amount_tax", Comp(F("Taxes", FT::kFloat))},
      {"amount_total", Comp(F("Total", FT::kFloat))},
      {"picking_ids", Comp(M2M("Receptions", "stock.picking"))},
      {"incoming_picking_count", Comp(F("Incoming Shipment count", FT::kInteger))},
      {"receipt_status", Comp(Sel("Receipt Status", {"pending", "partial", "full"}))},
      {"company_id", Def(M2O("Company", "res.company"), 1)}};
  if (dialect_.purchase_locked_field) order["locked"] = Def(F("Locked", FT::kBoolean), false);
  AddModel("purchase.order", "Purchase Order", order);
  std::map<std::string, Field> line = {
      {"order_id", Req(M2O("Order Reference", "purchase.order"))},
      {"name", F("Description", FT::kText)},
      {"product_id", M2O("Product", "product.product")},
      {"product_qty", Def(F("Quantity", FT::kFloat), 1.0)},
      {"price_unit", F("Unit Price", FT::kFloat)},
      {"price_subtotal", Comp(F("Subtotal", FT::kFloat))},
      {"qty_received", Comp(F("Received Qty", FT::kFloat))},
      {"move_ids", O2M("Reservation", "stock.move", "purchase_line_id")}};
  line[dialect_.line_uom] = Def(M2O("Unit of Measure", "uom.uom"), 1);
  line[dialect_.purchase_line_taxes] = M2M("Taxes", "account.tax");
  AddModel("purchase.order.line", "Purchase Order Line", line);

  AddAmounts("purchase.order", "order_line", "product_qty", dialect_.purchase_line_taxes);
  AddLineTotals("purchase.order.line", "product_qty", dialect_.purchase_line_taxes);
  AddComputed("purchase.order.line", "qty_received", [this](int id) {
    // Done receipts count, done returns to the vendor count back.
    double done = 0;
    for (int mv : orm_.RawIds("purchase.order.line", id, "move_ids")) {
      if (State("stock.move", mv) != "done") continue;
      const int dest = orm_.RawId("stock.move", mv, "location_dest_id");
      const double qty = DoneQuantity(mv);
      done += Str(orm_.Raw("stock.location", dest, "usage")) == "supplier" ? -qty : qty;
    }
    return done;
  });
  auto receipts = [this](int id) {  // newest first, as Odoo lists them
    auto ids = orm_.Search("stock.picking", json::array({json::array({"purchase_id", "=", id})}));
    std::reverse(ids.begin(), ids.end());
    return ids;
  };
  AddComputed("purchase.order", "picking_ids", [=](int id) { return json(receipts(id)); });
  AddComputed("purchase.order", "incoming_picking_count",
              [=](int id) { return receipts(id).size(); });
  AddComputed("purchase.order", "receipt_status", [=, this](int id) -> json {
    // Not cancelled transfers: all done "full", some "partial", none "pending".
    int done = 0, open = 0;
    for (int p : receipts(id)) {
      const std::string s = State("stock.picking", p);
      done += s == "done";
      open += s != "done" && s != "cancel";
    }
    if (done + open == 0) return false;
    return open == 0 ? "full" : done > 0 ? "partial" : "pending";
  });
  AddComputed("purchase.order", "display_name", [this](int id) {
    // "P00016 (probe-rec1)": the vendor's reference too.
    const std::string ref = Str(orm_.Raw("purchase.order", id, "partner_ref"));
    return Str(orm_.Raw("purchase.order", id, "name")) + (ref.empty() ? "" : " (" + ref + ")");
  });
  tables_["purchase.order"].on_create = [this](int, json& rec, const json&) {
    if (Str(rec["name"]) == "New") rec["name"] = NextName("P", 5);
  };
  tables_["purchase.order.line"].on_create = [this](int id, json& rec, const json& vals) {
    LineDefaults("purchase.order.line", id, rec, vals, "standard_price",
                 dialect_.purchase_line_taxes, "supplier_taxes_id");
  };
  tables_["purchase.order"].before_write = [this](int id, const json& vals) {
    const std::string state = State("purchase.order", id);
    if ((state == "cancel" || state == "done") && vals.contains("order_line"))
      UserError("You cannot change a cancelled or locked order.");
  };
  tables_["purchase.order"].before_unlink = [this](int id) {
    if (State("purchase.order", id) != "cancel")
      UserError("In order to delete a purchase order, you must cancel it first.");
  };
  RegisterPurchaseMethods();
}

void OdooDatabase::RegisterPurchaseMethods() {
  AddMethod("purchase.order", "button_confirm", [this](const MethodCall& c) -> std::optional<json> {
    for (int id : c.ids) {
      if (State(c.model, id) != "draft" && State(c.model, id) != "sent") continue;
      SetState(c.model, id, "purchase");
      orm_.Rec(c.model, id)["date_approve"] = OdooNow();
      PickingForOrder(c.model, id, "purchase.order.line", "product_qty", "purchase_line_id",
                      "purchase_id", kReceiptType);
    }
    return true;
  });
  AddMethod("purchase.order", "button_cancel", [this](const MethodCall& c) -> std::optional<json> {
    for (int id : c.ids) {
      const std::string name = Str(orm_.Raw(c.model, id, "name"));
      // 19 cancels an order whose receipt is done (the goods stay), unless it is locked.
      if (dialect_.purchase_cancel_received) {
        if (Truthy(orm_.Raw(c.model, id, "locked")))
          UserError(dialect_.PurchaseCancelRefused(name, orm_.DisplayName(c.model, id)));
        continue;
      }
      for (int p :
           orm_.Search("stock.picking", json::array({json::array({"purchase_id", "=", id})}))) {
        if (State("stock.picking", p) == "done")
          UserError(dialect_.PurchaseCancelRefused(name, orm_.DisplayName(c.model, id)));
      }
    }
    for (int id : c.ids) {
      CancelOpenPickings("purchase_id", id);
      SetState(c.model, id, "cancel");
    }
    return std::nullopt;  // purchase's button_cancel returns None
  });
  if (dialect_.purchase_button_done) {  // 19 dropped the done state
    AddMethod("purchase.order", "button_done", [this](const MethodCall& c) -> std::optional<json> {
      for (int id : c.ids) SetState(c.model, id, "done");
      return std::nullopt;
    });
  }
  // Locking: the locked flag on 19, the "done" state before.
  for (const char* method : {"button_lock", "button_unlock"}) {
    const bool on = std::string(method) == "button_lock";
    AddMethod("purchase.order", method, [this, on](const MethodCall& c) -> std::optional<json> {
      for (int id : c.ids) {
        if (dialect_.purchase_locked_field) {
          orm_.Rec(c.model, id)["locked"] = on;
        } else {
          SetState(c.model, id, on ? "done" : "purchase");
        }
      }
      return std::nullopt;
    });
  }
  AddMethod("purchase.order", "button_draft", [this](const MethodCall& c) -> std::optional<json> {
    for (int id : c.ids) SetState(c.model, id, "draft");
    return json(true);
  });
}

}  // namespace odoo_prober::emulator
