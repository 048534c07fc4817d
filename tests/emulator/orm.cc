#include "tests/emulator/orm.h"

#include <algorithm>
#include <cctype>
#include <sstream>

#include "prober/text.h"

namespace odoo_prober::emulator {

void Raise(const std::string& name, const std::string& message) {
  throw OdooException{name, message};
}
void UserError(const std::string& message) { Raise("odoo.exceptions.UserError", message); }

std::string PyRepr(const json& v) {
  switch (v.type()) {
    case json::value_t::null:
      return "None";
    case json::value_t::boolean:
      return v.get<bool>() ? "True" : "False";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
      return v.dump();
    case json::value_t::number_float: {
      std::string s = v.dump();
      if (s.find_first_of(".eE") == std::string::npos) s += ".0";
      return s;
    }
    case json::value_t::string: {
      std::string out = "'";
      for (char c : v.get<std::string>()) {
        if (c == '\'' || c == '\\') out += '\\';
        out += c;
      }
      return out + "'";
    }
    case json::value_t::array:
      return "[" + prober::JoinEach(v, ", ", [](const json& x) { return PyRepr(x); }) + "]";
    case json::value_t::object:
      return "{" +
             prober::JoinEach(
                 v.items(), ", ",
                 [](const auto& it) { return PyRepr(it.key()) + ": " + PyRepr(it.value()); }) +
             "}";
    default:
      return v.dump();
  }
}

namespace {

bool Truthy(const json& v) {
  if (v.is_null()) return false;
  if (v.is_boolean()) return v.get<bool>();
  if (v.is_number()) return v.get<double>() != 0;
  if (v.is_string()) return !v.get<std::string>().empty();
  if (v.is_array() || v.is_object()) return !v.empty();
  return true;
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// SQL LIKE with % and _.
bool LikeMatch(const std::string& text, const std::string& pattern) {
  size_t t = 0, p = 0, star = std::string::npos, mark = 0;
  while (t < text.size()) {
    if (p < pattern.size() && (pattern[p] == '_' || pattern[p] == text[t])) {
      ++t;
      ++p;
    } else if (p < pattern.size() && pattern[p] == '%') {
      star = p++;
      mark = t;
    } else if (star != std::string::npos) {
      p = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '%') ++p;
  return p == pattern.size();
}

bool Compare(const json& a, const std::string& op, const json& b) {
  if (a.is_number() && b.is_number()) {
    const double x = a.get<double>(), y = b.get<double>();
    if (op == "<") return x < y;
    if (op == "<=") return x <= y;
    if (op == ">") return x > y;
    if (op == ">=") return x >= y;
  }
  if (a.is_string() && b.is_string()) {
    const auto& x = a.get_ref<const std::string&>();
    const auto& y = b.get_ref<const std::string&>();
    if (op == "<") return x < y;
    if (op == "<=") return x <= y;
    if (op == ">") return x > y;
    if (op == ">=") return x >= y;
  }
  return false;  // Odoo's SQL: comparing with NULL is never true
}

bool Equal(const json& stored, const json& value) {
  if (value.is_boolean() && !value.get<bool>()) return !Truthy(stored);
  if (stored.is_number() && value.is_number()) return stored.get<double>() == value.get<double>();
  if (stored.is_null()) return false;
  return stored == value;
}

}  // namespace

std::vector<int> Orm::Ids(const json& value) {
  std::vector<int> ids;
  if (value.is_number_integer()) {
    ids.push_back(value.get<int>());
  } else if (value.is_array()) {
    for (const auto& v : value) {
      if (v.is_number_integer()) ids.push_back(v.get<int>());
    }
  }
  return ids;
}

void Orm::AddModel(Model model) {
  for (auto& [name, f] : model.fields) f.name = name;
  std::string name = model.name;
  models_[name] = std::move(model);
}

Model& Orm::model(const std::string& name) {
  auto it = models_.find(name);
  if (it == models_.end()) UserError("Object " + name + " doesn't exist");
  return it->second;
}
const Model& Orm::model(const std::string& name) const {
  auto it = models_.find(name);
  if (it == models_.end()) UserError("Object " + name + " doesn't exist");
  return it->second;
}

const Field* Orm::FindField(const std::string& model, const std::string& field) const {
  auto m = models_.find(model);
  if (m == models_.end()) return nullptr;
  auto f = m->second.fields.find(field);
  return f == m->second.fields.end() ? nullptr : &f->second;
}

json& Orm::Rec(const std::string& m, int id) { return model(m).records.at(id); }

bool Orm::Exists(const std::string& m, int id) const {
  auto it = models_.find(m);
  return it != models_.end() && it->second.records.count(id) > 0;
}

void Orm::CheckExist(const std::string& m, const std::vector<int>& ids) const {
  const Model& md = model(m);
  std::vector<int> missing;
  for (int id : ids) {
    if (!md.records.count(id)) missing.push_back(id);
  }
  if (missing.empty()) return;
  std::string list;
  for (int id : missing) list += std::to_string(id) + ",";
  Raise("odoo.exceptions.MissingError",
        "Record does not exist or has been deleted.\n(Record: " + m + "(" + list + "), User: 2)");
}

json Orm::Raw(const std::string& m, int id, const std::string& field) const {
  const Field* f = FindField(m, field);
  if (f == nullptr) return nullptr;
  if (f->type == FieldType::kOne2many) {
    json ids = json::array();
    const Model& co = model(f->comodel);
    const bool archivable = co.fields.count("active") > 0;
    for (const auto& [cid, rec] : co.records) {
      auto it = rec.find(f->inverse);
      if (it == rec.end() || !it->is_number_integer() || it->get<int>() != id) continue;
      // Like Odoo's one2many reads, archived records are left out.
      if (archivable && !Truthy(rec.value("active", json(true)))) continue;
      ids.push_back(cid);
    }
    return ids;
  }
  if (f->computed && hooks_.compute) return hooks_.compute(m, id, field);
  const json& rec = model(m).records.at(id);
  auto it = rec.find(field);
  if (it == rec.end() || it->is_null()) {
    if (f->type == FieldType::kMany2many) return json::array();
    return false;
  }
  return *it;
}

int Orm::RawId(const std::string& m, int id, const std::string& field) const {
  json v = Raw(m, id, field);
  if (v.is_array() && !v.empty() && v[0].is_number_integer()) return v[0].get<int>();
  return v.is_number_integer() ? v.get<int>() : 0;
}

std::vector<int> Orm::RawIds(const std::string& m, int id, const std::string& field) const {
  return Ids(Raw(m, id, field));
}

std::string Orm::DisplayName(const std::string& m, int id) const {
  if (hooks_.compute) {
    json v = hooks_.compute(m, id, "display_name");
    if (v.is_string()) return v.get<std::string>();
  }
  const json& rec = model(m).records.at(id);
  auto it = rec.find("name");
  if (it != rec.end() && it->is_string()) return it->get<std::string>();
  return m + "," + std::to_string(id);
}

json Orm::Get(const std::string& m, int id, const std::string& field) const {
  if (field == "id") return id;
  if (field == "display_name") return DisplayName(m, id);
  const Field* f = FindField(m, field);
  if (f == nullptr) return nullptr;
  json raw = Raw(m, id, field);
  switch (f->type) {
    case FieldType::kMany2one: {
      int rid = raw.is_array() && !raw.empty() ? raw[0].get<int>()
                : raw.is_number_integer()      ? raw.get<int>()
                                               : 0;
      if (rid == 0 || !Exists(f->comodel, rid)) return false;
      return json::array({rid, DisplayName(f->comodel, rid)});
    }
    case FieldType::kInteger:
      return raw.is_number() ? raw : json(0);
    case FieldType::kFloat:
      return raw.is_number() ? json(raw.get<double>()) : json(0.0);
    case FieldType::kBoolean:
      return Truthy(raw);
    default:
      return raw;
  }
}

json Orm::Read(const std::string& m, const std::vector<int>& ids, const json& fields) const {
  const Model& md = model(m);
  std::vector<std::string> names;
  if (fields.is_array() && !fields.empty()) {
    for (const auto& f : fields) {
      if (!f.is_string()) continue;
      const std::string name = f.get<std::string>();
      if (name != "id" && name != "display_name" && !md.fields.count(name)) {
        Raise("builtins.ValueError", dialect_.InvalidReadField(name, m));
      }
      names.push_back(name);
    }
  } else {
    for (const auto& [name, f] : md.fields) names.push_back(name);
    names.push_back("display_name");
  }
  json out = json::array();
  for (int id : ids) {
    if (!md.records.count(id)) continue;  // read() of a deleted id returns nothing for it
    json row = {{"id", id}};
    for (const auto& name : names) {
      if (name != "id") row[name] = Get(m, id, name);
    }
    out.push_back(std::move(row));
  }
  return out;
}

bool Orm::MatchLeaf(const std::string& m, int id, const json& leaf) const {
  if (!leaf.is_array() || leaf.size() != 3) {
    Raise("builtins.ValueError", "Invalid leaf " + PyRepr(leaf));
  }
  if (leaf[0].is_number()) return leaf[0] == leaf[2];  // (1, '=', 1) / (0, '=', 1)
  std::string path = leaf[0].get<std::string>();
  const std::string op = leaf[1].is_string() ? Lower(leaf[1].get<std::string>()) : "";
  const json& value = leaf[2];
  std::string rest;
  if (auto dot = path.find('.'); dot != std::string::npos) {
    rest = path.substr(dot + 1);
    path = path.substr(0, dot);
  }
  auto invalid = [&] {
    std::string tuple = "(";
    for (size_t i = 0; i < leaf.size(); ++i) tuple += (i ? ", " : "") + PyRepr(leaf[i]);
    Raise("builtins.ValueError",
          dialect_.InvalidDomainField(m + "." + leaf[0].get<std::string>(), tuple + ")"));
  };
  if (path == "id") {
    const json stored = id;
    if (op == "in")
      return value.is_array() && std::any_of(value.begin(), value.end(),
                                             [&](const json& v) { return Equal(stored, v); });
    if (op == "not in")
      return !(value.is_array() && std::any_of(value.begin(), value.end(),
                                               [&](const json& v) { return Equal(stored, v); }));
    if (op == "=") return Equal(stored, value);
    if (op == "!=") return !Equal(stored, value);
    return Compare(stored, op, value);
  }
  const Field* f = FindField(m, path);
  if (f == nullptr) invalid();
  const bool relational = f->type == FieldType::kMany2one || f->type == FieldType::kOne2many ||
                          f->type == FieldType::kMany2many;
  if (!rest.empty()) {
    if (!relational) invalid();
    for (int rid : RawIds(m, id, path)) {
      if (Exists(f->comodel, rid) &&
          MatchLeaf(f->comodel, rid, json::array({rest, leaf[1], value}))) {
        return true;
      }
    }
    return op == "!=" || op == "not in" || op == "not like" || op == "not ilike"
               ? RawIds(m, id, path).empty()
               : false;
  }
  if (relational) {
    // A domain on a one2many is a subquery on the comodel's inverse field: archived records
    // count there, unlike in what read() answers (recorded on 16.0: a BoM whose only operation
    // is archived matches operation_ids != False, and reads operation_ids []).
    std::vector<int> ids;
    if (f->type == FieldType::kOne2many) {
      for (const auto& [cid, rec] : model(f->comodel).records) {
        auto inv = rec.find(f->inverse);
        if (inv != rec.end() && inv->is_number_integer() && inv->get<int>() == id)
          ids.push_back(cid);
      }
    } else {
      ids = RawIds(m, id, path);
    }
    auto any_in = [&](const json& values) {
      for (int rid : ids) {
        for (const auto& v : values) {
          if (v.is_number_integer() && v.get<int>() == rid) return true;
        }
      }
      return false;
    };
    if (value.is_boolean() && !value.get<bool>()) {
      if (op == "=") return ids.empty();
      if (op == "!=") return !ids.empty();
    }
    if (value.is_string()) {  // name search on the related records
      for (int rid : ids) {
        if (MatchLeaf(f->comodel, rid, json::array({"display_name", leaf[1], value}))) return true;
      }
      return false;
    }
    const json values = value.is_array() ? value : json::array({value});
    if (op == "=" || op == "in") return any_in(values);
    if (op == "!=" || op == "not in") return !any_in(values);
    return false;
  }
  const json stored = Raw(m, id, path);
  if (op == "=") return Equal(stored, value);
  if (op == "!=") return !Equal(stored, value);
  if (op == "in" || op == "not in") {
    bool found = false;
    for (const auto& v : value.is_array() ? value : json::array({value}))
      found = found || Equal(stored, v);
    return op == "in" ? found : !found;
  }
  if (op == "like" || op == "ilike" || op == "not like" || op == "not ilike" || op == "=like" ||
      op == "=ilike") {
    if (!stored.is_string() || !value.is_string()) return op.rfind("not", 0) == 0;
    std::string text = stored.get<std::string>(), pattern = value.get<std::string>();
    if (op.find("ilike") != std::string::npos) {
      text = Lower(text);
      pattern = Lower(pattern);
    }
    if (op[0] == '=') return LikeMatch(text, pattern);
    const bool contains = text.find(pattern) != std::string::npos;
    return op.rfind("not", 0) == 0 ? !contains : contains;
  }
  if (op == "<" || op == "<=" || op == ">" || op == ">=") return Compare(stored, op, value);
  Raise("builtins.ValueError", "Invalid leaf " + PyRepr(leaf));
}

bool Orm::Match(const std::string& m, int id, const json& domain, size_t& pos) const {
  if (pos >= domain.size()) return true;
  const json& item = domain[pos++];
  if (item.is_string()) {
    const std::string op = item.get<std::string>();
    if (op == "!") return !Match(m, id, domain, pos);
    // Evaluate both operands (no short cut) so both are consumed.
    const bool a = Match(m, id, domain, pos);
    const bool b = Match(m, id, domain, pos);
    if (op == "&") return a && b;
    if (op == "|") return a || b;
    Raise("builtins.ValueError", "Invalid domain operator " + PyRepr(item));
  }
  return MatchLeaf(m, id, item);
}

std::vector<int> Orm::Search(const std::string& m, const json& domain, int offset, int limit,
                             const std::string& order) const {
  const Model& md = model(m);
  if (!domain.is_null() && !domain.is_array())
    Raise("builtins.ValueError", "Invalid domain " + PyRepr(domain));
  // Odoo checks every leaf's field before running the query, records or not.
  for (const auto& leaf : domain.is_array() ? domain : json::array()) {
    if (!leaf.is_array() || leaf.size() != 3 || !leaf[0].is_string()) continue;
    const std::string path = leaf[0].get<std::string>();
    const std::string first = path.substr(0, path.find('.'));
    if (first != "id" && FindField(m, first) == nullptr) {
      std::string tuple = "(";
      for (size_t i = 0; i < leaf.size(); ++i) tuple += (i ? ", " : "") + PyRepr(leaf[i]);
      Raise("builtins.ValueError", dialect_.InvalidDomainField(m + "." + path, tuple + ")"));
    }
  }
  std::vector<int> ids;
  const bool has_active = md.fields.count("active") > 0;
  bool mentions_active = false;
  for (const auto& item : domain.is_array() ? domain : json::array()) {
    if (item.is_array() && !item.empty() && item[0] == "active") mentions_active = true;
  }
  for (const auto& [id, rec] : md.records) {
    if (has_active && !mentions_active && !Truthy(Raw(m, id, "active"))) continue;
    size_t pos = 0;
    bool ok = true;
    const json d = domain.is_array() ? domain : json::array();
    while (ok && pos < d.size()) ok = Match(m, id, d, pos);
    if (ok) ids.push_back(id);
  }
  // order: "field [asc|desc]"; the id order is the default.
  std::istringstream spec(order);
  std::string field, dir;
  spec >> field >> dir;
  if (!field.empty() && field != "id") {
    if (field.back() == ',') field.pop_back();
    std::stable_sort(ids.begin(), ids.end(), [&](int a, int b) {
      const json x = Raw(m, a, field), y = Raw(m, b, field);
      return Lower(dir) == "desc" ? Compare(x, ">", y) : Compare(x, "<", y);
    });
  } else if (Lower(dir) == "desc") {
    std::reverse(ids.begin(), ids.end());
  }
  if (offset > 0) ids.erase(ids.begin(), ids.begin() + std::min<size_t>(offset, ids.size()));
  if (limit >= 0 && ids.size() > static_cast<size_t>(limit)) ids.resize(limit);
  return ids;
}

void Orm::CheckValue(const Model& m, const Field& f, const json& value) const {
  if (f.type == FieldType::kSelection && !value.is_null() &&
      !(value.is_boolean() && !value.get<bool>())) {
    const bool ok = value.is_string() && std::find(f.selection.begin(), f.selection.end(),
                                                   value.get<std::string>()) != f.selection.end();
    if (!ok) {
      Raise("builtins.ValueError", "Wrong value for " + (f.owner.empty() ? m.name : f.owner) + "." +
                                       f.name + ": " + PyRepr(value));
    }
  }
}

void Orm::ApplyValues(const std::string& mname, int id, const json& vals, bool creating) {
  Model& m = model(mname);
  json& rec = m.records.at(id);
  std::vector<std::pair<const Field*, json>> x2many;
  for (auto it = vals.begin(); it != vals.end(); ++it) {
    const std::string& key = it.key();
    auto f = m.fields.find(key);
    if (f == m.fields.end()) {
      Raise("builtins.ValueError", "Invalid field " + PyRepr(key) + " on model " + PyRepr(mname));
    }
    const Field& field = f->second;
    if (field.type == FieldType::kOne2many || field.type == FieldType::kMany2many) {
      x2many.push_back({&field, it.value()});
      continue;
    }
    if (field.computed) continue;  // Odoo ignores writes to computed fields without inverse
    CheckValue(m, field, it.value());
    json v = it.value();
    if (field.type == FieldType::kMany2one && v.is_array() && !v.empty()) v = v[0];
    if (field.type == FieldType::kFloat && v.is_number()) v = v.get<double>();
    rec[key] = v;
  }
  if (creating) {
    for (const auto& [name, field] : m.fields) {
      if (!rec.contains(name) && !field.default_value.is_null() && !field.computed &&
          field.type != FieldType::kOne2many) {
        rec[name] = field.default_value;
      }
    }
    for (const auto& [name, field] : m.fields) {
      if (field.required && !field.computed && field.type != FieldType::kOne2many &&
          !Truthy(rec.value(name, json(nullptr))) &&
          !(rec.value(name, json(nullptr)).is_number())) {
        m.records.erase(id);
        Raise("odoo.exceptions.ValidationError",
              dialect_.MissingRequired(m.label, mname, field.label, name));
      }
    }
  }
  for (const auto& [field_ptr, commands] : x2many) {
    const Field* field = field_ptr;  // a plain variable: clang 14 cannot capture a binding
    const bool o2m = field->type == FieldType::kOne2many;
    std::vector<int> current = RawIds(mname, id, field->name);
    auto set_ids = [&](const std::vector<int>& ids) {
      if (o2m) {
        for (int cid : current) {
          if (std::find(ids.begin(), ids.end(), cid) == ids.end()) Unlink(field->comodel, {cid});
        }
        for (int cid : ids) model(field->comodel).records.at(cid)[field->inverse] = id;
      } else {
        model(mname).records.at(id)[field->name] = ids;
      }
      current = ids;
    };
    if (!commands.is_array()) continue;
    for (const auto& c : commands) {
      if (c.is_number_integer()) {  // a plain list of ids
        std::vector<int> ids = current;
        ids.push_back(c.get<int>());
        set_ids(ids);
        continue;
      }
      if (!c.is_array() || c.empty() || !c[0].is_number_integer()) continue;
      const int code = c[0].get<int>();
      const int arg = c.size() > 1 && c[1].is_number_integer() ? c[1].get<int>() : 0;
      if (code == 0) {
        json sub = c.size() > 2 && c[2].is_object() ? c[2] : json::object();
        if (o2m) sub[field->inverse] = id;
        const int cid = Create(field->comodel, sub);
        if (!o2m) {
          std::vector<int> ids = current;
          ids.push_back(cid);
          set_ids(ids);
        } else {
          current.push_back(cid);
        }
      } else if (code == 1) {
        Write(field->comodel, {arg}, c.size() > 2 ? c[2] : json::object());
      } else if (code == 2 || (code == 3 && o2m)) {
        Unlink(field->comodel, {arg});
        current.erase(std::remove(current.begin(), current.end(), arg), current.end());
      } else if (code == 3) {
        std::vector<int> ids = current;
        ids.erase(std::remove(ids.begin(), ids.end(), arg), ids.end());
        set_ids(ids);
      } else if (code == 4) {
        std::vector<int> ids = current;
        if (std::find(ids.begin(), ids.end(), arg) == ids.end()) ids.push_back(arg);
        set_ids(ids);
      } else if (code == 5) {
        set_ids({});
      } else if (code == 6) {
        set_ids(c.size() > 2 ? Ids(c[2]) : std::vector<int>{});
      }
    }
  }
}

int Orm::Create(const std::string& mname, const json& vals) {
  Model& m = model(mname);
  if (!vals.is_object()) Raise("builtins.TypeError", "create() values must be a dict");
  const int id = m.next_id++;
  m.records[id] = json::object();
  ApplyValues(mname, id, vals, /*creating=*/true);
  if (hooks_.after_create) hooks_.after_create(mname, id, vals);
  return id;
}

void Orm::Write(const std::string& mname, const std::vector<int>& ids, const json& vals) {
  CheckExist(mname, ids);
  if (!vals.is_object()) Raise("builtins.TypeError", "write() values must be a dict");
  if (hooks_.before_write) hooks_.before_write(mname, ids, vals);
  for (int id : ids) ApplyValues(mname, id, vals, /*creating=*/false);
}

void Orm::Unlink(const std::string& mname, const std::vector<int>& ids) {
  Model& m = model(mname);
  std::vector<int> existing;
  for (int id : ids) {
    if (m.records.count(id)) existing.push_back(id);
  }
  if (hooks_.before_unlink) hooks_.before_unlink(mname, existing);
  for (int id : existing) {
    for (const auto& [name, f] : m.fields) {
      if (f.type == FieldType::kOne2many && !f.computed) {
        for (int cid : RawIds(mname, id, name)) model(f.comodel).records.erase(cid);
      }
    }
    m.records.erase(id);
  }
}

json Orm::NameSearch(const std::string& m, const std::string& name, const json& domain,
                     const std::string& op, int limit) const {
  json out = json::array();
  for (int id : Search(m, domain.is_array() ? domain : json::array())) {
    const std::string dn = DisplayName(m, id);
    bool match = name.empty();
    if (!match) {
      const std::string o = Lower(op.empty() ? "ilike" : op);
      match = o == "="       ? dn == name
              : o == "ilike" ? Lower(dn).find(Lower(name)) != std::string::npos
                             : dn.find(name) != std::string::npos;
    }
    if (match) out.push_back(json::array({id, dn}));
    if (limit > 0 && static_cast<int>(out.size()) >= limit) break;
  }
  return out;
}

json Orm::FieldsGet(const std::string& m, const json& fields, const json& attributes) const {
  static const char* kTypes[] = {"char",     "text",      "integer",   "float",
                                 "boolean",  "selection", "date",      "datetime",
                                 "many2one", "one2many",  "many2many", "json"};
  const Model& md = model(m);
  json out = json::object();
  for (const auto& [name, f] : md.fields) {
    if (fields.is_array() && !fields.empty() &&
        std::find(fields.begin(), fields.end(), json(name)) == fields.end()) {
      continue;
    }
    json desc = {{"type", kTypes[static_cast<int>(f.type)]},
                 {"string", f.label},
                 {"required", f.required},
                 {"readonly", f.readonly || f.computed},
                 {"store", !f.computed}};
    if (!f.comodel.empty()) desc["relation"] = f.comodel;
    if (f.type == FieldType::kOne2many) desc["relation_field"] = f.inverse;
    if (f.type == FieldType::kSelection) {
      json sel = json::array();
      for (const auto& s : f.selection) sel.push_back(json::array({s, s}));
      desc["selection"] = sel;
    }
    if (attributes.is_array() && !attributes.empty()) {
      json filtered = json::object();
      for (const auto& a : attributes) {
        if (a.is_string() && desc.contains(a.get<std::string>()))
          filtered[a.get<std::string>()] = desc[a.get<std::string>()];
      }
      desc = filtered;
    }
    out[name] = desc;
  }
  return out;
}

}  // namespace odoo_prober::emulator
