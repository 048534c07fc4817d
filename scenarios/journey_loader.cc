// YAML journey files -> Journey values, with every problem reported (file:line:column, field,
// how to fix it). Variables are checked in step order: a template may only use a variable an
// earlier step saved.
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>

#include "config/config.h"
#include "config/yaml_util.h"
#include "prober/text.h"
#include "scenarios/journey.h"

namespace odoo_prober::scenarios {

using config::Closest;
using config::PosOf;
using config::YamlToJson;
using prober::Result;
using prober::Status;

const Param* Journey::FindParam(const std::string& n) const {
  for (const auto& p : params) {
    if (p.name == n) return &p;
  }
  return nullptr;
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
    "name",        "authenticate", "call",      "search_read", "read",
    "check",       "cleanup",      "save",      "expect",      "timeout",
    "retry_until", "when",         "on_action", "record",      "description"};
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

class Parser {
 public:
  explicit Parser(std::string file) : file_(std::move(file)) {}

  std::vector<JourneyError>& errors() { return errors_; }

  void Error(const YAML::Node& at, const std::string& field, const std::string& message) {
    errors_.push_back({PosOf(at, file_), field, message});
  }

  // Map entries with unknown keys reported (with a did-you-mean).
  bool CheckKeys(const YAML::Node& node, const std::string& field,
                 const std::vector<std::string>& known) {
    if (!node.IsMap()) {
      Error(node, field, "must be a mapping (key: value)");
      return false;
    }
    unknown_keys_ = false;
    for (auto it = node.begin(); it != node.end(); ++it) {
      const std::string key = it->first.Scalar();
      if (std::find(known.begin(), known.end(), key) == known.end()) {
        unknown_keys_ = true;
        auto guess = Closest(key, known);
        const std::string all = prober::Join(known);
        Error(it->first, field + "." + key,
              "unknown key; " +
                  (guess ? "did you mean '" + *guess + "'?" : "expected one of: " + all));
      }
    }
    return true;
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

  // A context is a mapping, a template, or a list of them (merged in order).
  void CheckContext(const YAML::Node& at, const std::string& field, const json& context) {
    auto ok = [](const json& c) { return c.is_object() || c.is_string(); };
    bool good = ok(context);
    if (context.is_array()) {
      good = true;
      for (const auto& c : context) good = good && ok(c);
    }
    if (!good) {
      Error(at, field,
            "must be a mapping, a template such as \"${var.action.context}\", or a list of them "
            "(merged in order)");
    }
  }

  std::optional<std::chrono::milliseconds> Duration(const YAML::Node& node,
                                                    const std::string& field) {
    auto d = node.IsScalar() ? config::ParseDuration(node.Scalar()) : std::nullopt;
    if (!d || d->count() <= 0) {
      Error(node, field, "must be a duration such as 500ms, 10s or 2m");
      return std::nullopt;
    }
    return d;
  }

  std::vector<Expectation> Expects(const YAML::Node& node, const std::string& field,
                                   const std::set<std::string>& vars) {
    std::vector<Expectation> out;
    if (!node.IsSequence()) {
      Error(node, field, "must be a list, e.g. [{path: \"$[0].state\", equals: sale}, {count: 1}]");
      return out;
    }
    for (size_t i = 0; i < node.size(); ++i) {
      const YAML::Node& e = node[i];
      const std::string sub = field + "[" + std::to_string(i) + "]";
      std::vector<std::string> keys = kExpectOps;
      keys.push_back("path");
      keys.push_back("var");
      if (!CheckKeys(e, sub, keys)) continue;
      Expectation x;
      x.pos = PosOf(e, file_);
      x.text = YamlToJson(e).dump();
      int ops = 0;
      for (size_t k = 0; k < kExpectOps.size(); ++k) {
        if (!e[kExpectOps[k]]) continue;
        ++ops;
        x.op = static_cast<Expectation::Op>(k);
        x.value = YamlToJson(e[kExpectOps[k]]);
        CheckTemplates(e[kExpectOps[k]], sub + "." + kExpectOps[k], x.value, vars);
      }
      if (ops != 1) {
        Error(e, sub,
              "needs exactly one of equals, not_equals, in, gt, ge, lt, le, count, not_empty");
        continue;
      }
      if (x.op == Expectation::Op::kIn && !x.value.is_array())
        Error(e, sub + ".in", "must be a list");
      if (x.op == Expectation::Op::kCount && !x.value.is_number_integer())
        Error(e, sub + ".count", "must be an integer");
      if (e["path"]) {
        auto p = JsonPath::Parse(e["path"].Scalar());
        if (!p.ok()) {
          Error(e["path"], sub + ".path", "malformed JSON path: " + p.status().message());
        } else {
          x.path = *p;
        }
      }
      if (e["var"]) {
        x.var = e["var"].Scalar();
        CheckRef(e["var"], sub + ".var", {"var", x.var.substr(0, x.var.find('.'))}, vars);
      }
      out.push_back(std::move(x));
    }
    return out;
  }

  Steps ParseSteps(const YAML::Node& node, const std::string& field, std::set<std::string>& vars) {
    Steps steps;
    if (!node.IsSequence()) {
      Error(node, field, "must be a list of steps (- name: ..., call: {...})");
      return steps;
    }
    std::set<std::string> names;
    for (size_t i = 0; i < node.size(); ++i) {
      const std::string sub = field + "[" + std::to_string(i) + "]";
      auto step = ParseStep(node[i], sub, vars);
      if (!step) continue;
      if (!names.insert(step->name).second)
        Error(node[i], sub + ".name", "step '" + step->name + "' is defined twice");
      steps.push_back(std::move(*step));
    }
    return steps;
  }

  std::optional<Step> ParseStep(const YAML::Node& node, const std::string& field,
                                std::set<std::string>& vars) {
    if (!CheckKeys(node, field, kStepKeys)) return std::nullopt;
    Step s;
    s.pos = PosOf(node, file_);
    if (!node["name"] || !node["name"].IsScalar()) {
      Error(node, field + ".name",
            "is required; give every step a short name (it becomes the metric label `step`)");
    } else {
      s.name = node["name"].Scalar();
    }
    int kinds = 0;
    for (const auto& k : kStepKinds) kinds += node[k] ? 1 : 0;
    if (kinds == 0 && unknown_keys_) return std::nullopt;  // a misspelt kind, already reported
    if (kinds != 1) {
      Error(node, field,
            std::string(kinds == 0 ? "has no step kind" : "has more than one step kind") +
                "; use one of authenticate, call, search_read, read, check, cleanup");
      return std::nullopt;
    }
    if (node["when"]) {
      auto c = Condition::Parse(node["when"].Scalar());
      if (!c.ok()) {
        Error(node["when"], field + ".when", c.status().message());
      } else {
        for (const auto& r : c->Refs()) CheckRef(node["when"], field + ".when", r, vars);
        s.when = *c;
      }
    }
    if (node["authenticate"]) {
      s.kind = StepKind::kAuthenticate;
      vars.insert("uid");
    } else if (node["check"]) {
      s.kind = StepKind::kCheck;
      s.expect = Expects(node["check"], field + ".check", vars);
      if (node["expect"])
        Error(node["expect"], field + ".expect", "a check step has its expectations under check:");
    } else if (node["cleanup"]) {
      s.kind = StepKind::kCleanup;
      const YAML::Node c = node["cleanup"];
      if (CheckKeys(c, field + ".cleanup", {"model", "ids"})) {
        if (!c["model"] || !c["ids"]) {
          Error(c, field + ".cleanup",
                "needs model and ids, e.g. {model: stock.picking, ids: \"${var.picking_ids}\"}");
        } else {
          s.model = c["model"].Scalar();
          s.cleanup_ids = YamlToJson(c["ids"]);
          CheckTemplates(c["ids"], field + ".cleanup.ids", s.cleanup_ids, vars);
        }
      }
    } else if (node["call"]) {
      const YAML::Node c = node["call"];
      if (CheckKeys(c, field + ".call", {"model", "method", "args", "kwargs", "context"})) {
        if (!c["model"] || !c["method"]) Error(c, field + ".call", "needs model and method");
        s.model = c["model"] ? c["model"].Scalar() : "";
        s.method = c["method"] ? c["method"].Scalar() : "";
        if (c["args"]) {
          s.args = YamlToJson(c["args"]);
          if (!s.args.is_array())
            Error(c["args"], field + ".call.args", "must be a list (positional arguments)");
        }
        if (c["kwargs"]) {
          s.kwargs = YamlToJson(c["kwargs"]);
          if (!s.kwargs.is_object())
            Error(c["kwargs"], field + ".call.kwargs", "must be a mapping (keyword arguments)");
        }
        if (c["context"]) {
          s.context = YamlToJson(c["context"]);
          CheckContext(c["context"], field + ".call.context", s.context);
        }
        CheckTemplates(c, field + ".call", YamlToJson(c), vars);
      }
    } else {
      const bool sr = static_cast<bool>(node["search_read"]);
      const YAML::Node c = sr ? node["search_read"] : node["read"];
      const std::string sub = field + (sr ? ".search_read" : ".read");
      const std::vector<std::string> keys =
          sr ? std::vector<std::string>{"model",  "domain", "fields", "limit",
                                        "offset", "order",  "context"}
             : std::vector<std::string>{"model", "ids", "fields", "context"};
      if (CheckKeys(c, sub, keys)) {
        if (!c["model"]) Error(c, sub, "needs model");
        s.model = c["model"] ? c["model"].Scalar() : "";
        s.method = sr ? "search_read" : "read";
        json v = YamlToJson(c);
        s.args =
            json::array({sr ? v.value("domain", json::array()) : v.value("ids", json::array())});
        if (sr && !s.args[0].is_array() && !s.args[0].is_string())
          Error(c["domain"], sub + ".domain", "must be a list of [field, operator, value]");
        for (const char* k : {"fields", "limit", "offset", "order"}) {
          if (v.contains(k)) s.kwargs[k] = v[k];
        }
        if (v.contains("limit") && !v["limit"].is_number_integer())
          Error(c["limit"], sub + ".limit", "must be an integer");
        if (v.contains("fields") && !v["fields"].is_array())
          Error(c["fields"], sub + ".fields", "must be a list of field names");
        if (v.contains("context")) {
          s.context = v["context"];
          CheckContext(c["context"], sub + ".context", s.context);
        }
        CheckTemplates(c, sub, v, vars);
      }
    }
    if (node["timeout"]) s.timeout = Duration(node["timeout"], field + ".timeout");
    if (node["expect"]) s.expect = Expects(node["expect"], field + ".expect", vars);
    if (node["retry_until"]) {
      const YAML::Node r = node["retry_until"];
      if (CheckKeys(r, field + ".retry_until", {"attempts", "interval", "expect"})) {
        Step::Retry retry;
        const json attempts = r["attempts"] ? YamlToJson(r["attempts"]) : json(3);
        if (!attempts.is_number_integer() || attempts.get<int>() < 1 || attempts.get<int>() > 100) {
          Error(r["attempts"] ? r["attempts"] : r, field + ".retry_until.attempts",
                "must be an integer from 1 to 100");
        } else {
          retry.attempts = attempts.get<int>();
        }
        if (r["interval"]) {
          if (auto d = Duration(r["interval"], field + ".retry_until.interval"))
            retry.interval = *d;
        }
        if (!r["expect"]) {
          Error(r, field + ".retry_until", "needs expect: the condition to wait for");
        } else {
          retry.until = Expects(r["expect"], field + ".retry_until.expect", vars);
        }
        s.retry = retry;
      }
    }
    if (node["save"]) {
      const YAML::Node sv = node["save"];
      if (!sv.IsMap()) {
        Error(sv, field + ".save", "must map variable names to JSON paths, e.g. {order_id: $}");
      } else {
        for (auto it = sv.begin(); it != sv.end(); ++it) {
          const std::string var = it->first.Scalar();
          auto p = it->second.IsScalar()
                       ? JsonPath::Parse(it->second.Scalar())
                       : Result<JsonPath>(Status::InvalidArgument("must be a JSON path string"));
          if (!p.ok()) {
            Error(it->second, field + ".save." + var,
                  "malformed JSON path: " + p.status().message());
            vars.insert(var);  // defined anyway, so later uses do not repeat the error
            continue;
          }
          s.save.push_back({var, *p});
        }
      }
    }
    if (node["on_action"]) {
      const YAML::Node oa = node["on_action"];
      if (!oa.IsMap()) {
        Error(oa, field + ".on_action", "must map an action's res_model (or \"*\") to steps");
      } else {
        for (auto it = oa.begin(); it != oa.end(); ++it) {
          std::set<std::string> inner = vars;
          inner.insert("action");
          s.on_action[it->first.Scalar()] =
              ParseSteps(it->second, field + ".on_action." + it->first.Scalar(), inner);
          for (const auto& v : inner) {
            if (v != "action") vars.insert(v);
          }
        }
      }
    }
    // Saved variables exist after this step (and in its record).
    for (const auto& [var, p] : s.save) vars.insert(var);
    if (node["record"]) {
      const YAML::Node r = node["record"];
      if (CheckKeys(r, field + ".record", {"model", "id"})) {
        if (!r["model"] || !r["id"]) {
          Error(r, field + ".record",
                "needs model and id, e.g. {model: sale.order, id: \"${var.order_id}\"}");
        } else {
          s.record = Step::Record{r["model"].Scalar(), YamlToJson(r["id"])};
          CheckTemplates(r["id"], field + ".record.id", s.record->id, vars);
        }
      }
    }
    return s;
  }

  std::optional<Journey> ParseJourney(const YAML::Node& root) {
    if (!CheckKeys(root, "", {"name", "description", "timeout", "requires", "params", "steps"}))
      return std::nullopt;
    Journey j;
    j.file = file_;
    journey_ = &j;
    if (!root["name"] || !root["name"].IsScalar()) {
      Error(root, "name", "is required; name the journey (it becomes the metric label `journey`)");
    } else {
      j.name = root["name"].Scalar();
    }
    j.description = root["description"] ? root["description"].Scalar() : "";
    if (root["timeout"]) {
      if (auto d = Duration(root["timeout"], "timeout")) j.timeout = *d;
    }
    if (root["requires"]) {
      const YAML::Node rs = root["requires"];
      if (!rs.IsSequence()) {
        Error(rs, "requires",
              "must be a list of {group: module.xml_id, setting: where to turn it on}");
      } else {
        for (size_t i = 0; i < rs.size(); ++i) {
          const std::string sub = "requires[" + std::to_string(i) + "]";
          if (!CheckKeys(rs[i], sub, {"group", "setting"})) continue;
          const std::string group = rs[i]["group"] ? rs[i]["group"].Scalar() : "";
          if (group.find('.') == std::string::npos) {
            Error(rs[i], sub + ".group",
                  "needs the group's full external id, e.g. mrp.group_mrp_routings");
            continue;
          }
          j.requirements.push_back({group, rs[i]["setting"] ? rs[i]["setting"].Scalar() : group});
        }
      }
    }
    if (root["params"]) {
      const YAML::Node ps = root["params"];
      if (!ps.IsMap()) {
        Error(ps, "params", "must map parameter names to {default, type, required, description}");
      } else {
        for (auto it = ps.begin(); it != ps.end(); ++it) {
          Param p;
          p.name = it->first.Scalar();
          const std::string sub = "params." + p.name;
          const YAML::Node v = it->second;
          if (v.IsMap()) {
            if (!CheckKeys(v, sub, {"default", "type", "required", "description"})) continue;
            if (v["default"]) p.default_value = YamlToJson(v["default"]);
            if (v["type"]) p.type = v["type"].Scalar();
            if (v["required"]) p.required = YamlToJson(v["required"]) == true;
            if (v["description"]) p.description = v["description"].Scalar();
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
    }
    if (!root["steps"]) {
      Error(root, "steps", "is required; a journey is a list of steps");
    } else {
      std::set<std::string> vars;
      j.steps = ParseSteps(root["steps"], "steps", vars);
    }
    journey_ = nullptr;
    return j;
  }

 private:
  std::string file_;
  std::vector<JourneyError> errors_;
  const Journey* journey_ = nullptr;
  bool unknown_keys_ = false;  // the last CheckKeys() found unknown keys
};

Status Joined(const std::vector<JourneyError>& errors) {
  return Status::InvalidArgument(
      prober::JoinEach(errors, "\n", [](const JourneyError& e) { return e.ToString(); }));
}

std::optional<YAML::Node> LoadYaml(const std::string& text, const std::string& file,
                                   std::vector<JourneyError>& errors) {
  try {
    return YAML::Load(text);
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
    if (p.CheckKeys(*root, "", {"recipes"}) && (*root)["recipes"].IsMap()) {
      for (auto it = (*root)["recipes"].begin(); it != (*root)["recipes"].end(); ++it) {
        CleanupRecipe r;
        r.model = it->first.Scalar();
        const std::string field = "recipes." + r.model;
        const YAML::Node node = it->second;
        if (!p.CheckKeys(node, field, {"ref_field", "final_states", "steps", "verify"})) continue;
        r.ref_field = node["ref_field"] ? node["ref_field"].Scalar() : "";
        const json finals = node["final_states"] ? YamlToJson(node["final_states"]) : json();
        for (const auto& s : finals.is_array() ? finals : json::array()) {
          if (s.is_string()) r.final_states.push_back(s.get<std::string>());
        }
        if (r.final_states.empty() || r.final_states.size() != finals.size()) {
          p.Error(node["final_states"] ? node["final_states"] : node, field + ".final_states",
                  "is required: the list of states in which the record needs nothing more "
                  "(e.g. [cancel]); the cleanup reads the record back and checks it");
        }
        std::set<std::string> vars = {"record_id", "record"};
        r.steps = p.ParseSteps(node["steps"], field + ".steps", vars);
        if (node["verify"]) {
          vars.insert("final");
          r.verify = p.ParseSteps(node["verify"], field + ".verify", vars);
        }
        out[r.model] = std::move(r);
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

Result<Catalog> LoadJourneys(const std::vector<std::string>& dirs) {
  Catalog catalog;
  std::string errors;
  auto add_error = [&](const Status& st) { errors += (errors.empty() ? "" : "\n") + st.message(); };
  for (const auto& [name, text] : BuiltinJourneyFiles()) {
    const std::string file = "<built-in>/" + name;
    if (name == "cleanup.yaml") {
      auto recipes = ParseRecipes(text, file);
      if (!recipes.ok())
        add_error(recipes.status());
      else
        catalog.recipes = std::move(*recipes);
      continue;
    }
    auto j = ParseJourney(text, file);
    if (!j.ok()) {
      add_error(j.status());
      continue;
    }
    j->builtin = true;
    catalog.journeys.push_back(std::move(*j));
  }
  for (const auto& dir : dirs) {
    std::error_code ec;
    std::vector<std::filesystem::path> files;
    for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
      const auto ext = entry.path().extension();
      if (ext == ".yaml" || ext == ".yml") files.push_back(entry.path());
    }
    if (ec) {
      add_error(Status::InvalidArgument(dir + ": cannot read the journey folder: " + ec.message()));
      continue;
    }
    std::sort(files.begin(), files.end());
    for (const auto& path : files) {
      std::ifstream in(path);
      std::stringstream text;
      text << in.rdbuf();
      auto j = ParseJourney(text.str(), path.string());
      if (!j.ok()) {
        add_error(j.status());
        continue;
      }
      // A user journey replaces a built-in one of the same name; two user files may not clash.
      auto same = std::find_if(catalog.journeys.begin(), catalog.journeys.end(),
                               [&](const Journey& x) { return x.name == j->name; });
      if (same != catalog.journeys.end() && !same->builtin) {
        add_error(Status::InvalidArgument(path.string() + ":1:1: name: journey '" + j->name +
                                          "' is also defined in " + same->file + "; rename one"));
        continue;
      }
      if (same != catalog.journeys.end()) catalog.journeys.erase(same);
      catalog.journeys.push_back(std::move(*j));
    }
  }
  if (!errors.empty()) return Status::InvalidArgument(errors);
  // Every record a journey registers, and every model a cleanup step names, needs a recipe.
  std::function<void(const Steps&)> walk = [&](const Steps& steps) {
    for (const auto& s : steps) {
      if (s.record && !catalog.recipes.count(s.record->model)) {
        add_error(Status::InvalidArgument(
            s.pos.ToString() + ": record: no cleanup recipe for model " + s.record->model));
      }
      if (s.kind == StepKind::kCleanup && !catalog.recipes.count(s.model)) {
        add_error(Status::InvalidArgument(s.pos.ToString() +
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
  if (!errors.empty()) return Status::InvalidArgument(errors);
  return catalog;
}

}  // namespace odoo_prober::scenarios
