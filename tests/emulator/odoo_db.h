// OdooDatabase: the emulated Odoo database of one personality (16.0-19.0): the schema of the
// models the five journeys use, seed data mirroring Odoo's demo data, and the business methods
// with Odoo's state machines, side effects, return values and refusals.
//
// Call() is what /jsonrpc's execute_kw, /web/dataset/call_kw and /json/2 end in. It raises
// OdooException for everything Odoo would raise; the dispatcher turns that into an envelope.
//
// Thread-safety: none; OdooEmulator serialises calls.
// Extending: a new business method is a branch in CallBusiness() plus its name in the model's
// method list in odoo_db.cc; a new model is a block in BuildSchema() and, if needed, Seed().
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "tests/emulator/orm.h"

namespace odoo_prober::emulator {

class OdooDatabase {
 public:
  // major: 16, 17, 18 or 19.
  explicit OdooDatabase(int major);

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

 private:
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
  int CreatePicking(int type_id, int partner_id, const std::string& origin,
                    const std::string& link_field, int link_id, const json& lines);
  json ValidatePickings(const std::vector<int>& ids, const json& context);
  void DonePicking(int picking_id, bool backorder);
  json BackorderAction(const std::vector<int>& ids) const;
  std::string WorkorderState(int wo) const;
  std::string ReservationState(int mo) const;
  void PlanProduction(int mo);

  const int major_;
  Orm orm_;
  json context_;  // the current call's context
  std::map<std::string, int> sequences_;
};

// The current time as Odoo writes it: "YYYY-MM-DD HH:MM:SS" (UTC) and "YYYY-MM-DD".
std::string OdooNow();
std::string OdooToday();

}  // namespace odoo_prober::emulator
