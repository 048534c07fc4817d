// The journey model: a named sequence of RPC steps a prober runs against one Odoo target.
//
// Pure data and pure functions, no network: the runner (runners/) interprets a Journey against
// an OdooClient. Values in a step's args and kwargs may be templates: a JSON string that is
// exactly "${var.NAME}" is replaced by the variable's JSON value (so ids stay integers).
// The authenticate step defines var.uid.
//
// Thread-safety: Journeys are immutable values, shared freely.
// Extending: a new step kind is a StepKind value plus a case in the runner's one switch.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace odoo_prober::scenarios {

enum class StepKind {
  kAuthenticate,  // log in with the target's credentials; defines var.uid
  kCall,          // model.method(*args, **kwargs)
};

struct Step {
  std::string name;
  StepKind kind = StepKind::kCall;
  std::string model;
  std::string method;
  nlohmann::json args = nlohmann::json::array();
  nlohmann::json kwargs = nlohmann::json::object();
  // The result must be a non-empty list (or a non-empty, non-false value).
  bool expect_non_empty = false;
  // Each of these fields must be present and not false in the first record of the result.
  std::vector<std::string> expect_fields;
};

struct Journey {
  std::string name;
  std::string description;
  std::vector<Step> steps;
};

// The journeys that ship with odoo-prober.
const std::vector<Journey>& BuiltinJourneys();

// The journey called `name` in `journeys`, or nullptr.
const Journey* FindJourney(const std::vector<Journey>& journeys, const std::string& name);

// Replaces every "${var.NAME}" string in `value` by vars[NAME]. Fails (nullopt, *error set)
// when a variable is not defined.
std::optional<nlohmann::json> Substitute(const nlohmann::json& value,
                                         const std::map<std::string, nlohmann::json>& vars,
                                         std::string* error);

}  // namespace odoo_prober::scenarios
