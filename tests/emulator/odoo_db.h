// OdooDatabase: the emulated Odoo database of one personality (16.0-19.0): the schema of the
// models the five journeys use, seed data mirroring Odoo's demo data, and the business methods
// with Odoo's state machines, side effects, return values and refusals.
//
// The models come in families, one file each: base (companies, partners, users, products,
// taxes, settings: odoo_base.cc), sale (odoo_sale.cc), purchase (odoo_purchase.cc), stock
// (odoo_stock.cc), mrp (odoo_mrp.cc) and account (odoo_account.cc). A family registers, for the
// version at hand (its Dialect), its models' schema and a table per model: business methods,
// computed fields, and the checks and side effects of create, write and unlink. This file's
// core dispatches RPC calls to the generic ORM or to those tables.
//
// Call() is what /jsonrpc's execute_kw, /web/dataset/call_kw and /json/2 end in. It raises
// OdooException for everything Odoo would raise; the dispatcher turns that into an envelope.
//
// Thread-safety: none; OdooEmulator serialises calls.
// Extending: a new business method is an AddMethod() in its family's Register function (only
// for the versions that have it); a new model is an AddModel() there and, if needed, a seed.
#pragma once

#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "tests/emulator/dialect.h"
#include "tests/emulator/orm.h"

namespace odoo_prober::emulator {

// What a real Odoo database keeps as settings of a company or of the installation, and that
// changes how business methods answer.
struct DatabaseSettings {
  // stock_sms: validating an outgoing transfer answers a confirm.stock.sms wizard (and leaves the
  // transfer undone) unless the context says skip_sms. On in a standard install; the wizard's
  // "don't send" button turns it off.
  bool sms_confirmation = true;
  // The Manufacturing "Work Orders" setting (group mrp.group_mrp_routings). Off: the BoM
  // operations are archived and manufacturing orders get no work orders.
  bool work_orders = true;
  // The sales tax's rate in percent (account.tax 1): a candidate environment whose tax was set
  // up differently computes another amount_tax.
  double sale_tax_percent = 15.0;
  // Modules of the standard install left out of ir.module.module (not installed).
  std::vector<std::string> without_modules;
  // The probe master data `odoo-prober provision` creates, created the way it does (SeedProbeData).
  bool probe_data = true;
};

class OdooDatabase {
 public:
  // major: 16, 17, 18 or 19.
  explicit OdooDatabase(int major, DatabaseSettings settings = {});

  // model.method(*args, **kwargs) as the user with id 2. Raises OdooException.
  // Returns nullopt when the method returns None (no "result" member over JSON-RPC).
  std::optional<json> Call(const std::string& model, const std::string& method, const json& args,
                           const json& kwargs);

  // JSON-2 (Odoo 19): named arguments, ids in `ids`. Raises OdooException; the caller maps the
  // exception class to an HTTP status.
  std::optional<json> CallNamed(const std::string& model, const std::string& method,
                                const json& body);

  // Whether `model` exists, and `method` on it (for routing and 404s).
  bool HasModel(const std::string& model) const { return orm_.HasModel(model); }

  // Records whose reference fields carry `tag` (client_order_ref, partner_ref, origin, ref) and
  // whose state is not final (not done/cancel/posted...): what a sweep must still clean up.
  json OpenRecordsTagged(const std::string& tag) const;

  const Orm& orm() const { return orm_; }
  int major() const { return major_; }
  const DatabaseSettings& settings() const { return settings_; }
  const Dialect& dialect() const { return dialect_; }
  // Whether `method` is callable on `model` in this version (generic ORM or business method).
  bool HasMethod(const std::string& model, const std::string& method) const;

 private:
  // One business method call: the records (ids first, except @api.model methods), the
  // positional and keyword arguments and the context.
  struct MethodCall {
    const std::string& model;
    const std::string& method;
    const std::vector<int>& ids;
    const json& args;
    const json& kwargs;
    const json& context;
  };
  using Method = std::function<std::optional<json>(const MethodCall&)>;  // nullopt: None
  using Computed = std::function<json(int id)>;
  // Side effects of a create (defaults Odoo fills, related records), with the stored record.
  using OnCreate = std::function<void(int id, json& rec, const json& vals)>;
  // Checks that raise to refuse a write or an unlink of one record.
  using WriteCheck = std::function<void(int id, const json& vals)>;
  using UnlinkCheck = std::function<void(int id)>;
  // What a family registers for one model.
  struct ModelTable {
    std::map<std::string, Method> methods;
    std::map<std::string, Computed> computed;
    OnCreate on_create;
    WriteCheck before_write;
    UnlinkCheck before_unlink;
  };

  // Registration, for the families.
  void AddModel(const char* name, const char* label, std::map<std::string, Field> fields,
                std::set<std::string> privates = {});
  void AddMethod(const std::string& model, const std::string& method, Method fn) {
    tables_[model].methods[method] = std::move(fn);
  }
  void AddComputed(const std::string& model, const std::string& field, Computed fn) {
    tables_[model].computed[field] = std::move(fn);
  }
  // Creates a seed record with a fixed id (the demo data's).
  void SeedRecord(const char* model, int id, const json& vals);
  [[noreturn]] void NoSuchMethod(const std::string& model, const std::string& method) const;
  void InstallHooks();
  std::optional<json> CallOrm(const std::string& model, const std::string& method, const json& args,
                              const json& kwargs);
  json Compute(const std::string& model, int id, const std::string& field) const;
  void AfterCreate(const std::string& model, int id, const json& vals);
  std::string NextName(const std::string& prefix, int digits);
  // The state of a record, and setting it.
  std::string State(const std::string& model, int id) const;
  void SetState(const std::string& model, int id, const char* state);
  // The sum of `lines` (qty x price, or their taxes) of a sale, purchase or invoice.
  double SumLines(const std::string& model, int id, const std::string& lines,
                  const std::string& qty_field, const std::string& tax_field, bool taxes) const;
  // untaxed, tax and total of such a document.
  void AddAmounts(const std::string& model, const std::string& lines, const std::string& qty,
                  const std::string& taxes);
  // price_subtotal and price_total of a line.
  void AddLineTotals(const std::string& model, const std::string& qty, const std::string& taxes);
  // A line's defaults from its product (price, name, taxes) when the values leave them out.
  void LineDefaults(const std::string& model, int id, json& rec, const json& vals,
                    const char* price_from, const char* taxes_field, const char* taxes_from);
  // Cancels the transfers of an order that are not done.
  void CancelOpenPickings(const char* link_field, int order);
  // The transfer an order's confirmation creates for its goods (not its services).
  void PickingForOrder(const std::string& model, int order, const char* line_model,
                       const char* qty_field, const char* link_field, const char* order_field,
                       int picking_type);

  // The families (one file each).
  void RegisterBase();
  void RegisterBaseBehaviour();
  void SeedBase();
  void SeedProducts();
  void RegisterSale();
  void RegisterSaleMethods();
  void RegisterPurchase();
  void RegisterPurchaseMethods();
  void RegisterMrp();
  void RegisterMrpMethods();
  void SeedMrp();
  void RegisterAccount();
  void RegisterAccountMethods();
  void PostMove(int id);
  void RegisterStock();
  void AddStockModels();
  void AddStockWizards();
  void RegisterStockMethods();
  void SeedStock();
  void SeedQuants();
  void SeedProbeData();

  // Manufacturing helpers (odoo_mrp.cc).
  std::string WorkorderState(int wo) const;
  std::string ReservationState(int mo) const;
  void PlanProduction(int mo);
  void CreateProductionMoves(int mo, json& rec);
  std::optional<json> WorkorderButton(const MethodCall& c);

  // Stock helpers (odoo_stock.cc).
  bool Storable(int product) const;
  bool Internal(int location) const;
  // The quants of a product in a location, in the order they take goods and reservations.
  std::vector<int> QuantsAt(int product, int location) const;
  double OnHand(int product) const;              // in internal locations
  double Free(int product, int location) const;  // on hand minus reserved
  void AddStock(int product, int location, double qty);
  // Reserves a move's whole demand from the quants of its source (all or nothing); true when
  // the move is assigned.
  bool ReserveMove(int move);
  void ReleaseReservation(int move);
  void UnreserveMove(int move);
  void CancelMove(int move);
  // Takes the goods (from the move's reservation first) and puts them at its destination; goods
  // arriving in an internal location go to the moves already waiting for them there.
  void DoneMove(int move, double qty);
  // Odoo's _trigger_assign: the moves waiting for `product` at `location` reserve what arrived,
  // oldest first.
  void AssignWaiting(int product, int location);
  double DoneQuantity(int move) const;
  void UpdatePickingState(int picking);
  int CreatePicking(int type_id, int partner_id, const std::string& origin,
                    const std::string& link_field, int link_id, const json& lines);
  json WizardAction(const std::string& name, const std::string& model, int view,
                    const std::vector<int>& ids) const;
  json ValidatePickings(const std::vector<int>& ids, const json& context);
  void DonePicking(int picking_id, bool backorder);
  double Returnable(int move) const;
  void InitReturnWizard(int wizard, const json& vals, const json& context);
  json ReturnOnchange(const json& context);
  json CreateReturns(int wizard, bool all, const json& context);
  std::optional<json> ProcessWizard(const MethodCall& c);

  const int major_;
  const Dialect dialect_;
  DatabaseSettings settings_;
  Orm orm_;
  json context_;  // the current call's context
  std::map<std::string, int> sequences_;
  std::map<std::string, ModelTable> tables_;  // by model
};

// The current time as Odoo writes it: "YYYY-MM-DD HH:MM:SS" (UTC) and "YYYY-MM-DD".
std::string OdooNow();
std::string OdooToday();

}  // namespace odoo_prober::emulator
