// The small expression languages of journeys, pure and network-free:
//  - JSON paths into a step's result: "$", "$[0].picking_ids[0]", "$.context.default_pick_ids";
//  - templates in step arguments: "${param.x}", "${var.y}", "${var.y.field}", "${run.id}",
//    "${run.tag}", "${now}", "${today}" (a whole-string template keeps the value's JSON type;
//    inside a longer string it is interpolated as text); "${var.x|ids}" turns many2one values as
//    read ([id, "name"]) into their ids, at any depth, to pass read or onchange values on;
//  - `when` conditions: "odoo_version >= 17", "param.mode == 'partial' and odoo_version < 19".
//
// Thread-safety: immutable values and pure functions.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "prober/status.h"

namespace odoo_prober::scenarios {

using nlohmann::json;

class JsonPath {
 public:
  // Parses "$", "$.a", "$[0]", "$[0].b[2].c". Fails with a message saying what is wrong.
  static prober::Result<JsonPath> Parse(const std::string& text);
  // The value at this path, or nullptr when a part is missing.
  const json* Find(const json& root) const;
  const std::string& text() const { return text_; }

 private:
  std::string text_;
  struct Part {
    std::string key;  // a field name, or
    long index = -1;  // an array index when >= 0
  };
  std::vector<Part> parts_;
};

// What templates and conditions can see during a run.
struct Scope {
  std::map<std::string, json> params;
  std::map<std::string, json> vars;
  std::string run_id;
  std::string run_tag;  // "probe-<run id>"
  std::string now;      // "YYYY-MM-DD HH:MM:SS" (UTC)
  std::string today;    // "YYYY-MM-DD"
  int odoo_version = 0;
};

// A reference found in a template: namespace ("param", "var", "run", "now", "today") and name.
struct TemplateRef {
  std::string ns;
  std::string name;  // first segment after the namespace ("" for now/today)
};

// Every ${...} reference in `value` (recursively). Fails on a malformed template.
prober::Result<std::vector<TemplateRef>> TemplateRefs(const json& value);
// Expands every template in `value`. Fails when a reference cannot be resolved.
prober::Result<json> Expand(const json& value, const Scope& scope);

class Condition {
 public:
  // Parses "<operand> <op> <operand> [and|or ...]"; operands are odoo_version, param.x, var.x,
  // numbers, 'strings', true, false, null; ops ==, !=, <, <=, >, >=. "and" binds tighter.
  static prober::Result<Condition> Parse(const std::string& text);
  // Evaluates against a scope. An unresolvable operand is null.
  bool Eval(const Scope& scope) const;
  const std::string& text() const { return text_; }
  // The param.x / var.x names it reads, for static checks.
  std::vector<TemplateRef> Refs() const;

 private:
  struct Term {
    std::string lhs, op, rhs;
  };
  std::string text_;
  std::vector<std::vector<Term>> any_of_all_;  // OR of ANDs
};

}  // namespace odoo_prober::scenarios
