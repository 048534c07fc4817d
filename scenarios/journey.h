// The journey model: a named, parameterised sequence of Odoo RPC steps, written in YAML and
// interpreted by the runner (runners/), so users add journeys without recompiling.
//
// A journey file:
//   name: sales_order_confirmation
//   description: ...
//   timeout: 45s                       # the whole run, cleanup excluded (default 45s)
//   requires:                          # Odoo settings it needs, by the group they give users
//     - {group: mrp.group_mrp_routings, setting: "Manufacturing > Settings > Work Orders"}
//   params:
//     customer_ref: {default: DECO, description: ...}
//     quantity: {default: 2, type: number}
//     mode: {type: string, required: true}
//   steps:
//     - name: login
//       authenticate: {}
//     - name: find_customer
//       search_read: {model: res.partner, domain: [[ref, "=", "${param.customer_ref}"]],
//                     fields: [id], limit: 1}
//       expect: [{count: 1}]
//       save: {customer_id: "$[0].id"}
//     - name: create_order
//       call: {model: sale.order, method: create, args: [{...}], kwargs: {}, context: {}}
//       save: {order_id: $}
//       record: {model: sale.order, id: "${var.order_id}"}   # cleaned up at the end
//       when: odoo_version >= 17
//       timeout: 10s
//       retry_until: {attempts: 5, interval: 500ms, expect: [...]}
//       on_action:                         # when the answer is an action dict
//         stock.backorder.confirmation: [ ...steps; ${var.action} is the action... ]
//     - name: still_draft                  # no call: expectations on variables only
//       check: [{var: order.state, equals: draft}]
//     - name: finish_transfers             # (in cleanup recipes) neutralise related records
//       cleanup: {model: stock.picking, ids: "${var.picking_ids}"}
//
// A call that answers with a dialog (an action with target "new") fails its step unless the
// step's on_action names the dialog's model: an unplanned wizard is never taken for success.
//
// Cleanup: every record a step registers is cleaned up after the run (success, failure or
// timeout) in reverse order, by the recipe for its model (cleanup.yaml), each reported. A
// recipe's steps are followed by a read-back: the record must be gone or in one of the recipe's
// final_states, and pass the recipe's verify steps (checks of related records), or its cleanup
// has failed.
//
// Thread-safety: immutable values, shared freely.
// Extending: a new step kind is a StepKind value, a key in the loader and a case in the
// runner's one switch.
#pragma once

#include <chrono>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"
#include "prober/status.h"
#include "scenarios/expr.h"

namespace odoo_prober::scenarios {

using config::SourcePos;

enum class StepKind {
  kAuthenticate,  // log in (and learn the server version); defines var.uid
  kCall,          // model.method(*args, **kwargs); search_read/read are shorthands for it
  kCheck,         // no call: the step's expectations on variables
  kCleanup,       // neutralise the records `cleanup_ids` of `model` with that model's recipe
};

struct Expectation {
  enum class Op { kEquals, kNotEquals, kIn, kGt, kGe, kLt, kLe, kCount, kNotEmpty };
  std::optional<JsonPath> path;  // into the result; absent with `var`: the whole result
  std::string var;               // or a variable (var.name[.field])
  Op op = Op::kEquals;
  json value;        // may hold templates
  std::string text;  // as written, for messages
  SourcePos pos;
};

struct Step;
using Steps = std::vector<Step>;

struct Step {
  std::string name;
  SourcePos pos;
  StepKind kind = StepKind::kCall;
  std::string model;
  std::string method;
  json args = json::array();     // templates
  json kwargs = json::object();  // templates
  // Templates, merged into kwargs.context: a mapping, or a list of mappings merged in order
  // (e.g. ["${var.action.context}", {skip_sms: true}]).
  json context = json::object();
  json cleanup_ids;  // kCleanup: a template for an id or a list of ids
  std::vector<std::pair<std::string, JsonPath>> save;
  std::vector<Expectation> expect;
  std::optional<std::chrono::milliseconds> timeout;
  struct Retry {
    int attempts = 1;
    std::chrono::milliseconds interval{0};
    std::vector<Expectation> until;
  };
  std::optional<Retry> retry;
  std::optional<Condition> when;
  // res_model of a returned action ("*" for any) -> steps run with var.action set.
  std::map<std::string, Steps> on_action;
  // A record this step created, to clean up: model and a template for its id.
  struct Record {
    std::string model;
    json id;
  };
  std::optional<Record> record;
  // `harmless: "<why>"`: the step does what CheckHarm refuses, and this is why that is fine.
  std::string harmless{};
};

struct Param {
  std::string name;
  std::string type = "any";  // string, integer, number, boolean, list, any
  json default_value;        // null: none
  bool required = false;
  std::string description;
};

// An Odoo setting a journey needs, known by the group it gives users: the Work Orders setting
// of Manufacturing gives mrp.group_mrp_routings. Checked by `validate --online` and
// `provision`, never changed by them.
struct Requirement {
  std::string group;    // "mrp.group_mrp_routings"
  std::string setting;  // where an administrator turns it on, for people
};

// A business field `odoo-prober compare` reads from the records a run created (before their
// cleanup) and compares between the two environments. `compare:` in a journey file:
//   compare:
//     - {model: sale.order, field: amount_total, tolerance: 0.01}   # numbers: absolute
//     - {model: sale.order, field: amount_tax, tolerance: 0.5%}     # or relative
//     - {model: sale.order, field: state}                           # text: equal
//     - {model: sale.order, field: name, pattern: "^S\\d{5}$"}        # names: both match
//     - {model: sale.order, field: order_line}                      # x2many: how many
// Many2one values compare by their display name.
struct CompareField {
  std::string model;
  std::string field;
  double tolerance = 0;   // numbers: allowed difference, absolute (or relative when `relative`)
  bool relative = false;  // tolerance is a share of the baseline's value
  std::string pattern;    // text: both values must match this ECMAScript regex (not be equal)
  SourcePos pos;
};

// A product whose stock a journey moves or reserves, named by one of the journey's parameters.
// Real stock must never be touched by a probe: Odoo reserves goods that arrive for deliveries
// already waiting for them (a probe's received goods go to a customer's delivery, and its
// return then has nothing to take back), and a probe order reserves stock, or a probe
// manufacturing order components, that a real delivery or order may wait for. So before a
// journey's first write the runner reads each product and refuses one that keeps stock
// (`is_storable` from Odoo 18 on, `type: product` before), unless the config's journey entry
// says `stock_moves: allowed`. `validate --online` checks the same. `stock:` in a journey file:
//   stock:
//     - {param: product_code, effect: receipt}      # goods received into stock
//     - {param: product_code, effect: delivery}     # an order reserving stock for a delivery
//     - {param: product_code, effect: production}   # a manufacturing order: the product made,
//                                                   # its bill of materials' components reserved
//     - {param: barcode, field: barcode, effect: delivery}   # found by another product field
struct StockUse {
  enum class Effect { kReceipt, kDelivery, kProduction };
  std::string param;                   // the parameter that names the product
  std::string field = "default_code";  // the product.product field its value is
  Effect effect = Effect::kReceipt;
  SourcePos pos;
};
std::string_view EffectName(StockUse::Effect effect);

struct Journey {
  std::string name;
  std::string description;
  // The business service it proves (`service:`, e.g. order-to-cash); "" when not declared.
  // The config's journeys[].service overrides it.
  std::string service;
  std::vector<Requirement> requirements;  // `requires:` in YAML
  std::string file;  // where it was loaded from ("<built-in>/x.yaml" for shipped ones)
  bool builtin = false;
  std::chrono::milliseconds timeout{45000};  // no longer than the default interval (60s)
  std::vector<Param> params;
  Steps steps;
  std::vector<CompareField> compare;  // what `compare` checks for parity
  std::vector<StockUse> stock;        // `stock:`: products whose stock it moves or reserves

  const Param* FindParam(const std::string& name) const;
};

// How to neutralise a probe record of one model: the reference field that carries the probe
// tag, the states in which nothing is left to do, the steps (with var.record_id), and the
// verify steps run on the record read back afterwards (var.final: its id and state), which fail
// when related records are not final either (a received transfer's return not done, say).
struct CleanupRecipe {
  std::string model;
  std::string ref_field;
  std::vector<std::string> final_states;
  Steps steps;
  Steps verify;

  bool IsFinal(const std::string& state) const;
};

struct Catalog {
  std::vector<Journey> journeys;
  std::map<std::string, CleanupRecipe> recipes;

  const Journey* Find(const std::string& name) const;
};

// One problem in a journey file: file:line:column, the field and how to fix it.
using JourneyError = config::ConfigError;

// Parses one journey document; `file` names it in errors.
prober::Result<Journey> ParseJourney(const std::string& text, const std::string& file);
// Parses the cleanup recipes document.
prober::Result<std::map<std::string, CleanupRecipe>> ParseRecipes(const std::string& text,
                                                                  const std::string& file);

// The built-in journeys and recipes (embedded at build time), plus every *.yaml journey in
// `dirs` (a user journey may replace a built-in one of the same name). All errors of all files
// are reported together, one per line.
prober::Result<Catalog> LoadJourneys(const std::vector<std::string>& dirs = {});

// What a journey's steps could change beyond the records it creates, each positioned: a create
// (or copy, name_create) whose record no `record:` registers (a wizard of the dialog an
// on_action handles excepted), a write or unlink on ids not held in a variable a `record:`
// registers or read from one, any call but a read on a settings model (res.config.settings,
// ir.config_parameter, res.company, res.users, ir.module.module and its wizards), and a wizard
// button known to change a company-wide setting (stock_sms's dont_send_sms, ...). A step that
// says `harmless: "<why>"` is not checked. Cleanup recipes are not journeys: never checked.
std::vector<JourneyError> CheckHarm(const Journey& journey);
// The steps that say `harmless:` (on_action handlers' included): step name -> why.
std::vector<std::pair<std::string, std::string>> HarmlessSteps(const Journey& journey);

// Checks the parameters a config gives a journey: unknown names, wrong types, required ones
// missing. `where` positions the errors (the config's journeys[] entry).
std::vector<JourneyError> CheckParams(const Journey& journey, const json& given,
                                      const SourcePos& where, const std::string& field);

}  // namespace odoo_prober::scenarios
