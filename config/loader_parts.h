// Parts shared by the config loader (loader.cc) and the region loader (region_loader.cc).
#pragma once

#include <yaml-cpp/yaml.h>

#include <string>
#include <vector>

#include "config/config.h"
#include "config/yaml_reader.h"

namespace odoo_prober::config {

// Reads the fields a journeys[] entry has in the config and in a region file alike (name,
// params, interval, timeout, service) into `j`; the caller reads its targets or plants.
void LoadJourneyFields(YamlReader& r, YamlReader::Fields& f, const YAML::Node& node,
                       JourneySelection& j);

// Reads <cfg.regions_dir>/<region>.yaml and narrows `cfg` to that region (RegionConfig);
// appends the region file's problems, positioned in it, to `errors`.
void LoadRegion(const std::string& region, ProberConfig& cfg, std::vector<ConfigError>& errors,
                std::vector<std::string>& warnings);

}  // namespace odoo_prober::config
