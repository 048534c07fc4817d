// OdooDatabase: the emulated Odoo database of one personality (16.0-19.0): the schema of the
// models the five journeys use, seed data mirroring Odoo's demo data, and the business methods
// with Odoo's state machines, side effects, return values and refusals.
//
// Call() is what /jsonrpc's execute_kw, /web/dataset/call_kw and /json/2 end in. It raises
// OdooException for everything Odoo would raise; the dispatcher turns that into an envelope.
//
// Thread-safety: none; OdooEmulator serialises calls.
// Extending: a new business method is a branch in CallBusiness() (CallStock() for the stock
// family, in odoo_stock.cc) plus its name in the model's method list in odoo_db.cc; a new model
// is an AddModel() in BuildSchema() (AddStockModels()) and, if needed, a seed.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>

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
  void AddModel(const char* name, const char* label, std::map<std::string, Field> fields,
                std::set<std::string> privates = {});
  // Creates a seed record with a fixed id (the demo data's).
  void SeedRecord(const char* model, int id, const json& vals);
  [[noreturn]] void NoSuchMethod(const std::string& model, const std::string& method) const;
  void BuildSchema();
  void Seed();
  void InstallHooks();
  std::optional<json> CallBusiness(const std::string& model, const std::string& method,
                                   const std::vector<int>& ids, const json& args,
                                   const json& kwargs, const json& context);
  json Compute(const std::string& model, int id, const std::string& field) const;
  void AfterCreate(const std::string& model, int id, const json& vals, const json& context);

  // Business helpers.
  std::string NextName(const std::string& prefix, int digits);
  std::string WorkorderState(int wo) const;
  std::string ReservationState(int mo) const;
  void PlanProduction(int mo);

  // The stock family (odoo_stock.cc).
  void AddStockModels();
  void SeedStock();
  void SeedQuants();
  std::optional<json> CallStock(const std::string& model, const std::string& method,
                                const std::vector<int>& ids, const json& context);
  json ComputeStock(const std::string& model, int id, const std::string& field) const;
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
  void DoneMove(int move, double qty);
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

  const int major_;
  const Dialect dialect_;
  DatabaseSettings settings_;
  Orm orm_;
  json context_;  // the current call's context
  std::map<std::string, int> sequences_;
};

// The current time as Odoo writes it: "YYYY-MM-DD HH:MM:SS" (UTC) and "YYYY-MM-DD".
std::string OdooNow();
std::string OdooToday();

}  // namespace odoo_prober::emulator
