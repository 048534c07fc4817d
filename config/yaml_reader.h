// YamlReader: the one layer through which the configuration and the journey files are read.
//
// It keeps every problem of a file rather than stopping at the first, each positioned
// (file:line:column) and naming its field ("targets[0].tls.ca_file"), with how to fix it.
// Mappings get their unknown keys reported with a "did you mean", repeated keys refused, and
// required keys that are missing reported once (unless a typo of theirs was reported already);
// durations, sizes and integers are checked against ranges.
//
//   YamlReader r("prober.yaml");
//   if (auto f = r.Map(node, "defaults", {"timeout", "connect_timeout"})) {
//     if (auto t = f->Duration("timeout", 1ms, 10min, "10s")) timeout = *t;
//     f->Done();  // reports what is missing
//   }
//
// Thread-safety: one reader per file being read, on one thread.
#pragma once

#include <yaml-cpp/yaml.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "config/config.h"

namespace odoo_prober::config {

class YamlReader {
 public:
  class Fields;

  explicit YamlReader(std::string file) : file_(std::move(file)) {}

  const std::string& file() const { return file_; }
  // The 1-based position of `node`; line 1 when yaml-cpp does not know it.
  SourcePos Pos(const YAML::Node& node) const { return Pos(node.Mark()); }
  SourcePos Pos(const YAML::Mark& mark) const;

  void Error(const YAML::Node& at, const std::string& field, const std::string& message) {
    Error(at.Mark(), field, message);
  }
  void Error(const YAML::Mark& at, const std::string& field, const std::string& message);
  // Runs `read` (which loads and reads a YAML text); yaml-cpp's syntax and conversion
  // exceptions become positioned errors, never a crash.
  void Guarded(const std::function<void()>& read);
  void Warn(const YAML::Node& at, const std::string& field, const std::string& message);
  std::vector<ConfigError>& errors() { return errors_; }
  const std::vector<std::string>& warnings() const { return warnings_; }

  // Keys refused wherever they appear, with `message` (the config refuses inline secrets).
  void RefuseKeys(std::set<std::string> keys, std::string message);

  // The entries of mapping `node`, unknown and repeated keys reported; nullopt when `node` is not
  // a mapping. `example` is shown when it is not one. A null node (a key whose lines are all
  // commented out) is an empty mapping.
  std::optional<Fields> Map(const YAML::Node& node, const std::string& field,
                            const std::vector<std::string>& known, const std::string& example = "");

  // Calls `each(item, "field[i]")` for every element; reports `node` not being a sequence.
  template <typename Fn>
  bool Sequence(const YAML::Node& node, const std::string& field, const std::string& example,
                Fn each) {
    if (!node.IsSequence()) {
      Error(node, field, "must be a list" + (example.empty() ? "" : ", e.g. " + example));
      return false;
    }
    for (size_t i = 0; i < node.size(); ++i) each(node[i], field + "[" + std::to_string(i) + "]");
    return true;
  }

  // Scalars, checked; each reports its own error and returns nullopt when wrong.
  std::optional<std::string> Text(const YAML::Node& v, const std::string& field,
                                  const std::string& how);
  std::optional<std::chrono::milliseconds> Duration(const YAML::Node& v, const std::string& field,
                                                    std::chrono::milliseconds min,
                                                    std::chrono::milliseconds max,
                                                    const std::string& example);
  std::optional<std::size_t> Bytes(const YAML::Node& v, const std::string& field, std::size_t min,
                                   std::size_t max, const std::string& example);
  std::optional<int64_t> Integer(const YAML::Node& v, const std::string& field, int64_t min,
                                 int64_t max);
  std::optional<bool> Bool(const YAML::Node& v, const std::string& field);

 private:
  const std::string file_;
  std::vector<ConfigError> errors_;
  std::vector<std::string> warnings_;
  std::set<std::string> refused_;
  std::string refused_message_;
};

// The entries of one mapping, read through the reader that checked its keys.
class YamlReader::Fields {
 public:
  Fields(YamlReader& reader, std::string field) : r_(&reader), field_(std::move(field)) {}

  // The mapping's own field ("targets[0]"), and a key's within it ("targets[0].url"; the key
  // alone at the top).
  const std::string& field() const { return field_; }
  std::string Sub(const std::string& key) const {
    return field_.empty() ? key : field_ + "." + key;
  }
  bool Has(const std::string& key) const { return entries_.count(key) > 0; }
  // The value of `key` (a null node when absent) and the key itself (for positions).
  YAML::Node Value(const std::string& key) const;
  YAML::Node Key(const std::string& key) const;
  // True when an unknown key (or a refused one) was found.
  bool had_unknown() const { return had_unknown_; }
  bool had_refused() const { return had_refused_; }

  // Each reports its own error; `required` ones that are absent are reported by Done().
  std::optional<std::string> Text(const std::string& key, const std::string& how,
                                  bool required = false);
  std::optional<std::chrono::milliseconds> Duration(const std::string& key,
                                                    std::chrono::milliseconds min,
                                                    std::chrono::milliseconds max,
                                                    const std::string& example);
  std::optional<std::size_t> Bytes(const std::string& key, std::size_t min, std::size_t max,
                                   const std::string& example);
  std::optional<int64_t> Integer(const std::string& key, int64_t min, int64_t max);
  std::optional<bool> Bool(const std::string& key);
  // A mapping of anything, as JSON (parameters, labels); reported when not a mapping.
  std::optional<nlohmann::json> Object(const std::string& key, const std::string& what);
  // Reports the required keys that were asked for and are absent, at `owner`.
  void Done(const YAML::Node& owner);

 private:
  friend class YamlReader;
  struct Entry {
    YAML::Node key, value;
  };
  YamlReader* r_;
  std::string field_;
  std::map<std::string, Entry> entries_;
  std::vector<std::pair<std::string, std::string>> missing_;  // key, how
  std::set<std::string> suggested_;                           // keys a did-you-mean named
  bool had_unknown_ = false;
  bool had_refused_ = false;
};

}  // namespace odoo_prober::config
