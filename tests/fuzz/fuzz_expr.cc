// Fuzz target: the journeys' expression languages. The input is tried as a JSON path, as a
// `when` condition, and as a template (JSON when it parses, else a string) expanded against a
// scope with parameters and variables of every JSON type.
#include <cstddef>
#include <cstdint>
#include <string>

#include "scenarios/expr.h"

namespace {

const odoo_prober::scenarios::Scope& FuzzScope() {
  static const odoo_prober::scenarios::Scope scope = [] {
    using nlohmann::json;
    odoo_prober::scenarios::Scope s;
    s.params = {{"x", 1},
                {"name", "probe"},
                {"list", json::array({1, 2, 3})},
                {"obj", {{"a", {{"b", nullptr}}}}}};
    s.vars = {{"order_id", 42},
              {"lines", json::array({json::array({7, "Seven"}), json::array({8, "Eight"})})},
              {"partner", {{"id", 3}, {"name", "Deco"}}},
              {"flag", false}};
    s.run_id = "0123456789ab";
    s.run_tag = "probe-0123456789ab";
    s.now = "2026-11-27 06:00:00";
    s.today = "2026-11-27";
    s.odoo_version = 18;
    return s;
  }();
  return scope;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace odoo_prober::scenarios;
  const std::string text(reinterpret_cast<const char*>(data), size);
  const Scope& scope = FuzzScope();
  if (auto path = JsonPath::Parse(text); path.ok()) {
    static const json root = {{"a", json::array({1, {{"b", 2}}})}, {"c", "d"}};
    (void)path->Find(root);
    (void)path->Find(json::array({root, root}));
  }
  if (auto condition = Condition::Parse(text); condition.ok()) {
    (void)condition->Eval(scope);
    (void)condition->Refs();
  }
  const json parsed = json::parse(text, nullptr, /*allow_exceptions=*/false);
  const json value = parsed.is_discarded() ? json(text) : parsed;
  if (TemplateRefs(value).ok()) (void)Expand(value, scope);
  return 0;
}
