#include "scenarios/expr.h"

#include <algorithm>
#include <cctype>
#include <functional>
#include <sstream>

#include "prober/text.h"

namespace odoo_prober::scenarios {

using prober::Result;
using prober::Status;

Result<JsonPath> JsonPath::Parse(const std::string& text) {
  JsonPath p;
  p.text_ = text;
  if (text.empty() || text[0] != '$') {
    return Status::InvalidArgument("a JSON path starts with '$' (e.g. $[0].id)");
  }
  size_t i = 1;
  while (i < text.size()) {
    if (text[i] == '.') {
      size_t j = i + 1;
      while (j < text.size() &&
             (std::isalnum(static_cast<unsigned char>(text[j])) || text[j] == '_'))
        ++j;
      if (j == i + 1)
        return Status::InvalidArgument("expected a field name after '.' at position " +
                                       std::to_string(i + 1));
      p.parts_.push_back({text.substr(i + 1, j - i - 1), -1});
      i = j;
    } else if (text[i] == '[') {
      size_t j = i + 1;
      while (j < text.size() && std::isdigit(static_cast<unsigned char>(text[j]))) ++j;
      if (j == i + 1 || j >= text.size() || text[j] != ']') {
        return Status::InvalidArgument("expected [<index>] at position " + std::to_string(i + 1));
      }
      if (j - i - 1 > 9) {
        return Status::InvalidArgument("index at position " + std::to_string(i + 1) +
                                       " has more than 9 digits");
      }
      p.parts_.push_back({"", std::stol(text.substr(i + 1, j - i - 1))});
      i = j + 1;
    } else {
      return Status::InvalidArgument("unexpected '" + std::string(1, text[i]) + "' at position " +
                                     std::to_string(i + 1) + "; use .field or [index]");
    }
  }
  return p;
}

const json* JsonPath::Find(const json& root) const {
  const json* cur = &root;
  for (const auto& part : parts_) {
    if (part.index < 0) {
      if (!cur->is_object() || !cur->contains(part.key)) return nullptr;
      cur = &(*cur)[part.key];
    } else {
      const size_t idx = static_cast<size_t>(part.index);
      if (!cur->is_array() || idx >= cur->size()) return nullptr;
      cur = &(*cur)[idx];
    }
  }
  return cur;
}

namespace {

// Splits "var.a.b" into ("var", ["a", "b"]).
std::pair<std::string, std::vector<std::string>> SplitRef(const std::string& ref) {
  std::vector<std::string> parts;
  std::string cur;
  for (char c : ref) {
    if (c == '.') {
      parts.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  parts.push_back(cur);
  std::string ns = parts.front();
  parts.erase(parts.begin());
  return {ns, parts};
}

// "var.x|ids" -> ("var.x", "ids"); no filter -> (ref, "").
std::pair<std::string, std::string> SplitFilter(const std::string& ref) {
  const size_t bar = ref.find('|');
  if (bar == std::string::npos) return {ref, ""};
  return {ref.substr(0, bar), ref.substr(bar + 1)};
}

// Many2one values as Odoo reads them ([id, "name"]) become their id, at any depth: what read()
// or onchange() answered can then be given to create() or write().
json IdsOnly(const json& v) {
  if (v.is_array() && v.size() == 2 && v[0].is_number_integer() && v[1].is_string()) return v[0];
  if (v.is_array()) {
    json out = json::array();
    for (const auto& x : v) out.push_back(IdsOnly(x));
    return out;
  }
  if (v.is_object()) {
    json out = json::object();
    for (auto it = v.begin(); it != v.end(); ++it) out[it.key()] = IdsOnly(it.value());
    return out;
  }
  return v;
}

Status CheckRef(const std::string& full) {
  auto [ref, filter] = SplitFilter(full);
  if (!filter.empty() && filter != "ids") {
    return Status::InvalidArgument("${" + full + "}: unknown filter '" + filter +
                                   "'; the one filter is |ids (many2one [id, name] -> id)");
  }
  auto [ns, rest] = SplitRef(ref);
  if (ns == "now" || ns == "today") {
    return rest.empty() ? Status::Ok() : Status::InvalidArgument("${" + ref + "} takes no field");
  }
  if (ns != "param" && ns != "var" && ns != "run") {
    return Status::InvalidArgument(
        "unknown template ${" + ref +
        "}; use ${param.x}, ${var.x}, ${run.id}, ${run.tag}, ${now} or ${today}");
  }
  if (rest.empty() || rest[0].empty())
    return Status::InvalidArgument("${" + ref + "} needs a name, e.g. ${" + ns + ".x}");
  for (const auto& r : rest) {
    if (r.empty()) return Status::InvalidArgument("${" + ref + "} has an empty segment");
    for (char c : r) {
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') {
        return Status::InvalidArgument("${" + ref + "}: names are letters, digits and '_'");
      }
    }
  }
  if (ns == "run" && rest[0] != "id" && rest[0] != "tag") {
    return Status::InvalidArgument("${" + ref + "}: run has id and tag");
  }
  return Status::Ok();
}

Result<json> Resolve(const std::string& full, const Scope& scope) {
  auto [ref, filter] = SplitFilter(full);
  if (!filter.empty()) {
    auto v = Resolve(ref, scope);
    if (!v.ok()) return v;
    return IdsOnly(*v);
  }
  auto [ns, rest] = SplitRef(ref);
  if (ns == "now") return json(scope.now);
  if (ns == "today") return json(scope.today);
  if (ns == "run") return json(rest[0] == "id" ? scope.run_id : scope.run_tag);
  const auto& map = ns == "param" ? scope.params : scope.vars;
  auto it = map.find(rest[0]);
  if (it == map.end()) return Status::NotFound(ns + "." + rest[0] + " is not defined");
  json cur = it->second;
  for (size_t i = 1; i < rest.size(); ++i) {
    if (cur.is_object() && cur.contains(rest[i])) {
      cur = cur[rest[i]];
    } else if (cur.is_array() && !rest[i].empty() && rest[i].size() <= 9 &&
               std::all_of(rest[i].begin(), rest[i].end(),
                           [](unsigned char c) { return std::isdigit(c); }) &&
               std::stoul(rest[i]) < cur.size()) {
      cur = cur[std::stoul(rest[i])];
    } else {
      return Status::NotFound(ref + ": no '" + rest[i] + "' in " +
                              prober::DumpJson(cur).substr(0, 80));
    }
  }
  return cur;
}

// Calls fn(ref) for each ${ref} in s; returns false on an unclosed "${".
template <typename Fn>
Status ForEachRef(const std::string& s, Fn fn) {
  size_t pos = 0;
  while ((pos = s.find("${", pos)) != std::string::npos) {
    const size_t end = s.find('}', pos);
    if (end == std::string::npos) return Status::InvalidArgument("unclosed '${' in \"" + s + "\"");
    if (auto st = fn(s.substr(pos + 2, end - pos - 2), pos, end); !st.ok()) return st;
    pos = end + 1;
  }
  return Status::Ok();
}

}  // namespace

Result<std::vector<TemplateRef>> TemplateRefs(const json& value) {
  std::vector<TemplateRef> refs;
  Status st;
  std::function<void(const json&)> walk = [&](const json& v) {
    if (!st.ok()) return;
    if (v.is_string()) {
      st = ForEachRef(v.get<std::string>(), [&](const std::string& ref, size_t, size_t) {
        if (auto c = CheckRef(ref); !c.ok()) return c;
        auto [ns, rest] = SplitRef(SplitFilter(ref).first);
        refs.push_back({ns, rest.empty() ? "" : rest[0]});
        return Status::Ok();
      });
    } else if (v.is_array() || v.is_object()) {
      for (const auto& item : v) walk(item);
      if (v.is_object()) {
        for (auto it = v.begin(); it != v.end(); ++it) walk(json(it.key()));
      }
    }
  };
  walk(value);
  if (!st.ok()) return st;
  return refs;
}

Result<json> Expand(const json& value, const Scope& scope) {
  if (value.is_string()) {
    const std::string& s = value.get_ref<const std::string&>();
    if (s.size() > 3 && s.rfind("${", 0) == 0 && s.find('}') == s.size() - 1) {
      return Resolve(s.substr(2, s.size() - 3), scope);  // whole-string: keeps the JSON type
    }
    std::string out;
    size_t last = 0;
    Status err;
    auto st = ForEachRef(s, [&](const std::string& ref, size_t start, size_t end) {
      auto v = Resolve(ref, scope);
      if (!v.ok()) return v.status();
      out += s.substr(last, start - last);
      out += v->is_string() ? v->get<std::string>() : prober::DumpJson(*v);
      last = end + 1;
      return Status::Ok();
    });
    if (!st.ok()) return st;
    out += s.substr(last);
    return json(out);
  }
  if (value.is_array()) {
    json out = json::array();
    for (const auto& v : value) {
      auto e = Expand(v, scope);
      if (!e.ok()) return e.status();
      out.push_back(std::move(*e));
    }
    return out;
  }
  if (value.is_object()) {
    json out = json::object();
    for (auto it = value.begin(); it != value.end(); ++it) {
      auto e = Expand(it.value(), scope);
      if (!e.ok()) return e.status();
      out[it.key()] = std::move(*e);
    }
    return out;
  }
  return value;
}

namespace {

// A condition's tokens: words, quoted strings (with spaces) and operators.
std::vector<std::string> ConditionTokens(const std::string& text) {
  std::istringstream in(text);
  std::vector<std::string> tokens;
  std::string tok;
  while (in >> std::ws && in.peek() != EOF) {
    if (in.peek() == '\'') {
      in.get();
      std::string s = "'";
      char ch;
      while (in.get(ch) && ch != '\'') s += ch;
      tokens.push_back(s + "'");
    } else {
      in >> tok;
      tokens.push_back(tok);
    }
  }
  return tokens;
}

bool OperandOk(const std::string& t) {
  return t == "odoo_version" || t.rfind("param.", 0) == 0 || t.rfind("var.", 0) == 0 ||
         t == "true" || t == "false" || t == "null" ||
         (t.size() >= 2 && t.front() == '\'' && t.back() == '\'') ||
         (!t.empty() && (std::isdigit(static_cast<unsigned char>(t[0])) || t[0] == '-'));
}

}  // namespace

Result<Condition> Condition::Parse(const std::string& text) {
  Condition c;
  c.text_ = text;
  const std::vector<std::string> tokens = ConditionTokens(text);
  std::vector<Term> group;
  size_t i = 0;
  static const std::vector<std::string> kOps = {"==", "!=", "<", "<=", ">", ">="};
  while (i < tokens.size()) {
    if (i + 3 > tokens.size()) {
      return Status::InvalidArgument("incomplete condition \"" + text +
                                     "\"; write e.g. odoo_version >= 17");
    }
    Term t{tokens[i], tokens[i + 1], tokens[i + 2]};
    if (!OperandOk(t.lhs) || !OperandOk(t.rhs)) {
      return Status::InvalidArgument(
          "in \"" + text +
          "\": operands are odoo_version, param.x, var.x, numbers, 'text', true, false or null");
    }
    if (std::find(kOps.begin(), kOps.end(), t.op) == kOps.end()) {
      return Status::InvalidArgument("in \"" + text + "\": unknown operator '" + t.op +
                                     "'; use ==, !=, <, <=, >, >=");
    }
    group.push_back(t);
    i += 3;
    if (i < tokens.size()) {
      if (tokens[i] == "or") {
        c.any_of_all_.push_back(group);
        group.clear();
      } else if (tokens[i] != "and") {
        return Status::InvalidArgument("in \"" + text + "\": expected 'and' or 'or', got '" +
                                       tokens[i] + "'");
      }
      ++i;
      if (i >= tokens.size())
        return Status::InvalidArgument("condition \"" + text + "\" ends with and/or");
    }
  }
  if (group.empty()) return Status::InvalidArgument("empty condition");
  c.any_of_all_.push_back(group);
  return c;
}

std::vector<TemplateRef> Condition::Refs() const {
  std::vector<TemplateRef> refs;
  for (const auto& all : any_of_all_) {
    for (const auto& t : all) {
      for (const auto& side : {t.lhs, t.rhs}) {
        // The first segment names the parameter or variable ("var.returns.0" reads var.returns).
        auto first = [](const std::string& rest) { return rest.substr(0, rest.find('.')); };
        if (side.rfind("param.", 0) == 0) refs.push_back({"param", first(side.substr(6))});
        if (side.rfind("var.", 0) == 0) refs.push_back({"var", first(side.substr(4))});
      }
    }
  }
  return refs;
}

bool Condition::Eval(const Scope& scope) const {
  auto value = [&](const std::string& t) -> json {
    if (t == "odoo_version") return scope.odoo_version;
    if (t == "true") return true;
    if (t == "false") return false;
    if (t == "null") return nullptr;
    if (t.size() >= 2 && t.front() == '\'') return t.substr(1, t.size() - 2);
    if (t.rfind("param.", 0) == 0 || t.rfind("var.", 0) == 0) {
      auto v = Resolve(t, scope);
      return v.ok() ? *v : json(nullptr);
    }
    return json::parse(t, nullptr, false).is_discarded() ? json(nullptr) : json::parse(t);
  };
  for (const auto& all : any_of_all_) {
    bool ok = true;
    for (const auto& term : all) {
      const json a = value(term.lhs), b = value(term.rhs);
      bool r = false;
      if (term.op == "==")
        r = a == b || (a.is_number() && b.is_number() && a.get<double>() == b.get<double>());
      else if (term.op == "!=")
        r = !(a == b || (a.is_number() && b.is_number() && a.get<double>() == b.get<double>()));
      else if (a.is_number() && b.is_number()) {
        const double x = a.get<double>(), y = b.get<double>();
        r = term.op == "<" ? x < y : term.op == "<=" ? x <= y : term.op == ">" ? x > y : x >= y;
      } else if (a.is_string() && b.is_string()) {
        r = term.op == "<" ? a < b : term.op == "<=" ? a <= b : term.op == ">" ? a > b : a >= b;
      }
      ok = ok && r;
    }
    if (ok) return true;
  }
  return false;
}

}  // namespace odoo_prober::scenarios
