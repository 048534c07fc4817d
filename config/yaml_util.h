// YAML helpers shared by the loaders (config, journeys) and test tools: YAML nodes to JSON
// values, positions, and the "did you mean" of unknown keys.
//
// Thread-safety: pure functions.
#pragma once

#include <yaml-cpp/yaml.h>

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "config/config.h"

namespace odoo_prober::config {

// A file's text that is not UTF-8 (a Latin-1 editor's "Soci\xe9t\xe9", say): YAML is UTF-8, and
// nothing downstream (JSON requests, labels, SQLite) can carry such bytes.
class NotUtf8 : public YAML::Exception {
 public:
  NotUtf8(const YAML::Mark& at, unsigned char byte);
};

// YAML::Load(text), after checking that the text is UTF-8; throws NotUtf8 at the first byte that
// is not, with its line and column.
YAML::Node LoadUtf8(const std::string& text);

// A YAML node as JSON: plain scalars become numbers, booleans and null where they read so;
// quoted scalars stay strings.
nlohmann::json YamlToJson(const YAML::Node& node);

// The 1-based position of a node in `file`.
SourcePos PosOf(const YAML::Node& node, const std::string& file);

// The known word closest to `word`, when it is close enough to be a typo.
std::optional<std::string> Closest(const std::string& word, const std::vector<std::string>& known);

}  // namespace odoo_prober::config
