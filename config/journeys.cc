// journeys[] and journey_dirs: what runs where (sections.h). A region file reads its journeys[]
// entries with LoadJourneyFields too.
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <string>
#include <vector>

#include "config/config.h"
#include "config/sections.h"
#include "config/yaml_reader.h"
#include "config/yaml_util.h"
#include "prober/text.h"

namespace odoo_prober::config {
namespace {

namespace fs = std::filesystem;
using Fields = YamlReader::Fields;
using prober::Join;
using namespace std::chrono_literals;

class JourneysReader {
 public:
  explicit JourneysReader(ReadContext& c) : c_(c), r_(c.r) {}

  void LoadJourneys(Fields& f, const YAML::Node& root, ProberConfig& cfg) {
    if (!f.Has("journeys")) {
      r_.Error(root, "journeys",
               "is required; list the journeys to run, e.g. journeys: [{name: login}]");
      return;
    }
    r_.Sequence(
        f.Value("journeys"), "journeys", "- name: login",
        [&](const YAML::Node& node, const std::string& field) { LoadJourney(node, field, cfg); });
  }

  void LoadJourney(const YAML::Node& node, const std::string& field, ProberConfig& cfg) {
    auto f = r_.Map(node, field,
                    {"name", "id", "targets", "params", "interval", "timeout", "service",
                     "step_histograms", "stock_moves"});
    if (!f) return;
    JourneySelection j;
    LoadJourneyFields(r_, *f, node, j);
    if (f->Has("targets")) j.targets = JourneyTargets(f->Value("targets"), f->Sub("targets"));
    f->Done(node);
    cfg.journeys.push_back(std::move(j));
  }

  std::vector<std::string> JourneyTargets(const YAML::Node& list, const std::string& field) {
    std::vector<std::string> names;
    if (!list.IsSequence() || list.size() == 0) {
      r_.Error(list, field,
               "must be a non-empty list of target names; leave it out to run on every target");
      return names;
    }
    const std::vector<std::string> known(c_.targets.begin(), c_.targets.end());
    r_.Sequence(list, field, "", [&](const YAML::Node& item, const std::string& sub) {
      if (!item.IsScalar()) return r_.Error(item, sub, "must be a target name");
      if (!c_.targets.count(item.Scalar())) {
        auto guess = Closest(item.Scalar(), known);
        return r_.Error(
            item, sub,
            "no target is named '" + item.Scalar() + "'" +
                (guess ? "; did you mean '" + *guess + "'?" : "; known: " + Join(known)));
      }
      names.push_back(item.Scalar());
    });
    return names;
  }

  void LoadJourneyDirs(Fields& f, ProberConfig& cfg) {
    if (!f.Has("journey_dirs")) return;
    r_.Sequence(f.Value("journey_dirs"), "journey_dirs", "[journeys]",
                [&](const YAML::Node& item, const std::string& sub) {
                  const std::string dir = item.IsScalar() ? c_.Resolve(item.Scalar()) : "";
                  if (dir.empty() || !fs::is_directory(dir)) {
                    r_.Error(item, sub,
                             "is not a folder; relative paths are taken from the config file's "
                             "folder");
                  } else {
                    cfg.journey_dirs.push_back(dir);
                  }
                });
  }

 private:
  ReadContext& c_;
  YamlReader& r_;
};

}  // namespace

void ReadJourneys(ReadContext& c, Fields& f, const YAML::Node& root, ProberConfig& cfg) {
  JourneysReader(c).LoadJourneys(f, root, cfg);
}

void ReadJourneyDirs(ReadContext& c, Fields& f, ProberConfig& cfg) {
  JourneysReader(c).LoadJourneyDirs(f, cfg);
}

void LoadJourneyFields(YamlReader& r, YamlReader::Fields& f, const YAML::Node& node,
                       JourneySelection& j) {
  j.pos = r.Pos(node);
  if (auto name = f.Text("name", "name a journey, e.g. name: login", true)) {
    j.pos = r.Pos(f.Value("name"));
    j.name = *name;
    j.id = *name;
  }
  if (auto id = f.Text("id", "name this probe, e.g. id: goods_receipt_backorder")) {
    if (IsLabelValue(*id)) {
      j.id = *id;
    } else {
      r.Error(f.Value("id"), f.Sub("id"), kLabelValueRule);
    }
  }
  if (auto params = f.Object("params", "parameter: value")) j.params = *params;
  if (auto d = f.Duration("timeout", 1ms, 10min, "30s")) j.timeout = *d;
  if (auto d = f.Duration("interval", 1s, 24h, "60s or 5m")) j.interval = *d;
  if (auto on = f.Bool("step_histograms")) j.step_histograms = *on;
  if (auto moves = f.Text("stock_moves", "allowed or refused")) {
    if (*moves == "allowed" || *moves == "refused") {
      j.stock_moves_allowed = *moves == "allowed";
    } else {
      r.Error(f.Value("stock_moves"), f.Sub("stock_moves"),
              "must be refused (the default: a product that keeps stock is refused) or allowed "
              "(this product's stock belongs to the probe: no real delivery or order ever waits "
              "for it)");
    }
  }
  if (auto service = f.Text("service", "name the business service, e.g. order-to-cash")) {
    if (auto wrong = CheckServiceName(*service); !wrong.empty()) {
      r.Error(f.Value("service"), f.Sub("service"), wrong);
    } else {
      j.service = *service;
    }
  }
}

}  // namespace odoo_prober::config
