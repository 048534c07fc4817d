// Internal to config/: the section readers the loader (loader.cc) drives, one file each, and
// what they read with. The region loader (region_loader.cc) reuses the journeys' fields.
//
//   targets.cc   targets[] (name, url, credentials, maintenance); target_fields.cc: tls, labels
//   secrets.cc   password_* / api_key_*: environment variables and files, the files' modes
//   windows.cc   weekly windows (a target's maintenance, a plant's business hours), plants:
//   journeys.cc  journeys[], journey_dirs
//   admin.cc     admin: (listen, TLS, the basic-auth users file)
//   results.cc   results:, leftovers:
//   compare.cc   compare:
//   objectives.cc (objectives.h) objectives:
//   dependencies.cc dependencies: (the checks of the services a plant's ERP needs)
//
// Each reader reports every problem through the context's YamlReader, positioned and named.
//
// Thread-safety: a context belongs to one load, on one thread.
#pragma once

#include <yaml-cpp/yaml.h>

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "config/config.h"
#include "config/yaml_reader.h"
#include "prober/secret.h"

namespace odoo_prober::config {

// How to give a secret instead of writing it into the file.
inline constexpr const char* kSecretAlternatives =
    "put the secret in an environment variable or a file and reference it with "
    "password_env: VAR, password_file: /path, api_key_env: VAR or api_key_file: /path";

// What every section reader reads with.
struct ReadContext {
  YamlReader& r;
  const LoadOptions& options;       // the seams: environment variables, file modes
  std::filesystem::path base_dir;   // relative paths start here: the config file's folder
  std::set<std::string> targets{};  // the names of the targets read so far

  // `file` with a relative path taken from the config file's folder.
  std::string Resolve(const std::string& file) const;
  // Whether the file can be read now, so that a typo fails at load time; reported when not.
  bool Readable(const YAML::Node& at, const std::string& field, const std::string& file);
  // Whether `key` names a journey id of the config's journeys:, else reported with a guess.
  bool ConfiguredJourney(const YAML::Node& key, const std::string& field, const ProberConfig& cfg);
};

// The request defaults targets inherit (defaults:).
struct TargetDefaults {
  std::chrono::milliseconds timeout{10000};
  std::chrono::milliseconds connect_timeout{5000};
  std::size_t max_response_bytes = 16u << 20;
};
std::optional<std::size_t> ResponseBytes(YamlReader::Fields& f);

void ReadTargets(ReadContext& c, YamlReader::Fields& f, const YAML::Node& root,
                 const TargetDefaults& defaults, ProberConfig& cfg);
// A target's labels: and tls: (target_fields.cc).
void ReadLabels(YamlReader& r, const YAML::Node& node, const std::string& field, Labels& labels);
void ReadTargetTls(ReadContext& c, const YAML::Node& node, const std::string& field,
                   TargetConfig& t);

// password_env / password_file, or api_key_env / api_key_file (kind "password", "api_key"): at
// most one of each pair; nullopt when neither is given or the one given is wrong (reported).
std::optional<prober::Secret> ReadSecret(ReadContext& c, YamlReader::Fields& f,
                                         const std::string& kind);

// A list of weekly windows ({days, from, to, time_zone}) into `out`; `example` shows the form.
void ReadWindows(YamlReader& r, const YAML::Node& list, const std::string& field,
                 const char* example, std::vector<WeeklyWindow>& out);
void ReadPlants(ReadContext& c, YamlReader::Fields& f, ProberConfig& cfg);

void ReadJourneys(ReadContext& c, YamlReader::Fields& f, const YAML::Node& root, ProberConfig& cfg);
void ReadJourneyDirs(ReadContext& c, YamlReader::Fields& f, ProberConfig& cfg);
// Reads the fields a journeys[] entry has in the config and in a region file alike (name, id,
// params, interval, timeout, service, ...) into `j`; the caller reads its targets or plants.
void LoadJourneyFields(YamlReader& r, YamlReader::Fields& f, const YAML::Node& node,
                       JourneySelection& j);

void ReadAdmin(ReadContext& c, YamlReader::Fields& f, ProberConfig& cfg);
void ReadResults(ReadContext& c, const YAML::Node& node, ProberConfig& cfg);
void ReadLeftovers(YamlReader& r, const YAML::Node& node, LeftoverConfig& l);
void ReadDependencies(ReadContext& c, const YAML::Node& node, ProberConfig& cfg);
void ReadCompare(ReadContext& c, const YAML::Node& node, ProberConfig& cfg);

// Reads <cfg.regions_dir>/<region>.yaml and narrows `cfg` to that region (RegionConfig);
// appends the region file's problems, positioned in it, to `errors`.
void LoadRegion(const std::string& region, ProberConfig& cfg, std::vector<ConfigError>& errors,
                std::vector<std::string>& warnings);

}  // namespace odoo_prober::config
