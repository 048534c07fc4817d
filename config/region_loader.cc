// Region files (regions/<name>.yaml): read one and narrow the configuration to it.
//
//   version: 1
//   name: eu-west                       # the file's name
//   labels: {cloud: ovh, zone: gra-1, country: fr}
//   replicas: 2                         # instances of this region side by side
//   plants:
//     - {name: lyon, target: erp-prod, company_id: 3, params: {warehouse_code: LYO}}
//   journeys:                           # optional; else the config's, on these plants
//     - {name: goods_receipt, interval: 5m, plants: [lyon]}
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "config/config.h"
#include "config/sections.h"
#include "config/yaml_reader.h"
#include "config/yaml_util.h"
#include "prober/text.h"

namespace odoo_prober::config {
namespace {

namespace fs = std::filesystem;
using Fields = YamlReader::Fields;

class RegionLoader {
 public:
  RegionLoader(const std::string& file, const ProberConfig& cfg) : r_(file), cfg_(cfg) {
    region_.file = file;
  }

  void Load(const std::string& name, const std::string& text) {
    r_.Guarded([&] { LoadRoot(LoadUtf8(text), name); });
  }

  YamlReader& reader() { return r_; }
  RegionConfig region_;
  std::optional<std::vector<JourneySelection>> journeys_;

 private:
  void LoadRoot(const YAML::Node& root, const std::string& name) {
    if (!root.IsDefined() || root.IsNull()) {
      r_.Error(YAML::Mark(), "",
               "the region file is empty; see config/examples/regions/ for examples");
      return;
    }
    auto f = r_.Map(root, "", {"version", "name", "labels", "replicas", "plants", "journeys"});
    if (!f) return;
    if (!f->Has("version") || f->Value("version").Scalar() != "1") {
      r_.Error(f->Has("version") ? f->Value("version") : root, "version",
               "is required and must be 1; add 'version: 1' at the top");
    }
    if (auto n =
            f->Text("name", "name the region as its file is named, e.g. name: eu-west", true)) {
      if (*n != name) {
        r_.Error(f->Value("name"), "name",
                 "is '" + *n + "' but the file is the region '" + name +
                     "'; a region file is named after its region (" + name + ".yaml)");
      }
    }
    region_.name = name;
    if (f->Has("labels")) LoadLabels(f->Value("labels"));
    if (auto n = f->Integer("replicas", 1, 64)) region_.replicas = static_cast<int>(*n);
    LoadPlants(*f, root);
    if (f->Has("journeys")) LoadJourneys(f->Value("journeys"));
    f->Done(root);
  }

  void LoadLabels(const YAML::Node& node) {
    auto m = r_.Map(node, "labels", {"cloud", "zone", "country"},
                    "labels: {cloud: ovh, zone: gra-1, country: fr}");
    if (!m) return;
    for (const char* key : {"cloud", "zone", "country"}) {
      auto v = m->Text(key, "a label value");
      if (v && !IsLabelValue(*v)) {
        r_.Error(m->Value(key), m->Sub(key),
                 "use at most 64 letters, digits, '_', '-' or '.' (it becomes a metric label)");
      } else if (v) {
        region_.labels[key] = *v;
      }
    }
  }

  void LoadPlants(Fields& f, const YAML::Node& root) {
    const YAML::Node list = f.Value("plants");
    if (!list.IsSequence() || list.size() == 0) {
      r_.Error(f.Has("plants") ? list : root, "plants",
               "needs a list with at least one plant (- {name: lyon, target: erp-prod})");
      return;
    }
    std::vector<std::string> targets;
    for (const auto& t : cfg_.targets) targets.push_back(t.name);
    r_.Sequence(list, "plants", "", [&](const YAML::Node& node, const std::string& field) {
      auto p = r_.Map(node, field, {"name", "target", "params", "company_id"});
      if (!p) return;
      RegionPlant plant;
      plant.pos = r_.Pos(node);
      auto name = p->Text("name", "name the plant, e.g. name: lyon", true);
      auto target = p->Text("target", "name the config's target serving it", true);
      if (auto params = p->Object("params", "parameter: value")) plant.params = *params;
      if (auto id = p->Integer("company_id", 1, 1000000000))
        plant.company_id = static_cast<int>(*id);
      p->Done(node);
      if (!name || !target) return;
      if (!IsLabelValue(*name)) {
        return r_.Error(p->Value("name"), p->Sub("name"),
                        "use at most 64 letters, digits, '_', '-' or '.' (it becomes a metric "
                        "label)");
      }
      if (plant_targets_.count(*name)) {
        return r_.Error(p->Value("name"), p->Sub("name"), "plant '" + *name + "' is listed twice");
      }
      if (std::find(targets.begin(), targets.end(), *target) == targets.end()) {
        auto guess = Closest(*target, targets);
        return r_.Error(
            p->Value("target"), p->Sub("target"),
            "the config has no target '" + *target + "'" +
                (guess ? "; did you mean '" + *guess + "'?" : "; known: " + prober::Join(targets)));
      }
      for (const auto& [other, t] : plant_targets_) {
        if (t == *target) {
          return r_.Error(p->Value("target"), p->Sub("target"),
                          "plant '" + other + "' already uses target '" + *target +
                              "'; give each plant its own target in the config (the same url "
                              "with its own company_id and params)");
        }
      }
      plant.name = *name;
      plant.target = *target;
      plant_targets_[*name] = *target;
      region_.plants.push_back(std::move(plant));
    });
  }

  void LoadJourneys(const YAML::Node& list) {
    journeys_.emplace();
    r_.Sequence(list, "journeys", "- {name: login, plants: [lyon]}",
                [&](const YAML::Node& node, const std::string& field) {
                  auto f = r_.Map(node, field,
                                  {"name", "id", "plants", "params", "interval", "timeout",
                                   "service", "step_histograms", "stock_moves"});
                  if (!f) return;
                  JourneySelection j;
                  LoadJourneyFields(r_, *f, node, j);
                  if (f->Has("plants"))
                    j.targets = PlantTargets(f->Value("plants"), f->Sub("plants"));
                  f->Done(node);
                  journeys_->push_back(std::move(j));
                });
  }

  // The targets of the named plants.
  std::vector<std::string> PlantTargets(const YAML::Node& list, const std::string& field) {
    std::vector<std::string> out, known;
    for (const auto& [name, target] : plant_targets_) known.push_back(name);
    if (!list.IsSequence() || list.size() == 0) {
      r_.Error(list, field, "must be a non-empty list of plant names; leave it out for all plants");
      return out;
    }
    r_.Sequence(list, field, "", [&](const YAML::Node& item, const std::string& sub) {
      auto it = plant_targets_.find(item.IsScalar() ? item.Scalar() : "");
      if (it == plant_targets_.end()) {
        auto guess = Closest(item.IsScalar() ? item.Scalar() : "", known);
        return r_.Error(item, sub,
                        "no plant of this region is named '" + item.Scalar() + "'" +
                            (guess ? "; did you mean '" + *guess + "'?"
                                   : "; its plants: " + prober::Join(known)));
      }
      out.push_back(it->second);
    });
    return out;
  }

  YamlReader r_;
  const ProberConfig& cfg_;
  std::map<std::string, std::string> plant_targets_;  // plant -> target
};

// The region's targets only, labelled with the region and their plant and carrying the plant's
// parameters; the region's journeys, or the config's narrowed to the region's targets.
void Apply(const RegionConfig& region, std::optional<std::vector<JourneySelection>> journeys,
           ProberConfig& cfg) {
  std::vector<TargetConfig> targets;
  for (const auto& plant : region.plants) {
    TargetConfig t = *cfg.FindTarget(plant.target);
    t.labels.region = region.name;
    t.labels.plant = plant.name;
    t.params.update(plant.params);
    if (plant.company_id != 0) t.company_id = plant.company_id;
    targets.push_back(std::move(t));
  }
  cfg.targets = std::move(targets);
  if (journeys) {
    cfg.journeys = std::move(*journeys);
  } else {
    std::vector<JourneySelection> kept;
    for (auto& j : cfg.journeys) {
      if (j.targets.empty()) {
        kept.push_back(std::move(j));
        continue;
      }
      std::vector<std::string> here;
      for (const auto& name : j.targets) {
        if (cfg.FindTarget(name)) here.push_back(name);
      }
      if (here.empty()) continue;  // it runs elsewhere
      j.targets = std::move(here);
      kept.push_back(std::move(j));
    }
    cfg.journeys = std::move(kept);
  }
  cfg.region = region;
}

// An error about a file as a whole (line 1), or about the command line (line 0).
ConfigError Problem(const std::string& file, int line, const std::string& message) {
  ConfigError e;
  e.pos.file = file;
  e.pos.line = line;
  e.pos.column = line;
  e.message = message;
  return e;
}

// The region names of the files in `dir`, for "known regions".
std::vector<std::string> KnownRegions(const std::string& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    if (e.path().extension() == ".yaml") out.push_back(e.path().stem().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

void LoadRegion(const std::string& region, ProberConfig& cfg, std::vector<ConfigError>& errors,
                std::vector<std::string>& warnings) {
  const std::string path = (fs::path(cfg.regions_dir) / (region + ".yaml")).string();
  if (!IsLabelValue(region)) {
    errors.push_back(
        Problem("--region", 0,
                "'" + region +
                    "' is not a region name; use letters, digits, '_', '-' or '.' (the "
                    "name of a file in " +
                    cfg.regions_dir + ")"));
    return;
  }
  std::error_code ec;
  std::ifstream in(path, std::ios::binary);
  if (!in || std::filesystem::is_directory(path, ec)) {
    const auto known = KnownRegions(cfg.regions_dir);
    errors.push_back(Problem(path, 1,
                             "cannot read the file of region '" + region + "'; " +
                                 (known.empty() ? "there is no region file in " + cfg.regions_dir +
                                                      " (set regions_dir in the config)"
                                                : "known regions: " + prober::Join(known))));
    return;
  }
  std::stringstream text;
  text << in.rdbuf();
  RegionLoader loader(path, cfg);
  loader.Load(region, text.str());
  auto& found = loader.reader().errors();
  errors.insert(errors.end(), found.begin(), found.end());
  warnings.insert(warnings.end(), loader.reader().warnings().begin(),
                  loader.reader().warnings().end());
  if (found.empty()) Apply(loader.region_, std::move(loader.journeys_), cfg);
}

}  // namespace odoo_prober::config
