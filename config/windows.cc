// Weekly windows (a target's maintenance:, a plant's business_hours:) and plants: (sections.h).
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "config/config.h"
#include "config/sections.h"
#include "config/yaml_reader.h"
#include "config/yaml_util.h"
#include "prober/text.h"
#include "prober/time_zone.h"

namespace odoo_prober::config {
namespace {

using Fields = YamlReader::Fields;

class WindowsReader {
 public:
  explicit WindowsReader(YamlReader& r) : r_(r) {}

  void ReadWindows(const YAML::Node& list, const std::string& field, const char* example,
                   std::vector<WeeklyWindow>& out) {
    r_.Sequence(list, field, example, [&](const YAML::Node& node, const std::string& sub) {
      if (auto w = LoadWindow(node, sub)) out.push_back(std::move(*w));
    });
  }

  std::optional<WeeklyWindow> LoadWindow(const YAML::Node& node, const std::string& field) {
    auto f = r_.Map(node, field, {"days", "from", "to", "time_zone"});
    if (!f) return std::nullopt;
    WeeklyWindow w;
    if (f->Has("days")) w.days = WindowDays(f->Value("days"), f->Sub("days"));
    w.from_minute = TimeOfDay(*f, node, "from");
    w.to_minute = TimeOfDay(*f, node, "to");
    const std::string zone = f->Has("time_zone") ? f->Value("time_zone").Scalar() : "UTC";
    auto tz = prober::TimeZone::Load(zone);
    if (!tz.ok()) {
      r_.Error(f->Has("time_zone") ? f->Value("time_zone") : node, f->Sub("time_zone"),
               tz.status().message());
    } else {
      w.zone = std::make_shared<const prober::TimeZone>(std::move(*tz));
    }
    if (w.from_minute == w.to_minute)
      r_.Error(node, field, "from and to are the same time; the window would be empty");
    return w;
  }

  uint8_t WindowDays(const YAML::Node& days, const std::string& field) {
    static const std::vector<std::string> kDays = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};
    uint8_t mask = 0;
    r_.Sequence(days, field, "[sat, sun]", [&](const YAML::Node& day, const std::string&) {
      auto pos = std::find(kDays.begin(), kDays.end(), day.Scalar());
      if (pos == kDays.end()) {
        r_.Error(day, field,
                 "unknown day '" + day.Scalar() + "'; use mon, tue, wed, thu, fri, sat, sun");
      } else {
        mask |= static_cast<uint8_t>(1u << (pos - kDays.begin()));
      }
    });
    return mask;
  }

  // "22:00" -> 1320; -1 (reported) when absent or malformed.
  int TimeOfDay(Fields& f, const YAML::Node& owner, const char* key) {
    if (!f.Has(key)) {
      r_.Error(owner, f.Sub(key), "is required, as HH:MM local time");
      return -1;
    }
    const std::string v = f.Value(key).Scalar();
    int h = -1, mi = -1;
    if (std::sscanf(v.c_str(), "%2d:%2d", &h, &mi) != 2 || v.size() != 5 || h < 0 || h > 24 ||
        mi < 0 || mi > 59 || (h == 24 && mi != 0)) {
      r_.Error(f.Value(key), f.Sub(key), "must be a time of day as HH:MM, e.g. 22:00");
      return -1;
    }
    return h * 60 + mi;
  }

  void ReadPlants(YamlReader::Fields& f, ProberConfig& cfg) {
    if (!f.Has("plants")) return;
    const YAML::Node plants = f.Value("plants");
    if (!plants.IsMap()) {
      r_.Error(plants, "plants", "must map plant labels to {params: {...}, business_hours: [...]}");
      return;
    }
    std::set<std::string> labelled;
    for (const auto& t : cfg.targets) {
      if (!t.labels.plant.empty()) labelled.insert(t.labels.plant);
    }
    for (auto p = plants.begin(); p != plants.end(); ++p) {
      const std::string plant = p->first.Scalar();
      if (!labelled.count(plant)) UnknownPlant(p->first, plant, labelled);
      if (auto m = r_.Map(p->second, "plants." + plant, {"params", "business_hours"})) {
        if (auto params = m->Object("params", "parameter: value"))
          cfg.plant_params[plant] = *params;
        if (m->Has("business_hours")) {
          auto& hours = cfg.plant_business_hours[plant];
          ReadWindows(m->Value("business_hours"), m->Sub("business_hours"),
                      "[{days: [mon, tue, wed, thu, fri], from: \"07:00\", to: \"19:00\", "
                      "time_zone: Europe/Paris}]",
                      hours);
        }
      }
    }
  }

  // A plants: entry that no target's plant label names would be ignored, its params and business
  // hours with it: an error, with the label meant (labels are case-sensitive).
  void UnknownPlant(const YAML::Node& key, const std::string& plant,
                    const std::set<std::string>& labelled) {
    const std::vector<std::string> known(labelled.begin(), labelled.end());
    const auto guess = Closest(plant, known);
    r_.Error(key, "plants." + plant,
             "no target has the plant label '" + plant + "'" +
                 (guess           ? "; did you mean '" + *guess + "'? (labels are case-sensitive)"
                  : known.empty() ? "; give the targets labels: {plant: " + plant + "}"
                                  : "; the targets' plants: " + prober::Join(known)));
  }

 private:
  YamlReader& r_;
};

}  // namespace

void ReadWindows(YamlReader& r, const YAML::Node& list, const std::string& field,
                 const char* example, std::vector<WeeklyWindow>& out) {
  WindowsReader(r).ReadWindows(list, field, example, out);
}

void ReadPlants(ReadContext& c, YamlReader::Fields& f, ProberConfig& cfg) {
  WindowsReader(c.r).ReadPlants(f, cfg);
}

}  // namespace odoo_prober::config
