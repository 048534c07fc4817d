// Dialect: how one Odoo version differs from the others, where the recordings show it: field
// names, states, which methods exist, the shapes of answers and the texts of errors. Built once
// per personality and shared by the ORM, the model families and the HTTP layer, so every
// version difference is a named fact here instead of a `major >= N` test at each use.
//
// Thread-safety: an immutable value.
// Extending: a new difference is a field (set in the constructor from `major`) or a text
// function, used where it matters.
#pragma once

#include <string>
#include <vector>

namespace odoo_prober::emulator {

struct Dialect {
  explicit Dialect(int major);

  const int major;

  // --- Field names.
  const char* line_uom;             // sale and purchase lines: product_uom (19: product_uom_id)
  const char* sale_line_taxes;      // tax_id (19: tax_ids)
  const char* purchase_line_taxes;  // taxes_id (19: tax_ids)
  const char* planned_start;        // manufacturing: date_planned_start (17+: date_start)
  const char* planned_finished;     // date_planned_finished (17+: date_finished)
  // Products: "storable" is the is_storable flag (18+) or detailed_type "product" (up to 17).
  bool storable_flag;
  std::vector<std::string> product_types;

  // --- States and selections.
  std::vector<std::string> sale_states;       // 16 has "done" (a locked order)
  std::vector<std::string> purchase_states;   // 19 dropped "done"
  std::vector<std::string> workorder_states;  // 19: blocked/ready instead of pending/waiting
  std::vector<std::string> payment_states;    // 18+ adds "blocked"
  bool sale_locked_field;                     // 17+: sale.order.locked instead of the "done" state
  bool purchase_locked_field;  // 19+: purchase.order.locked instead of the "done" state
  bool move_name_false;        // 18+: a draft invoice's name is False, not "/"

  // --- Demo data as each recorded database had it.
  const char* workcenter_name;
  bool work_orders_on;       // the Work Orders setting (off in 16.0's demo)
  double operation_minutes;  // the demo operation's time_cycle_manual
  // Default taxes: 15% on every product on 17 and 19, none on 18, on 16 only on services.
  bool Taxed(const std::string& product_type) const;

  // --- Methods and answer shapes.
  bool sale_reconfirm;            // 16: confirming a confirmed order answers true again
  bool sale_cancel_wizard;        // 16-18: cancelling a sent order asks sale.order.cancel
  bool sale_lock_returns_none;    // 17+: action_lock/action_unlock return None
  bool purchase_button_done;      // up to 18
  bool purchase_cancel_received;  // 19: an order whose receipt is done can be cancelled
  bool unplan_returns_none;       // 16: mrp.production.button_unplan returns None
  bool workorder_buttons_none;    // 18+: button_start/button_pending return None
  bool workorder_always_ready;    // 19: a work order is "ready" whatever the components
  bool cancel_posted_invoice;     // 17+: button_cancel on a posted invoice is allowed
  bool has_group_on_model;        // 16: res.users.has_group is an @api.model method
  bool immediate_transfer;        // 16: stock.immediate.transfer and picking.immediate_transfer
  bool move_ids_without_package;  // up to 18
  bool return_link;               // 17+: stock.picking.return_id / return_ids
  bool move_quantity;             // 17+: stock.move(.line).quantity and picked
  bool set_quantities_to_reservation;  // 16: stock.picking.action_set_quantities_to_reservation
  bool quants_newest_first;            // 18: reservations take the newest quant first
  // The return wizard: 16 fills its lines by onchange; up to 17 create_returns, 18+
  // action_create_returns(_all); 17 has a return location, 18 dropped it.
  bool return_onchange;
  bool return_create_returns;
  bool return_location;
  bool return_to_refund;      // up to 17: the lines' to_refund
  bool return_move_quantity;  // 19: the lines' move_quantity
  bool return_lines_empty;    // 18+: the lines start at quantity 0
  bool return_to_origin;      // 18+: a return goes back to the original's source location

  // --- HTTP routes.
  bool json2;                      // 19+: /json/2/<model>/<method> and GET /web/version
  bool wrong_verb_415;             // 19: a GET on a JSON route is 415 (16-18: 400)
  bool web_routes_parse_body;      // 18+: web routes answer a JSONDecodeError in the envelope
  bool call_kw_unknown_model_404;  // 18+: call_kw on an unknown model is the route's 404
  bool unknown_uid_missing;        // 19: execute_kw with a uid that does not exist: MissingError

  // --- Error texts.
  // read() of a field the model does not have.
  std::string InvalidReadField(const std::string& field, const std::string& model) const;
  // A domain leaf on a field the model does not have; `leaf` as Python prints the tuple.
  std::string InvalidDomainField(const std::string& path, const std::string& leaf) const;
  // A required field left empty on create.
  std::string MissingRequired(const std::string& model_label, const std::string& model,
                              const std::string& field_label, const std::string& field) const;
  // A public method the model does not have.
  std::string NoSuchMethod(const std::string& model, const std::string& method) const;
  std::string PrivateMethod(const std::string& model, const std::string& method) const;
  // 19 refuses every private name as AccessError; 18 says AttributeError for one that does not
  // exist.
  bool unknown_private_is_access_error() const { return major >= 19 || major <= 17; }
  // Posting an invoice without lines.
  std::string PostWithoutLines() const;
  // Confirming orders that are not quotations (`names`: theirs, joined).
  std::string SaleConfirmRefused(const std::string& names) const;
  // Cancelling a purchase order whose receipt is done (up to 18), or a locked one (19).
  std::string PurchaseCancelRefused(const std::string& name, const std::string& display) const;
};

}  // namespace odoo_prober::emulator
