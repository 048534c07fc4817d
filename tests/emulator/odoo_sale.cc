// The sale family of the emulated database: quotations and sales orders, their lines, and the
// delivery an order's confirmation creates.
#include "prober/text.h"
#include "tests/emulator/odoo_db.h"
#include "tests/emulator/schema_util.h"

namespace odoo_prober::emulator {

using namespace schema;

namespace {

constexpr int kDeliveryType = 2;  // WH/OUT

// The dialog 16-18 open when a sent or confirmed order is cancelled without
// disable_cancel_warning.
json CancelWizard(int order) {
  return json{
      {"name", "Cancel Sales Order"},
      {"view_mode", "form"},
      {"res_model", "sale.order.cancel"},
      {"view_id", 1163},
      {"type", "ir.actions.act_window"},
      {"context",
       {{"default_use_template", true},
        {"default_template_id", 17},
        {"default_order_id", order},
        {"mark_so_as_canceled", true},
        {"default_email_layout_xmlid", "mail.mail_notification_layout_with_responsible_signature"},
        {"model_description", "Sales Order"}}},
      {"target", "new"}};
}

}  // namespace

void OdooDatabase::RegisterSale() {
  std::map<std::string, Field> order = {
      {"name", Def(F("Order Reference", FT::kChar), "New")},
      {"partner_id", Req(M2O("Customer", "res.partner"))},
      {"state", Def(Sel("Status", dialect_.sale_states), "draft")},
      {"order_line", O2M("Order Lines", "sale.order.line", "order_id")},
      {"client_order_ref", F("Customer Reference", FT::kChar)},
      {"origin", F("Source Document", FT::kChar)},
      {"date_order", F("Order Date", FT::kDatetime)},
      {"amount_untaxed", Comp(F("Untaxed Amount", FT::kFloat))},
      {"amount_tax", Comp(F("Taxes", FT::kFloat))},
      {"amount_total", Comp(F("Total", FT::kFloat))},
      {"picking_ids", Comp(M2M("Transfers", "stock.picking"))},
      {"delivery_count", Comp(F("Delivery Orders", FT::kInteger))},
      {"invoice_status",
       Comp(Sel("Invoice Status", {"upselling", "invoiced", "to invoice", "no"}))},
      {"delivery_status", Comp(Sel("Delivery Status", {"pending", "started", "partial", "full"}))},
      {"company_id", Def(M2O("Company", "res.company"), 1)}};
  if (dialect_.sale_locked_field) order["locked"] = Def(F("Locked", FT::kBoolean), false);
  AddModel("sale.order", "Sales Order", order, {"_action_cancel", "_action_confirm"});
  std::map<std::string, Field> line = {{"order_id", Req(M2O("Order Reference", "sale.order"))},
                                       {"name", F("Description", FT::kText)},
                                       {"product_id", M2O("Product", "product.product")},
                                       {"product_uom_qty", Def(F("Quantity", FT::kFloat), 1.0)},
                                       {"price_unit", F("Unit Price", FT::kFloat)},
                                       {"price_subtotal", Comp(F("Subtotal", FT::kFloat))},
                                       {"price_total", Comp(F("Total", FT::kFloat))},
                                       {"qty_delivered", Comp(F("Delivery Quantity", FT::kFloat))},
                                       {"qty_invoiced", Comp(F("Invoiced Quantity", FT::kFloat))}};
  line[dialect_.line_uom] = Def(M2O("Unit of Measure", "uom.uom"), 1);
  line[dialect_.sale_line_taxes] = M2M("Taxes", "account.tax");
  AddModel("sale.order.line", "Sales Order Line", line);

  AddAmounts("sale.order", "order_line", "product_uom_qty", dialect_.sale_line_taxes);
  AddLineTotals("sale.order.line", "product_uom_qty", dialect_.sale_line_taxes);
  AddComputed("sale.order.line", "qty_delivered", [](int) { return 0.0; });
  AddComputed("sale.order.line", "qty_invoiced", [](int) { return 0.0; });
  auto pickings = [this](int id) {
    return orm_.Search("stock.picking", json::array({json::array({"sale_id", "=", id})}));
  };
  AddComputed("sale.order", "picking_ids", [=](int id) { return json(pickings(id)); });
  AddComputed("sale.order", "delivery_count", [=](int id) { return pickings(id).size(); });
  AddComputed("sale.order", "invoice_status", [](int) { return "no"; });
  AddComputed("sale.order", "delivery_status", [=, this](int id) -> json {
    const auto ids = pickings(id);
    if (ids.empty()) return false;
    bool all_done = true, any_done = false;
    for (int p : ids) {
      const std::string s = State("stock.picking", p);
      all_done = all_done && (s == "done" || s == "cancel");
      any_done = any_done || s == "done";
    }
    return all_done && any_done ? "full" : any_done ? "partial" : "pending";
  });
  tables_["sale.order"].on_create = [this](int, json& rec, const json& vals) {
    if (Str(rec["name"]) == "New") rec["name"] = NextName("S", 5);
    if (!vals.contains("date_order")) rec["date_order"] = OdooNow();
  };
  tables_["sale.order.line"].on_create = [this](int id, json& rec, const json& vals) {
    LineDefaults("sale.order.line", id, rec, vals, "list_price", dialect_.sale_line_taxes,
                 "taxes_id");
  };
  tables_["sale.order"].before_write = [this](int id, const json& vals) {
    const std::string state = State("sale.order", id);
    if ((state == "cancel" || state == "done") && vals.contains("order_line"))
      UserError("You cannot change a cancelled or locked order.");
  };
  tables_["sale.order"].before_unlink = [this](int id) {
    const std::string state = State("sale.order", id);
    if (state != "draft" && state != "cancel") {
      UserError(
          "You can not delete a sent quotation or a confirmed sales order. You must first "
          "cancel it.");
    }
  };
  RegisterSaleMethods();
}

void OdooDatabase::RegisterSaleMethods() {
  AddMethod("sale.order", "action_confirm", [this](const MethodCall& c) -> std::optional<json> {
    std::vector<std::string> refused;
    for (int id : c.ids) {
      // 16 refuses only locked and cancelled orders (a confirmed one answers true again).
      const std::string s = State(c.model, id);
      const bool refuse =
          dialect_.sale_reconfirm ? s == "done" || s == "cancel" : s != "draft" && s != "sent";
      if (refuse) refused.push_back(Str(orm_.Raw(c.model, id, "name")));
    }
    if (!refused.empty()) UserError(dialect_.SaleConfirmRefused(prober::Join(refused)));
    for (int id : c.ids) {
      if (State(c.model, id) == "sale") continue;  // 16: already confirmed
      SetState(c.model, id, "sale");
      orm_.Rec(c.model, id)["date_order"] = OdooNow();
      PickingForOrder(c.model, id, "sale.order.line", "product_uom_qty", "sale_line_id", "sale_id",
                      kDeliveryType);
    }
    return true;
  });
  AddMethod("sale.order", "action_cancel", [this](const MethodCall& c) -> std::optional<json> {
    for (int id : c.ids) {
      if (dialect_.sale_locked_field && Truthy(orm_.Raw(c.model, id, "locked"))) {
        UserError(
            "You cannot cancel a locked order. Please unlock it first if you want to cancel it.");
      }
    }
    if (dialect_.sale_cancel_wizard && !c.context.value("disable_cancel_warning", false)) {
      for (int id : c.ids) {
        if (State(c.model, id) != "draft") return CancelWizard(id);
      }
    }
    for (int id : c.ids) {
      CancelOpenPickings("sale_id", id);
      SetState(c.model, id, "cancel");
    }
    return true;
  });
  AddMethod("sale.order", "action_draft", [this](const MethodCall& c) -> std::optional<json> {
    for (int id : c.ids) {
      if (State(c.model, id) == "cancel" || State(c.model, id) == "sent")
        SetState(c.model, id, "draft");
    }
    return true;
  });
  // Locking: the locked flag on 17+, the "done" state on 16.
  auto lock = [this](const MethodCall& c, bool on) {
    for (int id : c.ids) {
      if (dialect_.sale_locked_field) {
        orm_.Rec(c.model, id)["locked"] = on;
      } else {
        SetState(c.model, id, on ? "done" : "sale");
      }
    }
  };
  AddMethod("sale.order", "action_lock", [=, this](const MethodCall& c) -> std::optional<json> {
    lock(c, true);
    return dialect_.sale_lock_returns_none ? std::nullopt : std::optional<json>(true);
  });
  AddMethod("sale.order", "action_unlock", [=, this](const MethodCall& c) -> std::optional<json> {
    lock(c, false);
    return dialect_.sale_lock_returns_none ? std::nullopt : std::optional<json>(true);
  });
  AddMethod("sale.order", "action_done", [=](const MethodCall& c) -> std::optional<json> {
    lock(c, true);
    return true;
  });
}

}  // namespace odoo_prober::emulator
