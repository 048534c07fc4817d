// The account family of the emulated database: journals, invoices and bills with their lines,
// posting with the journals' sequences, reset to draft and cancellation.
#include "tests/emulator/odoo_db.h"
#include "tests/emulator/schema_util.h"

namespace odoo_prober::emulator {

using namespace schema;

namespace {

bool IsBill(const std::string& move_type) { return move_type.rfind("in_", 0) == 0; }

}  // namespace

void OdooDatabase::RegisterAccount() {
  AddModel("account.journal", "Journal",
           {{"name", Req(F("Journal Name", FT::kChar))},
            {"code", Req(F("Short Code", FT::kChar))},
            {"type", Sel("Type", {"sale", "purchase", "cash", "bank", "general"})},
            {"company_id", M2O("Company", "res.company")}});
  AddModel(
      "account.move", "Journal Entry",
      {{"name", Def(F("Number", FT::kChar), dialect_.move_name_false ? json(false) : json("/"))},
       {"move_type", Def(Sel("Type", {"entry", "out_invoice", "out_refund", "in_invoice",
                                      "in_refund", "out_receipt", "in_receipt"}),
                         "entry")},
       {"partner_id", M2O("Partner", "res.partner")},
       {"state", Def(Sel("Status", {"draft", "posted", "cancel"}), "draft")},
       {"journal_id", M2O("Journal", "account.journal")},
       {"invoice_line_ids", O2M("Invoice lines", "account.move.line", "move_id")},
       {"line_ids", Comp(M2M("Journal Items", "account.move.line"))},
       {"invoice_date", F("Invoice/Bill Date", FT::kDate)},
       {"invoice_date_due", F("Due Date", FT::kDate)},
       {"date", F("Date", FT::kDate)},
       {"ref", F("Reference", FT::kChar)},
       {"invoice_origin", F("Origin", FT::kChar)},
       {"amount_untaxed", Comp(F("Untaxed Amount", FT::kFloat))},
       {"amount_tax", Comp(F("Tax", FT::kFloat))},
       {"amount_total", Comp(F("Total", FT::kFloat))},
       {"amount_residual", Comp(F("Amount Due", FT::kFloat))},
       {"payment_state", Def(Sel("Payment Status", dialect_.payment_states), "not_paid")},
       {"company_id", Def(M2O("Company", "res.company"), 1)}},
      {"_reverse_moves", "_post"});
  AddModel("account.move.line", "Journal Item",
           {{"move_id", Req(M2O("Journal Entry", "account.move"))},
            {"name", F("Label", FT::kChar)},
            {"product_id", M2O("Product", "product.product")},
            {"quantity", Def(F("Quantity", FT::kFloat), 1.0)},
            {"price_unit", F("Unit Price", FT::kFloat)},
            {"tax_ids", M2M("Taxes", "account.tax")},
            {"price_subtotal", Comp(F("Subtotal", FT::kFloat))},
            {"price_total", Comp(F("Total", FT::kFloat))}});

  AddAmounts("account.move", "invoice_line_ids", "quantity", "tax_ids");
  AddLineTotals("account.move.line", "quantity", "tax_ids");
  AddComputed("account.move", "amount_residual", [this](int id) -> json {
    if (State("account.move", id) != "posted") return 0.0;
    return Compute("account.move", id, "amount_total");
  });
  AddComputed("account.move", "line_ids",
              [this](int id) { return orm_.RawIds("account.move", id, "invoice_line_ids"); });
  AddComputed("account.move", "display_name", [this](int id) -> json {
    const std::string name = Str(orm_.Raw("account.move", id, "name"));
    if (name != "/" && !name.empty()) return nullptr;
    return std::string(State("account.move", id) == "draft" ? "Draft Invoice" : "/") + " (* " +
           std::to_string(id) + ")";
  });
  tables_["account.move"].on_create = [](int, json& rec, const json& vals) {
    if (!vals.contains("journal_id")) rec["journal_id"] = IsBill(Str(rec["move_type"])) ? 2 : 1;
  };
  tables_["account.move.line"].on_create = [this](int id, json& rec, const json& vals) {
    const int move = orm_.RawId("account.move.line", id, "move_id");
    const bool vendor = IsBill(Str(orm_.Raw("account.move", move, "move_type")));
    LineDefaults("account.move.line", id, rec, vals, vendor ? "standard_price" : "list_price",
                 "tax_ids", vendor ? "supplier_taxes_id" : "taxes_id");
  };
  tables_["account.move"].before_unlink = [this](int id) {
    if (State("account.move", id) == "posted")
      UserError("You cannot delete an entry which has been posted once.");
    const std::string name = Str(orm_.Raw("account.move", id, "name"));
    if (name == "/" || name.empty()) return;
    // Only the last number of a sequence may go.
    const int journal = orm_.RawId("account.move", id, "journal_id");
    for (int other :
         orm_.Search("account.move", json::array({json::array({"journal_id", "=", journal})}))) {
      if (other > id && Str(orm_.Raw("account.move", other, "name")) != "/") {
        UserError(
            "You cannot delete this entry, as it has already consumed a sequence number and is "
            "not the last one in the chain. You should probably revert it instead.");
      }
    }
  };
  RegisterAccountMethods();
}

void OdooDatabase::PostMove(int id) {
  json& rec = orm_.Rec("account.move", id);
  if (!Truthy(rec.value("invoice_date", json(false)))) rec["invoice_date"] = OdooToday();
  const std::string date = Str(rec["invoice_date"]);
  std::tm tm{};
  strptime(date.c_str(), "%Y-%m-%d", &tm);
  const std::time_t due = timegm(&tm) + 30 * 24 * 3600;
  if (!Truthy(rec.value("invoice_date_due", json(false))))
    rec["invoice_date_due"] = FormatTime(due, "%Y-%m-%d");
  rec["date"] = date;
  const int journal = orm_.RawId("account.move", id, "journal_id");
  const std::string code = Str(orm_.Raw("account.journal", journal, "code"));
  if (Str(rec["name"]) == "/" || Str(rec["name"]).empty()) {
    rec["name"] = code == "BILL"
                      ? NextName("BILL/" + date.substr(0, 4) + "/" + date.substr(5, 2) + "/", 4)
                      : NextName(code + "/" + date.substr(0, 4) + "/", 5);
  }
  rec["state"] = "posted";
  rec["payment_state"] = "not_paid";
}

void OdooDatabase::RegisterAccountMethods() {
  AddMethod("account.move", "action_post", [this](const MethodCall& c) -> std::optional<json> {
    for (int id : c.ids) {
      const std::string type = Str(orm_.Raw(c.model, id, "move_type"));
      if (State(c.model, id) == "posted") {
        UserError("The entry " + Str(orm_.Raw(c.model, id, "name")) + " (id " + std::to_string(id) +
                  ") is already posted.");
      }
      if (type != "entry" && orm_.RawIds(c.model, id, "invoice_line_ids").empty())
        UserError(dialect_.PostWithoutLines());
      if (IsBill(type) && !Truthy(orm_.Raw(c.model, id, "invoice_date")))
        UserError("The Bill/Refund date is required to validate this document.");
    }
    for (int id : c.ids) PostMove(id);
    return false;
  });
  AddMethod("account.move", "button_draft", [this](const MethodCall& c) -> std::optional<json> {
    for (int id : c.ids) {
      if (State(c.model, id) != "posted" && State(c.model, id) != "cancel")
        UserError("Only posted/cancelled journal entries can be reset to draft.");
    }
    for (int id : c.ids) SetState(c.model, id, "draft");
    return std::nullopt;
  });
  AddMethod("account.move", "button_cancel", [this](const MethodCall& c) -> std::optional<json> {
    for (int id : c.ids) {
      if (State(c.model, id) == "posted" && !dialect_.cancel_posted_invoice)
        UserError("Only draft journal entries can be cancelled.");
    }
    for (int id : c.ids) SetState(c.model, id, "cancel");
    return std::nullopt;
  });
}

}  // namespace odoo_prober::emulator
