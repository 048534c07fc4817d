// YAML journey files -> Journey values, with every problem reported (file:line:column, field,
// how to fix it). Variables are checked in step order: a template may only use a variable an
// earlier step saved.
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "config/config.h"
#include "config/yaml_reader.h"
#include "config/yaml_util.h"
#include "prober/text.h"
#include "scenarios/journey.h"

namespace odoo_prober::scenarios {

using config::Closest;
using config::YamlToJson;
using prober::Result;
using prober::Status;

const Param* Journey::FindParam(const std::string& n) const {
  for (const auto& p : params) {
    if (p.name == n) return &p;
  }
  return nullptr;
}

std::string_view EffectName(StockUse::Effect effect) {
  switch (effect) {
    case StockUse::Effect::kReceipt:
      return "receipt";
    case StockUse::Effect::kDelivery:
      return "delivery";
    case StockUse::Effect::kProduction:
      return "production";
  }
  return "receipt";
}

bool CleanupRecipe::IsFinal(const std::string& state) const {
  return std::find(final_states.begin(), final_states.end(), state) != final_states.end();
}

const Journey* Catalog::Find(const std::string& n) const {
  for (const auto& j : journeys) {
    if (j.name == n) return &j;
  }
  return nullptr;
}

namespace {

const std::vector<std::string> kStepKeys = {
    "name",      "authenticate", "call",        "search_read", "read",        "check",
    "cleanup",   "save",         "expect",      "timeout",     "retry_until", "when",
    "on_action", "record",       "description", "harmless"};
const std::vector<std::string> kStepKinds = {"authenticate", "call",  "search_read",
                                             "read",         "check", "cleanup"};
const std::vector<std::string> kExpectOps = {"equals", "not_equals", "in",    "gt",       "ge",
                                             "lt",     "le",         "count", "not_empty"};

bool TypeMatches(const std::string& type, const json& v) {
  if (type == "any") return true;
  if (type == "string") return v.is_string();
  if (type == "integer") return v.is_number_integer();
  if (type == "number") return v.is_number();
  if (type == "boolean") return v.is_boolean();
  if (type == "list") return v.is_array();
  return false;
}

using config::YamlReader;
using Fields = YamlReader::Fields;
using namespace std::chrono_literals;

class Parser {
 public:
  explicit Parser(std::string file) : r_(std::move(file)) {}

  std::vector<JourneyError>& errors() { return r_.errors(); }
  YamlReader& reader() { return r_; }

  void Error(const YAML::Node& at, const std::string& field, const std::string& message) {
    r_.Error(at, field, message);
  }

  void CheckTemplates(const YAML::Node& at, const std::string& field, const json& value,
                      const std::set<std::string>& vars) {
    auto refs = TemplateRefs(value);
    if (!refs.ok()) {
      Error(at, field, refs.status().message());
      return;
    }
    for (const auto& r : *refs) CheckRef(at, field, r, vars);
  }

  void CheckRef(const YAML::Node& at, const std::string& field, const TemplateRef& r,
                const std::set<std::string>& vars) {
    if (r.ns == "var" && !vars.count(r.name)) {
      std::vector<std::string> known(vars.begin(), vars.end());
      auto guess = Closest(r.name, known);
      Error(at, field,
            "variable '" + r.name + "' is not defined before this step; " +
                (guess ? "did you mean '" + *guess + "'?"
                       : "save it in an earlier step (save: {" + r.name + ": $...})"));
    }
    if (r.ns == "param" && journey_ && !journey_->FindParam(r.name)) {
      Error(at, field, "parameter '" + r.name + "' is not declared; add it under params:");
    }
  }

  std::optional<Expectation> Expect(const YAML::Node& e, const std::string& field,
                                    const std::set<std::string>& vars) {
    std::vector<std::string> keys = kExpectOps;
    keys.push_back("path");
    keys.push_back("var");
    auto f = r_.Map(e, field, keys);
    if (!f) return std::nullopt;
    Expectation x;
    x.pos = r_.Pos(e);
    x.text = prober::DumpJson(YamlToJson(e));
    int ops = 0;
    for (size_t k = 0; k < kExpectOps.size(); ++k) {
      if (!f->Has(kExpectOps[k])) continue;
      ++ops;
      x.op = static_cast<Expectation::Op>(k);
      x.value = YamlToJson(f->Value(kExpectOps[k]));
      CheckTemplates(f->Value(kExpectOps[k]), f->Sub(kExpectOps[k]), x.value, vars);
    }
    if (ops != 1) {
      Error(e, field,
            "needs exactly one of equals, not_equals, in, gt, ge, lt, le, count, not_empty");
      return std::nullopt;
    }
    if (x.op == Expectation::Op::kIn && !x.value.is_array())
      Error(e, field + ".in", "must be a list");
    if (x.op == Expectation::Op::kCount && !x.value.is_number_integer())
      Error(e, field + ".count", "must be an integer");
    if (f->Has("path")) {
      auto p = JsonPath::Parse(f->Value("path").Scalar());
      if (!p.ok()) {
        Error(f->Value("path"), f->Sub("path"), "malformed JSON path: " + p.status().message());
      } else {
        x.path = *p;
      }
    }
    if (f->Has("var")) {
      x.var = f->Value("var").Scalar();
      CheckRef(f->Value("var"), f->Sub("var"), {"var", x.var.substr(0, x.var.find('.'))}, vars);
    }
    return x;
  }

  std::vector<Expectation> Expects(const YAML::Node& node, const std::string& field,
                                   const std::set<std::string>& vars) {
    std::vector<Expectation> out;
    if (!node.IsSequence()) {
      Error(node, field, "must be a list, e.g. [{path: \"$[0].state\", equals: sale}, {count: 1}]");
      return out;
    }
    r_.Sequence(node, field, "", [&](const YAML::Node& e, const std::string& sub) {
      if (auto x = Expect(e, sub, vars)) out.push_back(std::move(*x));
    });
    return out;
  }

  Steps ParseSteps(const YAML::Node& node, const std::string& field, std::set<std::string>& vars) {
    Steps steps;
    if (!node.IsSequence()) {
      Error(node, field, "must be a list of steps (- name: ..., call: {...})");
      return steps;
    }
    std::set<std::string> names;
    r_.Sequence(node, field, "", [&](const YAML::Node& item, const std::string& sub) {
      auto step = ParseStep(item, sub, vars);
      if (!step) return;
      if (!names.insert(step->name).second)
        Error(item, sub + ".name", "step '" + step->name + "' is defined twice");
      steps.push_back(std::move(*step));
    });
    return steps;
  }

  std::optional<Step> ParseStep(const YAML::Node& node, const std::string& field,
                                std::set<std::string>& vars) {
    auto f = r_.Map(node, field, kStepKeys);
    if (!f) return std::nullopt;
    Step s;
    s.pos = r_.Pos(node);
    if (!f->Has("name") || !f->Value("name").IsScalar()) {
      Error(node, f->Sub("name"),
            "is required; give every step a short name (it becomes the metric label `step`)");
    } else {
      s.name = f->Value("name").Scalar();
    }
    int kinds = 0;
    for (const auto& k : kStepKinds) kinds += f->Has(k) ? 1 : 0;
    if (kinds == 0 && f->had_unknown()) return std::nullopt;  // a misspelt kind, reported
    if (kinds != 1) {
      Error(node, field,
            std::string(kinds == 0 ? "has no step kind" : "has more than one step kind") +
                "; use one of authenticate, call, search_read, read, check, cleanup");
      return std::nullopt;
    }
    if (f->Has("when")) ParseWhen(*f, s, vars);
    ParseKind(*f, s, vars);
    if (auto t = f->Duration("timeout", 1ms, 1h, "10s")) s.timeout = *t;
    if (f->Has("expect")) s.expect = Expects(f->Value("expect"), f->Sub("expect"), vars);
    if (f->Has("retry_until")) ParseRetry(f->Value("retry_until"), f->Sub("retry_until"), s, vars);
    if (f->Has("save")) ParseSave(f->Value("save"), f->Sub("save"), s, vars);
    if (f->Has("on_action")) ParseOnAction(f->Value("on_action"), f->Sub("on_action"), s, vars);
    // Saved variables exist after this step (and in its record).
    for (const auto& [var, p] : s.save) vars.insert(var);
    if (f->Has("record")) ParseRecord(f->Value("record"), f->Sub("record"), s, vars);
    if (f->Has("harmless")) {
      if (auto why = f->Text("harmless", "say why the step does no harm, e.g. harmless: \"...\""))
        s.harmless = *why;
    }
    return s;
  }

  void ParseWhen(Fields& f, Step& s, const std::set<std::string>& vars) {
    auto c = Condition::Parse(f.Value("when").Scalar());
    if (!c.ok()) return Error(f.Value("when"), f.Sub("when"), c.status().message());
    for (const auto& r : c->Refs()) CheckRef(f.Value("when"), f.Sub("when"), r, vars);
    s.when = *c;
  }

  void ParseKind(Fields& f, Step& s, std::set<std::string>& vars) {
    if (f.Has("authenticate")) {
      s.kind = StepKind::kAuthenticate;
      vars.insert("uid");
    } else if (f.Has("check")) {
      s.kind = StepKind::kCheck;
      s.expect = Expects(f.Value("check"), f.Sub("check"), vars);
      if (f.Has("expect"))
        Error(f.Value("expect"), f.Sub("expect"), "a check step has its expectations under check:");
    } else if (f.Has("cleanup")) {
      ParseCleanup(f.Value("cleanup"), f.Sub("cleanup"), s, vars);
    } else if (f.Has("call")) {
      ParseCall(f.Value("call"), f.Sub("call"), s, vars);
    } else {
      const bool sr = f.Has("search_read");
      ParseRead(f.Value(sr ? "search_read" : "read"), f.Sub(sr ? "search_read" : "read"), sr, s,
                vars);
    }
  }

  void ParseCleanup(const YAML::Node& c, const std::string& field, Step& s,
                    const std::set<std::string>& vars) {
    s.kind = StepKind::kCleanup;
    auto f = r_.Map(c, field, {"model", "ids"});
    if (!f) return;
    if (!f->Has("model") || !f->Has("ids")) {
      return Error(c, field,
                   "needs model and ids, e.g. {model: stock.picking, ids: \"${var.picking_ids}\"}");
    }
    s.model = f->Value("model").Scalar();
    s.cleanup_ids = YamlToJson(f->Value("ids"));
    CheckTemplates(f->Value("ids"), f->Sub("ids"), s.cleanup_ids, vars);
  }

  void ParseCall(const YAML::Node& c, const std::string& field, Step& s,
                 const std::set<std::string>& vars) {
    auto f = r_.Map(c, field, {"model", "method", "args", "kwargs", "context"});
    if (!f) return;
    if (!f->Has("model") || !f->Has("method")) Error(c, field, "needs model and method");
    s.model = f->Has("model") ? f->Value("model").Scalar() : "";
    s.method = f->Has("method") ? f->Value("method").Scalar() : "";
    if (f->Has("args")) {
      s.args = YamlToJson(f->Value("args"));
      if (!s.args.is_array())
        Error(f->Value("args"), f->Sub("args"), "must be a list (positional arguments)");
    }
    if (f->Has("kwargs")) {
      s.kwargs = YamlToJson(f->Value("kwargs"));
      if (!s.kwargs.is_object())
        Error(f->Value("kwargs"), f->Sub("kwargs"), "must be a mapping (keyword arguments)");
    }
    if (f->Has("context")) {
      s.context = YamlToJson(f->Value("context"));
      CheckContext(f->Value("context"), f->Sub("context"), s.context);
    }
    CheckTemplates(c, field, YamlToJson(c), vars);
  }

  // search_read: {model, domain, fields, ...} and read: {model, ids, fields}: shorthands of call.
  void ParseRead(const YAML::Node& c, const std::string& field, bool search, Step& s,
                 const std::set<std::string>& vars) {
    const std::vector<std::string> keys =
        search ? std::vector<std::string>{"model",  "domain", "fields", "limit",
                                          "offset", "order",  "context"}
               : std::vector<std::string>{"model", "ids", "fields", "context"};
    auto f = r_.Map(c, field, keys);
    if (!f) return;
    if (!f->Has("model")) Error(c, field, "needs model");
    s.model = f->Has("model") ? f->Value("model").Scalar() : "";
    s.method = search ? "search_read" : "read";
    json v = YamlToJson(c);
    s.args =
        json::array({search ? v.value("domain", json::array()) : v.value("ids", json::array())});
    if (search && !s.args[0].is_array() && !s.args[0].is_string())
      Error(f->Value("domain"), f->Sub("domain"), "must be a list of [field, operator, value]");
    for (const char* k : {"fields", "limit", "offset", "order"}) {
      if (v.contains(k)) s.kwargs[k] = v[k];
    }
    if (v.contains("limit") && !v["limit"].is_number_integer())
      Error(f->Value("limit"), f->Sub("limit"), "must be an integer");
    if (v.contains("fields") && !v["fields"].is_array())
      Error(f->Value("fields"), f->Sub("fields"), "must be a list of field names");
    if (v.contains("context")) {
      s.context = v["context"];
      CheckContext(f->Value("context"), f->Sub("context"), s.context);
    }
    CheckTemplates(c, field, v, vars);
  }

  // A context is a mapping, a template, or a list of them (merged in order).
  void CheckContext(const YAML::Node& at, const std::string& field, const json& context) {
    auto ok = [](const json& c) { return c.is_object() || c.is_string(); };
    bool good = ok(context);
    if (context.is_array()) good = std::all_of(context.begin(), context.end(), ok);
    if (!good) {
      Error(at, field,
            "must be a mapping, a template such as \"${var.action.context}\", or a list of them "
            "(merged in order)");
    }
  }

  void ParseRetry(const YAML::Node& node, const std::string& field, Step& s,
                  const std::set<std::string>& vars) {
    auto f = r_.Map(node, field, {"attempts", "interval", "expect"});
    if (!f) return;
    Step::Retry retry;
    retry.attempts = 3;
    if (f->Has("attempts")) {
      if (auto n = r_.Integer(f->Value("attempts"), f->Sub("attempts"), 1, 100))
        retry.attempts = static_cast<int>(*n);
    }
    if (auto d = f->Duration("interval", 1ms, 10min, "200ms")) retry.interval = *d;
    if (!f->Has("expect")) {
      Error(node, field, "needs expect: the condition to wait for");
    } else {
      retry.until = Expects(f->Value("expect"), f->Sub("expect"), vars);
    }
    s.retry = retry;
  }

  void ParseSave(const YAML::Node& sv, const std::string& field, Step& s,
                 std::set<std::string>& vars) {
    if (!sv.IsMap()) {
      return Error(sv, field, "must map variable names to JSON paths, e.g. {order_id: $}");
    }
    for (auto it = sv.begin(); it != sv.end(); ++it) {
      const std::string var = it->first.Scalar();
      auto p = it->second.IsScalar()
                   ? JsonPath::Parse(it->second.Scalar())
                   : Result<JsonPath>(Status::InvalidArgument("must be a JSON path string"));
      if (!p.ok()) {
        Error(it->second, field + "." + var, "malformed JSON path: " + p.status().message());
        vars.insert(var);  // defined anyway, so later uses do not repeat the error
        continue;
      }
      s.save.push_back({var, *p});
    }
  }

  void ParseOnAction(const YAML::Node& oa, const std::string& field, Step& s,
                     std::set<std::string>& vars) {
    if (!oa.IsMap()) return Error(oa, field, "must map an action's res_model (or \"*\") to steps");
    for (auto it = oa.begin(); it != oa.end(); ++it) {
      std::set<std::string> inner = vars;
      inner.insert("action");
      s.on_action[it->first.Scalar()] =
          ParseSteps(it->second, field + "." + it->first.Scalar(), inner);
      for (const auto& v : inner) {
        if (v != "action") vars.insert(v);
      }
    }
  }

  void ParseRecord(const YAML::Node& node, const std::string& field, Step& s,
                   const std::set<std::string>& vars) {
    auto f = r_.Map(node, field, {"model", "id"});
    if (!f) return;
    if (!f->Has("model") || !f->Has("id")) {
      return Error(node, field,
                   "needs model and id, e.g. {model: sale.order, id: \"${var.order_id}\"}");
    }
    s.record = Step::Record{f->Value("model").Scalar(), YamlToJson(f->Value("id"))};
    CheckTemplates(f->Value("id"), f->Sub("id"), s.record->id, vars);
  }

  std::optional<Journey> ParseJourney(const YAML::Node& root) {
    auto f = r_.Map(root, "",
                    {"name", "description", "service", "timeout", "requires", "params", "steps",
                     "compare", "stock"});
    if (!f) return std::nullopt;
    Journey j;
    j.file = r_.file();
    journey_ = &j;
    if (!f->Has("name") || !f->Value("name").IsScalar()) {
      Error(root, "name", "is required; name the journey (it becomes the metric label `journey`)");
    } else {
      j.name = f->Value("name").Scalar();
    }
    j.description = f->Has("description") ? f->Value("description").Scalar() : "";
    if (auto service = f->Text("service", "name the business service, e.g. order-to-cash")) {
      if (auto wrong = config::CheckServiceName(*service); !wrong.empty()) {
        Error(f->Value("service"), "service", wrong);
      } else {
        j.service = *service;
      }
    }
    if (auto d = f->Duration("timeout", 1ms, 1h, "45s")) j.timeout = *d;
    if (f->Has("requires")) ParseRequires(f->Value("requires"), j);
    if (f->Has("params")) ParseParams(f->Value("params"), j);
    if (!f->Has("steps")) {
      Error(root, "steps", "is required; a journey is a list of steps");
    } else {
      std::set<std::string> vars;
      j.steps = ParseSteps(f->Value("steps"), "steps", vars);
    }
    if (f->Has("compare")) ParseCompare(f->Value("compare"), j);
    if (f->Has("stock")) ParseStock(f->Value("stock"), j);
    for (auto& e : CheckHarm(j)) r_.errors().push_back(std::move(e));
    journey_ = nullptr;
    return j;
  }

  void ParseRequires(const YAML::Node& rs, Journey& j) {
    r_.Sequence(rs, "requires", "[{group: mrp.group_mrp_routings, setting: \"Work Orders\"}]",
                [&](const YAML::Node& item, const std::string& sub) {
                  auto f = r_.Map(item, sub, {"group", "setting"});
                  if (!f) return;
                  const std::string group = f->Has("group") ? f->Value("group").Scalar() : "";
                  if (group.find('.') == std::string::npos) {
                    return Error(item, f->Sub("group"),
                                 "needs the group's full external id, e.g. mrp.group_mrp_routings");
                  }
                  j.requirements.push_back(
                      {group, f->Has("setting") ? f->Value("setting").Scalar() : group});
                });
  }

  // `compare:` after the steps: each model must be one the journey registers records of
  // (record: {model, id}), as those are what `compare` reads.
  void ParseCompare(const YAML::Node& list, Journey& j) {
    std::set<std::string> registered;
    std::function<void(const Steps&)> collect = [&](const Steps& steps) {
      for (const auto& s : steps) {
        if (s.record) registered.insert(s.record->model);
        for (const auto& [m, sub] : s.on_action) collect(sub);
      }
    };
    collect(j.steps);
    r_.Sequence(
        list, "compare", "[{model: sale.order, field: amount_total, tolerance: 0.01}]",
        [&](const YAML::Node& item, const std::string& sub) {
          auto f = r_.Map(item, sub, {"model", "field", "tolerance", "pattern"});
          if (!f) return;
          CompareField c;
          c.pos = r_.Pos(item);
          const auto model = f->Text("model", "name the model of a record the journey creates");
          const auto field = f->Text("field", "name a field of that model, e.g. amount_total");
          if (!model || !field) {
            return Error(item, sub,
                         "needs model and field, e.g. {model: sale.order, field: state}");
          }
          if (!registered.count(*model)) {
            std::string known;
            for (const auto& m : registered) known += (known.empty() ? "" : ", ") + m;
            return Error(
                f->Value("model"), f->Sub("model"),
                "no step registers a " + *model +
                    " record (record: {model, id}), and compare reads only those; " +
                    (known.empty() ? "this journey registers none" : "it registers " + known));
          }
          c.model = *model;
          c.field = *field;
          if (!CompareTolerance(*f, c) || !ComparePattern(*f, c)) return;
          if (!c.pattern.empty() && f->Has("tolerance")) {
            return Error(item, sub, "takes tolerance (numbers) or pattern (text), not both");
          }
          j.compare.push_back(std::move(c));
        });
  }

  // A compare entry's tolerance: an absolute difference (0.01) or a percentage (0.5%).
  bool CompareTolerance(YamlReader::Fields& f, CompareField& c) {
    if (!f.Has("tolerance")) return true;
    std::string t = f.Value("tolerance").Scalar();
    c.relative = !t.empty() && t.back() == '%';
    if (c.relative) t.pop_back();
    char* end = nullptr;
    const double v = std::strtod(t.c_str(), &end);
    if (t.empty() || end != t.c_str() + t.size() || !(v >= 0)) {
      Error(f.Value("tolerance"), f.Sub("tolerance"),
            "must be a number (an absolute difference, e.g. 0.01) or a percentage (e.g. 0.5%)");
      return false;
    }
    c.tolerance = c.relative ? v / 100.0 : v;
    return true;
  }

  // A compare entry's pattern: a regular expression the text values must match.
  bool ComparePattern(YamlReader::Fields& f, CompareField& c) {
    auto pattern = f.Text("pattern", "a regular expression, e.g. \"^INV/\\d{4}/\"");
    if (!pattern) return true;
    try {
      std::regex check(*pattern);
    } catch (const std::regex_error& e) {
      Error(f.Value("pattern"), f.Sub("pattern"),
            std::string("is not a valid regular expression: ") + e.what());
      return false;
    }
    c.pattern = *pattern;
    return true;
  }

  // `stock:` after the params: each entry names a parameter the journey declares.
  void ParseStock(const YAML::Node& list, Journey& j) {
    static const std::map<std::string, StockUse::Effect> kEffects = {
        {"receipt", StockUse::Effect::kReceipt},
        {"delivery", StockUse::Effect::kDelivery},
        {"production", StockUse::Effect::kProduction}};
    r_.Sequence(
        list, "stock", "[{param: product_code, effect: receipt}]",
        [&](const YAML::Node& item, const std::string& sub) {
          auto f = r_.Map(item, sub, {"param", "field", "effect"});
          if (!f) return;
          StockUse use;
          use.pos = r_.Pos(item);
          const auto param = f->Text("param", "name the parameter that names the product", true);
          const auto effect =
              f->Text("effect", "receipt, delivery or production (what the journey does)", true);
          if (auto field = f->Text("field", "a product.product field, e.g. default_code")) {
            use.field = *field;
          }
          f->Done(item);
          if (param && !j.FindParam(*param)) {
            std::vector<std::string> known;
            for (const auto& p : j.params) known.push_back(p.name);
            return Error(f->Value("param"), f->Sub("param"),
                         "the journey has no parameter '" + *param + "'" +
                             (known.empty() ? "; declare it under params:"
                                            : "; it has " + prober::Join(known)));
          }
          auto e = effect ? kEffects.find(*effect) : kEffects.end();
          if (effect && e == kEffects.end()) {
            return Error(f->Value("effect"), f->Sub("effect"),
                         "must be receipt (goods received into stock), delivery (an order that "
                         "reserves stock) or production (a manufacturing order)");
          }
          if (!param || !effect) return;
          use.param = *param;
          use.effect = e->second;
          j.stock.push_back(std::move(use));
        });
  }

  void ParseParams(const YAML::Node& ps, Journey& j) {
    if (!ps.IsMap()) {
      return Error(ps, "params",
                   "must map parameter names to {default, type, required, description}");
    }
    for (auto it = ps.begin(); it != ps.end(); ++it) {
      Param p;
      p.name = it->first.Scalar();
      const YAML::Node v = it->second;
      const std::string sub = "params." + p.name;
      if (v.IsMap()) {
        auto f = r_.Map(v, sub, {"default", "type", "required", "description"});
        if (!f) continue;
        if (f->Has("default")) p.default_value = YamlToJson(f->Value("default"));
        if (f->Has("type")) p.type = f->Value("type").Scalar();
        if (f->Has("required")) p.required = YamlToJson(f->Value("required")) == true;
        if (f->Has("description")) p.description = f->Value("description").Scalar();
      } else {
        p.default_value = YamlToJson(v);
      }
      static const std::vector<std::string> kTypes = {"string",  "integer", "number",
                                                      "boolean", "list",    "any"};
      if (std::find(kTypes.begin(), kTypes.end(), p.type) == kTypes.end()) {
        Error(v["type"], sub + ".type",
              "must be one of string, integer, number, boolean, list, any");
      } else if (!p.default_value.is_null() && !TypeMatches(p.type, p.default_value)) {
        Error(v["default"] ? v["default"] : v, sub + ".default", "is not of type " + p.type);
      }
      j.params.push_back(p);
    }
  }

  // One recipe of cleanup.yaml.
  std::optional<CleanupRecipe> ParseRecipe(const std::string& model, const YAML::Node& node) {
    const std::string field = "recipes." + model;
    auto f = r_.Map(node, field, {"ref_field", "final_states", "steps", "verify"});
    if (!f) return std::nullopt;
    CleanupRecipe r;
    r.model = model;
    r.ref_field = f->Has("ref_field") ? f->Value("ref_field").Scalar() : "";
    const json finals = f->Has("final_states") ? YamlToJson(f->Value("final_states")) : json();
    for (const auto& state : finals.is_array() ? finals : json::array()) {
      if (state.is_string()) r.final_states.push_back(state.get<std::string>());
    }
    if (r.final_states.empty() || r.final_states.size() != finals.size()) {
      Error(f->Has("final_states") ? f->Value("final_states") : node, f->Sub("final_states"),
            "is required: the list of states in which the record needs nothing more "
            "(e.g. [cancel]); the cleanup reads the record back and checks it");
    }
    std::set<std::string> vars = {"record_id", "record"};
    r.steps = ParseSteps(f->Value("steps"), f->Sub("steps"), vars);
    if (f->Has("verify")) {
      vars.insert("final");
      r.verify = ParseSteps(f->Value("verify"), f->Sub("verify"), vars);
    }
    return r;
  }

 private:
  YamlReader r_;
  const Journey* journey_ = nullptr;
};

Status Joined(const std::vector<JourneyError>& errors) {
  return Status::InvalidArgument(
      prober::JoinEach(errors, "\n", [](const JourneyError& e) { return e.ToString(); }));
}

std::optional<YAML::Node> LoadYaml(const std::string& text, const std::string& file,
                                   std::vector<JourneyError>& errors) {
  try {
    return config::LoadUtf8(text);
  } catch (const config::NotUtf8& e) {
    errors.push_back({{file, e.mark.line + 1, e.mark.column + 1}, "", e.msg});
    return std::nullopt;
  } catch (const YAML::Exception& e) {
    errors.push_back(
        {{file, e.mark.line + 1, e.mark.column + 1}, "", "YAML syntax error: " + e.msg});
    return std::nullopt;
  }
}

}  // namespace

Result<Journey> ParseJourney(const std::string& text, const std::string& file) {
  Parser p(file);
  auto root = LoadYaml(text, file, p.errors());
  if (!root) return Joined(p.errors());
  std::optional<Journey> j;
  try {
    j = p.ParseJourney(*root);
  } catch (const YAML::Exception& e) {
    p.errors().push_back({{file, e.mark.line + 1, e.mark.column + 1},
                          "",
                          std::string("unexpected YAML: ") + e.what()});
  }
  if (!p.errors().empty() || !j) return Joined(p.errors());
  return *j;
}

Result<std::map<std::string, CleanupRecipe>> ParseRecipes(const std::string& text,
                                                          const std::string& file) {
  Parser p(file);
  auto root = LoadYaml(text, file, p.errors());
  if (!root) return Joined(p.errors());
  std::map<std::string, CleanupRecipe> out;
  try {
    auto top = p.reader().Map(*root, "", {"recipes"});
    const YAML::Node recipes = top ? top->Value("recipes") : YAML::Node();
    if (recipes.IsMap()) {
      for (auto it = recipes.begin(); it != recipes.end(); ++it) {
        if (auto r = p.ParseRecipe(it->first.Scalar(), it->second)) out[r->model] = std::move(*r);
      }
    }
  } catch (const YAML::Exception& e) {
    p.errors().push_back({{file, e.mark.line + 1, e.mark.column + 1},
                          "",
                          std::string("unexpected YAML: ") + e.what()});
  }
  if (!p.errors().empty()) return Joined(p.errors());
  return out;
}

std::vector<JourneyError> CheckParams(const Journey& journey, const json& given,
                                      const SourcePos& where, const std::string& field) {
  std::vector<JourneyError> errors;
  if (!given.is_null() && !given.is_object()) {
    errors.push_back({where, field, "params must be a mapping of parameter: value"});
    return errors;
  }
  std::vector<std::string> known;
  for (const auto& p : journey.params) known.push_back(p.name);
  for (auto it = given.begin(); given.is_object() && it != given.end(); ++it) {
    const Param* p = journey.FindParam(it.key());
    if (!p) {
      auto guess = Closest(it.key(), known);
      errors.push_back({where, field + "." + it.key(),
                        "journey " + journey.name + " has no parameter '" + it.key() + "'" +
                            (guess ? "; did you mean '" + *guess + "'?" : "")});
    } else if (!TypeMatches(p->type, it.value())) {
      errors.push_back({where, field + "." + it.key(),
                        "must be of type " + p->type + " (journey " + journey.name + ")"});
    }
  }
  for (const auto& p : journey.params) {
    if (p.required && p.default_value.is_null() && !(given.is_object() && given.contains(p.name))) {
      errors.push_back({where, field + "." + p.name,
                        "journey " + journey.name + " requires parameter '" + p.name + "'" +
                            (p.description.empty() ? "" : " (" + p.description + ")") +
                            "; set it under params:"});
    }
  }
  return errors;
}

}  // namespace odoo_prober::scenarios

namespace odoo_prober::scenarios {

// Defined in the generated builtin_journeys.cc: file name -> YAML text.
const std::vector<std::pair<std::string, std::string>>& BuiltinJourneyFiles();

namespace {

// Collects the problems of a load, one per line.
class Problems {
 public:
  void Add(const Status& st) { text_ += (text_.empty() ? "" : "\n") + st.message(); }
  bool empty() const { return text_.empty(); }
  Status status() const { return Status::InvalidArgument(text_); }

 private:
  std::string text_;
};

// The built-in journeys and the cleanup recipes.
void LoadBuiltins(Catalog& catalog, Problems& problems) {
  for (const auto& [name, text] : BuiltinJourneyFiles()) {
    const std::string file = "<built-in>/" + name;
    if (name == "cleanup.yaml") {
      auto recipes = ParseRecipes(text, file);
      if (!recipes.ok())
        problems.Add(recipes.status());
      else
        catalog.recipes = std::move(*recipes);
      continue;
    }
    auto j = ParseJourney(text, file);
    if (!j.ok()) {
      problems.Add(j.status());
      continue;
    }
    j->builtin = true;
    catalog.journeys.push_back(std::move(*j));
  }
}

// The *.yaml and *.yml files of a folder (not folders named so), sorted.
std::vector<std::filesystem::path> JourneyFiles(const std::string& dir, Problems& problems) {
  std::error_code ec;
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    const auto ext = entry.path().extension();
    std::error_code kind;
    if ((ext == ".yaml" || ext == ".yml") && !entry.is_directory(kind))
      files.push_back(entry.path());
  }
  if (ec) {
    problems.Add(
        Status::InvalidArgument(dir + ": cannot read the journey folder: " + ec.message()));
    return {};
  }
  std::sort(files.begin(), files.end());
  return files;
}

// A user journey file: it replaces a built-in journey of the same name; two user files may not
// define one name.
void LoadUserJourney(const std::filesystem::path& path, Catalog& catalog, Problems& problems) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  auto j = ParseJourney(text.str(), path.string());
  if (!j.ok()) return problems.Add(j.status());
  auto same = std::find_if(catalog.journeys.begin(), catalog.journeys.end(),
                           [&](const Journey& x) { return x.name == j->name; });
  if (same != catalog.journeys.end() && !same->builtin) {
    return problems.Add(Status::InvalidArgument(path.string() + ":1:1: name: journey '" + j->name +
                                                "' is also defined in " + same->file +
                                                "; rename one"));
  }
  if (same != catalog.journeys.end()) catalog.journeys.erase(same);
  catalog.journeys.push_back(std::move(*j));
}

// Every record a journey registers, and every model a cleanup step names, needs a recipe.
void CheckRecipes(const Catalog& catalog, Problems& problems) {
  std::function<void(const Steps&)> walk = [&](const Steps& steps) {
    for (const auto& s : steps) {
      if (s.record && !catalog.recipes.count(s.record->model)) {
        problems.Add(Status::InvalidArgument(
            s.pos.ToString() + ": record: no cleanup recipe for model " + s.record->model));
      }
      if (s.kind == StepKind::kCleanup && !catalog.recipes.count(s.model)) {
        problems.Add(Status::InvalidArgument(s.pos.ToString() +
                                             ": cleanup: no cleanup recipe for model " + s.model));
      }
      for (const auto& [m, inner] : s.on_action) walk(inner);
    }
  };
  for (const auto& j : catalog.journeys) walk(j.steps);
  for (const auto& [model, recipe] : catalog.recipes) {
    walk(recipe.steps);
    walk(recipe.verify);
  }
}

}  // namespace

Result<Catalog> LoadJourneys(const std::vector<std::string>& dirs) {
  Catalog catalog;
  Problems problems;
  LoadBuiltins(catalog, problems);
  for (const auto& dir : dirs) {
    for (const auto& path : JourneyFiles(dir, problems)) LoadUserJourney(path, catalog, problems);
  }
  if (!problems.empty()) return problems.status();
  CheckRecipes(catalog, problems);
  if (!problems.empty()) return problems.status();
  return catalog;
}

}  // namespace odoo_prober::scenarios
