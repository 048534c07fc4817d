#include "config/yaml_reader.h"

#include "config/yaml_util.h"
#include "prober/text.h"

namespace odoo_prober::config {

SourcePos YamlReader::Pos(const YAML::Mark& m) const {
  // yaml-cpp marks are 0-based; editors count from 1. An unknown mark (-1) becomes line 1.
  return {file_, m.line >= 0 ? m.line + 1 : 1, m.column >= 0 ? m.column + 1 : 1};
}

void YamlReader::Error(const YAML::Mark& at, const std::string& field, const std::string& message) {
  errors_.push_back({Pos(at), field, message});
}

void YamlReader::Warn(const YAML::Node& at, const std::string& field, const std::string& message) {
  warnings_.push_back(Pos(at).ToString() + ": " + field + ": " + message);
}

void YamlReader::RefuseKeys(std::set<std::string> keys, std::string message) {
  refused_ = std::move(keys);
  refused_message_ = std::move(message);
}

std::optional<YamlReader::Fields> YamlReader::Map(const YAML::Node& node, const std::string& field,
                                                  const std::vector<std::string>& known,
                                                  const std::string& example) {
  // A key whose lines are all commented out (`tls:` alone) is an empty mapping.
  if (node.IsNull()) return Fields(*this, field);
  if (!node.IsMap()) {
    Error(node, field,
          "must be a mapping of key: value lines" +
              (example.empty() ? "" : " (e.g. " + example + ")"));
    return std::nullopt;
  }
  Fields fields(*this, field);
  for (auto it = node.begin(); it != node.end(); ++it) {
    // Copies: the iterator hands out a temporary pair.
    const YAML::Node k = it->first;
    if (!k.IsScalar()) {
      Error(k, field, "keys must be plain words");
      continue;
    }
    const std::string key = k.Scalar();
    const std::string sub = fields.Sub(key);
    if (fields.entries_.count(key)) {
      Error(k, sub, "is given twice; keep one");
      continue;
    }
    if (std::find(known.begin(), known.end(), key) == known.end()) {
      if (refused_.count(key)) {
        fields.had_refused_ = true;
        Error(k, sub, refused_message_);
      } else if (auto guess = Closest(key, known)) {
        fields.had_unknown_ = true;
        Error(k, sub, "unknown key; did you mean '" + *guess + "'?");
        fields.suggested_.insert(*guess);  // the typo already explains why it is missing
      } else {
        fields.had_unknown_ = true;
        Error(k, sub, "unknown key; expected one of: " + prober::Join(known));
      }
      continue;
    }
    fields.entries_[key] = {k, it->second};
  }
  return fields;
}

std::optional<std::string> YamlReader::Text(const YAML::Node& v, const std::string& field,
                                            const std::string& how) {
  if (!v.IsScalar() || v.Scalar().empty()) {
    Error(v, field, "must be a non-empty text value" + (how.empty() ? "" : "; " + how));
    return std::nullopt;
  }
  return v.Scalar();
}

namespace {

// "10m", "1s", "500ms", "7d": the shortest unit that writes `d` whole.
std::string Written(std::chrono::milliseconds d) {
  const int64_t ms = d.count();
  if (ms % 86'400'000 == 0) return std::to_string(ms / 86'400'000) + "d";
  if (ms % 3'600'000 == 0) return std::to_string(ms / 3'600'000) + "h";
  if (ms % 60'000 == 0) return std::to_string(ms / 60'000) + "m";
  if (ms % 1000 == 0) return std::to_string(ms / 1000) + "s";
  return std::to_string(ms) + "ms";
}

}  // namespace

std::optional<std::chrono::milliseconds> YamlReader::Duration(const YAML::Node& v,
                                                              const std::string& field,
                                                              std::chrono::milliseconds min,
                                                              std::chrono::milliseconds max,
                                                              const std::string& example) {
  auto d = v.IsScalar() ? ParseDuration(v.Scalar()) : std::nullopt;
  if (!d) {
    Error(v, field,
          "is not a duration; write a number with a unit: 500ms, 10s, 2m (here e.g. " + example +
              ")");
    return std::nullopt;
  }
  if (*d < min || *d > max || d->count() <= 0) {
    Error(v, field,
          (min.count() <= 1 ? "must be more than 0 and at most " + Written(max)
                            : "must be a duration from " + Written(min) + " to " + Written(max)) +
              ", e.g. " + example);
    return std::nullopt;
  }
  return d;
}

std::optional<std::size_t> YamlReader::Bytes(const YAML::Node& v, const std::string& field,
                                             std::size_t min, std::size_t max,
                                             const std::string& example) {
  auto b = v.IsScalar() ? ParseByteSize(v.Scalar()) : std::nullopt;
  if (!b || *b < min || *b > max) {
    Error(v, field,
          "must be a size from " + std::to_string(min) + " to " + std::to_string(max) +
              " bytes, such as " + example);
    return std::nullopt;
  }
  return b;
}

std::optional<int64_t> YamlReader::Integer(const YAML::Node& v, const std::string& field,
                                           int64_t min, int64_t max) {
  const auto n = v.IsScalar() ? YamlToJson(v) : nlohmann::json();
  if (!n.is_number_integer() || n.get<int64_t>() < min || n.get<int64_t>() > max) {
    Error(v, field,
          "must be an integer from " + std::to_string(min) + " to " + std::to_string(max));
    return std::nullopt;
  }
  return n.get<int64_t>();
}

std::optional<bool> YamlReader::Bool(const YAML::Node& v, const std::string& field) {
  if (v.IsScalar() && (v.Scalar() == "true" || v.Scalar() == "false")) return v.Scalar() == "true";
  Error(v, field, "must be true or false");
  return std::nullopt;
}

YAML::Node YamlReader::Fields::Value(const std::string& key) const {
  auto it = entries_.find(key);
  return it == entries_.end() ? YAML::Node() : it->second.value;
}

YAML::Node YamlReader::Fields::Key(const std::string& key) const {
  auto it = entries_.find(key);
  return it == entries_.end() ? YAML::Node() : it->second.key;
}

std::optional<std::string> YamlReader::Fields::Text(const std::string& key, const std::string& how,
                                                    bool required) {
  auto it = entries_.find(key);
  if (it == entries_.end() || it->second.value.IsNull()) {
    if (required) missing_.push_back({key, how});
    return std::nullopt;
  }
  return r_->Text(it->second.value, Sub(key), how);
}

std::optional<std::chrono::milliseconds> YamlReader::Fields::Duration(const std::string& key,
                                                                      std::chrono::milliseconds min,
                                                                      std::chrono::milliseconds max,
                                                                      const std::string& example) {
  if (!Has(key)) return std::nullopt;
  return r_->Duration(Value(key), Sub(key), min, max, example);
}

std::optional<std::size_t> YamlReader::Fields::Bytes(const std::string& key, std::size_t min,
                                                     std::size_t max, const std::string& example) {
  if (!Has(key)) return std::nullopt;
  return r_->Bytes(Value(key), Sub(key), min, max, example);
}

std::optional<int64_t> YamlReader::Fields::Integer(const std::string& key, int64_t min,
                                                   int64_t max) {
  if (!Has(key)) return std::nullopt;
  return r_->Integer(Value(key), Sub(key), min, max);
}

std::optional<bool> YamlReader::Fields::Bool(const std::string& key) {
  if (!Has(key)) return std::nullopt;
  return r_->Bool(Value(key), Sub(key));
}

std::optional<nlohmann::json> YamlReader::Fields::Object(const std::string& key,
                                                         const std::string& what) {
  if (!Has(key)) return std::nullopt;
  const YAML::Node v = Value(key);
  if (v.IsNull()) return nlohmann::json::object();  // every line commented out
  if (!v.IsMap()) {
    r_->Error(v, Sub(key), "must be a mapping of " + what);
    return std::nullopt;
  }
  return YamlToJson(v);
}

void YamlReader::Fields::Done(const YAML::Node& owner) {
  for (const auto& [key, how] : missing_) {
    if (!suggested_.count(key)) r_->Error(owner, Sub(key), "is required; " + how);
  }
  missing_.clear();
}

void YamlReader::Guarded(const std::function<void()>& read) {
  try {
    read();
  } catch (const NotUtf8& e) {
    Error(e.mark, "", e.msg);
  } catch (const YAML::ParserException& e) {
    Error(e.mark, "",
          "YAML syntax error: " + e.msg +
              " (check indentation, colons and quotes near this position)");
  } catch (const YAML::Exception& e) {
    Error(e.mark, "", std::string("unexpected YAML content: ") + e.what());
  }
}

}  // namespace odoo_prober::config
