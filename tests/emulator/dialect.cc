#include "tests/emulator/dialect.h"

namespace odoo_prober::emulator {

Dialect::Dialect(int m)
    : major(m),
      line_uom(m >= 19 ? "product_uom_id" : "product_uom"),
      sale_line_taxes(m >= 19 ? "tax_ids" : "tax_id"),
      purchase_line_taxes(m >= 19 ? "tax_ids" : "taxes_id"),
      planned_start(m >= 17 ? "date_start" : "date_planned_start"),
      planned_finished(m >= 17 ? "date_finished" : "date_planned_finished"),
      storable_flag(m >= 18),
      product_types(m >= 18 ? std::vector<std::string>{"consu", "service", "combo"}
                            : std::vector<std::string>{"consu", "service", "product"}),
      sale_states(m <= 16 ? std::vector<std::string>{"draft", "sent", "sale", "done", "cancel"}
                          : std::vector<std::string>{"draft", "sent", "sale", "cancel"}),
      purchase_states(
          m >= 19 ? std::vector<std::string>{"draft", "sent", "to approve", "purchase", "cancel"}
                  : std::vector<std::string>{"draft", "sent", "to approve", "purchase", "done",
                                             "cancel"}),
      workorder_states(
          m >= 19 ? std::vector<std::string>{"blocked", "ready", "progress", "done", "cancel"}
                  : std::vector<std::string>{"pending", "waiting", "ready", "progress", "done",
                                             "cancel"}),
      payment_states({"not_paid", "in_payment", "paid", "partial", "reversed", "invoicing_legacy"}),
      sale_locked_field(m >= 17),
      purchase_locked_field(m >= 19),
      move_name_false(m >= 18),
      workcenter_name(m >= 18 ? "Assembly 1" : "Assembly Line 1"),
      work_orders_on(m >= 17),
      operation_minutes(m >= 19 ? 120.0 : 60.0),
      sale_reconfirm(m <= 16),
      sale_cancel_wizard(m >= 16 && m <= 18),
      sale_lock_returns_none(m >= 17),
      purchase_button_done(m <= 18),
      purchase_cancel_received(m >= 19),
      unplan_returns_none(m <= 16),
      workorder_buttons_none(m >= 18),
      workorder_always_ready(m >= 19),
      cancel_posted_invoice(m >= 17),
      has_group_on_model(m <= 16),
      immediate_transfer(m <= 16),
      move_ids_without_package(m <= 18),
      return_link(m >= 17),
      move_quantity(m >= 17),
      set_quantities_to_reservation(m <= 16),
      quants_newest_first(m == 18),
      return_onchange(m <= 16),
      return_create_returns(m <= 17),
      return_location(m <= 17),
      return_to_refund(m <= 17),
      return_move_quantity(m >= 19),
      return_lines_empty(m >= 18),
      return_to_origin(m >= 18),
      json2(m >= 19),
      wrong_verb_415(m >= 19),
      web_routes_parse_body(m >= 18),
      call_kw_unknown_model_404(m >= 18),
      unknown_uid_missing(m >= 19) {
  if (m >= 18) payment_states.push_back("blocked");
}

bool Dialect::Taxed(const std::string& product_type) const {
  return major == 17 || major >= 19 || (major <= 16 && product_type == "service");
}

std::string Dialect::InvalidReadField(const std::string& field, const std::string& model) const {
  return major >= 19 ? "Invalid field '" + field + "' on '" + model + "'"
                     : "Invalid field '" + field + "' on model '" + model + "'";
}

std::string Dialect::InvalidDomainField(const std::string& path, const std::string& leaf) const {
  return "Invalid field " + path + (major >= 19 ? " in condition " : " in leaf ") + leaf;
}

std::string Dialect::MissingRequired(const std::string& model_label, const std::string& model,
                                     const std::string& field_label,
                                     const std::string& field) const {
  if (major >= 19) {
    return "The operation cannot be completed: Missing required value for the field '" +
           field_label + "' (" + field + ").\nModel: '" + model_label + "' (" + model +
           ")\n- create/update: a mandatory field is not set\n- delete: another model "
           "requires the record being deleted, you can archive it instead\n";
  }
  return "The operation cannot be completed:\n- Create/update: a mandatory field is not set.\n"
         "- Delete: another model requires the record being deleted. If possible, archive it "
         "instead.\n\nModel: " +
         model_label + " (" + model + ")\nField: " + field_label + " (" + field + ")\n";
}

std::string Dialect::NoSuchMethod(const std::string& model, const std::string& method) const {
  return major <= 17 ? "The method '" + method + "' does not exist on the model '" + model + "'"
                     : "The method '" + model + "." + method + "' does not exist";
}

std::string Dialect::PrivateMethod(const std::string& model, const std::string& method) const {
  return major <= 17 ? "Private methods (such as " + method + ") cannot be called remotely."
                     : "Private methods (such as '" + model + "." + method +
                           "') cannot be called remotely.";
}

std::string Dialect::PostWithoutLines() const {
  return major >= 19 ? "Even magicians can't post nothing!"
                     : "You need to add a line before posting.";
}

std::string Dialect::SaleConfirmRefused(const std::string& names) const {
  if (major >= 18) return "Some orders are not in a state requiring confirmation.";
  if (major == 17) {
    return "The following orders are not in a state requiring confirmation: " + names;
  }
  return "It is not allowed to confirm an order in the following states: Locked, Cancelled";
}

std::string Dialect::PurchaseCancelRefused(const std::string& name,
                                           const std::string& display) const {
  if (major <= 17) {
    return "Unable to cancel purchase order " + name +
           " as some receptions have already been done.";
  }
  if (major == 18) {
    return "Unable to cancel purchase order(s): " + display +
           " since they have receipts that are already done.";
  }
  return "Unable to cancel purchase order(s): " + display + ". You must first unlock them.";
}

}  // namespace odoo_prober::emulator
