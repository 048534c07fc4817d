// The emulator's in-memory ORM: models, fields, records, Odoo domains and the generic methods
// (search, search_read, search_count, read, create, write, unlink, name_search, fields_get).
//
// Odoo's refusals are raised as OdooException (name + message, as Python would raise them) and
// turned into Odoo's JSON-RPC error envelope by the dispatcher; they never leave the emulator.
//
// Thread-safety: none; the OdooEmulator serialises access with its mutex.
#pragma once

#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "tests/emulator/dialect.h"

namespace odoo_prober::emulator {

using nlohmann::json;

// An exception as Odoo raises it: data.name and data.message of the error envelope.
struct OdooException {
  std::string name;  // "odoo.exceptions.UserError", "builtins.ValueError", ...
  std::string message;
};
[[noreturn]] void Raise(const std::string& name, const std::string& message);
[[noreturn]] void UserError(const std::string& message);

enum class FieldType {
  kChar,
  kText,
  kInteger,
  kFloat,
  kBoolean,
  kSelection,
  kDate,
  kDatetime,
  kMany2one,
  kOne2many,
  kMany2many,
  kJson
};

struct Field {
  std::string name;
  std::string label;
  FieldType type = FieldType::kChar;
  std::string comodel;  // relational fields
  std::string inverse;  // one2many: the many2one on the comodel
  bool required = false;
  bool readonly = false;
  std::vector<std::string> selection;
  json default_value;     // null: none (reads as false / 0 / [])
  bool computed = false;  // value comes from the model's compute hook, not storage
  std::string owner;      // model named in "Wrong value for <owner>.<field>" (delegation)
};

struct Model {
  std::string name;
  std::string label;  // "Sales Order"
  std::map<std::string, Field> fields;
  std::map<int, json> records;  // id -> stored values (a JSON object)
  int next_id = 1;
  // Methods that exist but are private in Odoo (for the AccessError vs AttributeError split).
  std::set<std::string> private_methods;
};

// Python's repr() of a JSON value: 'text', 1, 1.5, True, False, None, [...], {...}.
std::string PyRepr(const json& value);

class Orm {
 public:
  // Hooks into the business layer.
  struct Hooks {
    // A computed field's value for one record (called for fields with computed = true and for
    // display_name).
    std::function<json(const std::string& model, int id, const std::string& field)> compute;
    // After a record was created / written (with the values given).
    std::function<void(const std::string& model, int id, const json& vals)> after_create;
    std::function<void(const std::string& model, const std::vector<int>& ids, const json& vals)>
        before_write;
    // Before records are deleted; raises to refuse.
    std::function<void(const std::string& model, const std::vector<int>& ids)> before_unlink;
  };

  // The version's wording of errors; must outlive the Orm.
  explicit Orm(const Dialect& dialect) : dialect_(dialect) {}

  void AddModel(Model model);
  bool HasModel(const std::string& name) const { return models_.count(name) > 0; }
  Model& model(const std::string& name);
  const Model& model(const std::string& name) const;
  const Field* FindField(const std::string& model, const std::string& field) const;
  void SetHooks(Hooks hooks) { hooks_ = std::move(hooks); }

  // Raw access for the business layer (no validation, no hooks).
  json& Rec(const std::string& model, int id);
  bool Exists(const std::string& model, int id) const;
  // Stored or computed value in read() format (many2one as [id, name]).
  json Get(const std::string& model, int id, const std::string& field) const;
  // Stored value: many2one as an id or false, many2many as ids, one2many as ids (computed).
  json Raw(const std::string& model, int id, const std::string& field) const;
  int RawId(const std::string& model, int id, const std::string& field) const;
  std::vector<int> RawIds(const std::string& model, int id, const std::string& field) const;
  std::string DisplayName(const std::string& model, int id) const;

  // The generic ORM methods, as called over RPC.
  std::vector<int> Search(const std::string& model, const json& domain, int offset = 0,
                          int limit = -1, const std::string& order = "") const;
  json Read(const std::string& model, const std::vector<int>& ids, const json& fields) const;
  int Create(const std::string& model, const json& vals);
  void Write(const std::string& model, const std::vector<int>& ids, const json& vals);
  void Unlink(const std::string& model, const std::vector<int>& ids);
  json NameSearch(const std::string& model, const std::string& name, const json& domain,
                  const std::string& op, int limit) const;
  json FieldsGet(const std::string& model, const json& fields, const json& attributes) const;

  // Records that no longer exist raise MissingError as Odoo does.
  void CheckExist(const std::string& model, const std::vector<int>& ids) const;
  // Ids from an RPC argument: an int or a list of ints.
  static std::vector<int> Ids(const json& value);

 private:
  bool Match(const std::string& model, int id, const json& domain, size_t& pos) const;
  bool MatchLeaf(const std::string& model, int id, const json& leaf) const;
  void ApplyValues(const std::string& model, int id, const json& vals, bool creating);
  void CheckValue(const Model& m, const Field& f, const json& value) const;

  const Dialect& dialect_;
  std::map<std::string, Model> models_;
  Hooks hooks_;
};

}  // namespace odoo_prober::emulator
