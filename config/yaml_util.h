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

// A YAML node as JSON: plain scalars become numbers, booleans and null where they read so;
// quoted scalars stay strings.
nlohmann::json YamlToJson(const YAML::Node& node);

// The 1-based position of a node in `file`.
SourcePos PosOf(const YAML::Node& node, const std::string& file);

// The known word closest to `word`, when it is close enough to be a typo.
std::optional<std::string> Closest(const std::string& word, const std::vector<std::string>& known);

}  // namespace odoo_prober::config
