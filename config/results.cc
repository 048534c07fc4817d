// results: (the JSONL and SQLite history, their bounds) and leftovers: (the retries of records
// a run could not clean up) (sections.h).
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <string>

#include "config/config.h"
#include "config/sections.h"
#include "config/yaml_reader.h"

namespace odoo_prober::config {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

class ResultsReader {
 public:
  explicit ResultsReader(ReadContext& c) : c_(c), r_(c.r) {}

  void LoadResults(const YAML::Node& node, ProberConfig& cfg) {
    auto m =
        r_.Map(node, "results",
               {"jsonl", "jsonl_max_bytes", "jsonl_keep", "sqlite", "retention_days", "queue"});
    if (!m) return;
    if (auto v = m->Text("jsonl", "")) cfg.results_jsonl = c_.Resolve(*v);
    if (auto v = m->Text("sqlite", "")) cfg.results_sqlite = c_.Resolve(*v);
    if (auto b = m->Bytes("jsonl_max_bytes", 1024, std::size_t{1} << 30, "64MiB"))
      cfg.results_jsonl_max_bytes = *b;
    if (auto n = m->Integer("jsonl_keep", 0, 100)) cfg.results_jsonl_keep = static_cast<int>(*n);
    if (auto n = m->Integer("retention_days", 1, 3650)) cfg.retention_days = static_cast<int>(*n);
    if (auto n = m->Integer("queue", 1, 1000000)) cfg.sink_queue = static_cast<size_t>(*n);
    for (const std::string* file : {&cfg.results_jsonl, &cfg.results_sqlite}) {
      const fs::path parent = fs::path(*file).parent_path();
      if (!file->empty() && !fs::is_directory(parent.empty() ? fs::path(".") : parent)) {
        r_.Error(node, "results", "the folder of '" + *file + "' does not exist; create it first");
      }
    }
  }

 private:
  ReadContext& c_;
  YamlReader& r_;
};

}  // namespace

void ReadResults(ReadContext& c, const YAML::Node& node, ProberConfig& cfg) {
  ResultsReader(c).LoadResults(node, cfg);
}

void ReadLeftovers(YamlReader& r, const YAML::Node& node, LeftoverConfig& l) {
  auto m = r.Map(node, "leftovers", {"retry_min", "retry_max", "alert_after", "max_records"});
  if (!m) return;
  if (auto d = m->Duration("retry_min", 1s, 24h, "1m")) l.retry_min = *d;
  if (auto d = m->Duration("retry_max", 1s, 24h, "30m")) l.retry_max = *d;
  if (auto d = m->Duration("alert_after", 1min, 30 * 24h, "1h")) l.alert_after = *d;
  if (auto n = m->Integer("max_records", 1, 1000000)) l.max_records = static_cast<size_t>(*n);
  if (l.retry_max < l.retry_min) {
    r.Error(m->Has("retry_max") ? m->Value("retry_max") : node, m->Sub("retry_max"),
            "must be at least retry_min; the retries back off from retry_min up to retry_max");
  }
}

}  // namespace odoo_prober::config
