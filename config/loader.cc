// YAML → ProberConfig: the loader drives one reader per section (sections.h), each appending to
// one error list, so that a user sees all problems of a file in one run; yaml-cpp's exceptions
// are caught here and become positioned errors.
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <tuple>

#include "config/config.h"
#include "config/objectives.h"
#include "config/sections.h"
#include "config/yaml_reader.h"
#include "config/yaml_util.h"
#include "prober/text.h"

namespace odoo_prober::config {

namespace fs = std::filesystem;
using prober::Join;

std::string ReadContext::Resolve(const std::string& file) const {
  fs::path p(file);
  if (p.is_relative() && !base_dir.empty()) p = base_dir / p;
  return p.string();
}

bool ReadContext::Readable(const YAML::Node& at, const std::string& field,
                           const std::string& file) {
  // A folder opens like a file, and reading it throws: refused here, positioned.
  std::error_code ec;
  if (fs::is_directory(file, ec)) {
    r.Error(at, field,
            "'" + file +
                "' is a folder, not a file; name the file inside it that holds "
                "the value (relative paths are taken from the config file's folder)");
    return false;
  }
  if (std::ifstream(file)) return true;
  r.Error(at, field,
          "cannot read '" + file + "'; check the path (relative paths are " +
              "taken from the config file's folder) and its permissions");
  return false;
}

bool ReadContext::ConfiguredJourney(const YAML::Node& key, const std::string& field,
                                    const ProberConfig& cfg) {
  const std::string name = key.Scalar();
  std::vector<std::string> known;
  for (const auto& sel : cfg.journeys) known.push_back(sel.id);
  if (std::find(known.begin(), known.end(), name) != known.end()) return true;
  auto guess = Closest(name, known);
  r.Error(key, field,
          "journeys: runs no journey named '" + name + "'" +
              (guess ? "; did you mean '" + *guess + "'?" : "; known: " + Join(known)));
  return false;
}

std::optional<std::size_t> ResponseBytes(YamlReader::Fields& f) {
  return f.Bytes("max_response_bytes", 1024, std::size_t{1} << 30, "16MiB or 65536");
}

namespace {

using Fields = YamlReader::Fields;
using namespace std::chrono_literals;

// Keys that would put a secret in the file itself.
const std::set<std::string> kInlineSecretKeys = {"password", "api_key", "apikey", "secret",
                                                 "token",    "passwd",  "key"};

class Loader {
 public:
  Loader(std::string path, const LoadOptions& options)
      : r_(path),
        path_(std::move(path)),
        options_(options),
        c_{r_, options, fs::path(path_).parent_path()} {
    r_.RefuseKeys(kInlineSecretKeys,
                  std::string("inline secrets are not allowed; ") + kSecretAlternatives);
  }

  ParseOutcome Parse(const std::string& text) {
    ParseOutcome out;
    ProberConfig cfg;
    cfg.path = path_;
    r_.Guarded([&] { LoadRoot(LoadUtf8(text), cfg); });
    out.errors = std::move(r_.errors());
    out.warnings = r_.warnings();
    if (out.errors.empty() && !options_.identity.region.empty()) {
      LoadRegion(options_.identity.region, cfg, out.errors, out.warnings);
    }
    if (!options_.identity.instance.empty()) cfg.instance = options_.identity.instance;
    // One failed run that outweighs the fast page's share: said once per journeys[] entry.
    for (size_t i = 0; i < cfg.journeys.size(); ++i) {
      const auto& j = cfg.journeys[i];
      const std::string warning = SingleFailureWarning(cfg.objectives.For(j.name), j.interval);
      if (!warning.empty()) {
        out.warnings.push_back(j.pos.ToString() + ": journeys[" + std::to_string(i) + "] (" +
                               j.name + "): " + warning);
      }
    }
    cfg.warnings = out.warnings;
    if (out.errors.empty()) {
      out.config = std::move(cfg);
    } else {
      out.partial = std::move(cfg);
    }
    return out;
  }

 private:
  void LoadRoot(const YAML::Node& root, ProberConfig& cfg) {
    if (!root.IsDefined() || root.IsNull()) {
      r_.Error(YAML::Mark(), "", "the file is empty; start from config/examples/prober.yaml");
      return;
    }
    auto f = r_.Map(root, "",
                    {"version", "defaults", "targets", "journeys", "journey_dirs", "plants",
                     "concurrency", "per_target_concurrency", "instance", "admin", "results",
                     "tls_check_interval", "objectives", "regions_dir", "compare", "leftovers",
                     "dependencies", "fingerprint_interval"});
    if (!f) return;
    LoadVersion(*f, root);
    ReadTargets(c_, *f, root, LoadDefaults(*f), cfg);
    ReadJourneys(c_, *f, root, cfg);
    ReadJourneyDirs(c_, *f, cfg);
    ReadPlants(c_, *f, cfg);
    LoadInstance(*f, cfg);
    ReadAdmin(c_, *f, cfg);
    cfg.regions_dir = (c_.base_dir / "regions").string();
    if (auto dir = f->Text("regions_dir", "a folder of region files, e.g. regions_dir: regions"))
      cfg.regions_dir = (c_.base_dir / *dir).string();
    if (f->Has("results")) ReadResults(c_, f->Value("results"), cfg);
    if (f->Has("objectives")) {
      ReadObjectives(r_, f->Value("objectives"), cfg,
                     [&](const YAML::Node& key, const std::string& field) {
                       return c_.ConfiguredJourney(key, field, cfg);
                     });
    }
    if (f->Has("compare")) ReadCompare(c_, f->Value("compare"), cfg);
    if (f->Has("leftovers")) ReadLeftovers(r_, f->Value("leftovers"), cfg.leftovers);
    if (f->Has("dependencies")) ReadDependencies(c_, f->Value("dependencies"), cfg);
    if (auto d = f->Duration("tls_check_interval", 1min, 168h, "6h")) cfg.tls_check_interval = *d;
    // `off`: no change watching (no reading, no login beyond the journeys').
    if (f->Has("fingerprint_interval") && f->Value("fingerprint_interval").IsScalar() &&
        f->Value("fingerprint_interval").Scalar() == "off") {
      cfg.fingerprint_interval = std::chrono::milliseconds(0);
    } else if (auto d = f->Duration("fingerprint_interval", 1s, 24h, "15m or off")) {
      cfg.fingerprint_interval = *d;
    }
    if (auto n = f->Integer("concurrency", 1, 256)) cfg.concurrency = static_cast<int>(*n);
    if (auto n = f->Integer("per_target_concurrency", 1, 256))
      cfg.per_target_concurrency = static_cast<int>(*n);
  }

  void LoadVersion(Fields& f, const YAML::Node& root) {
    if (!f.Has("version")) {
      r_.Error(root, "version", "is required; add 'version: 1' at the top");
    } else if (!f.Value("version").IsScalar() || f.Value("version").Scalar() != "1") {
      r_.Error(f.Value("version"), "version",
               "unsupported schema version; this odoo-prober reads 'version: 1'");
    }
  }

  TargetDefaults LoadDefaults(Fields& f) {
    TargetDefaults d;
    if (!f.Has("defaults")) return d;
    auto m = r_.Map(f.Value("defaults"), "defaults",
                    {"timeout", "connect_timeout", "max_response_bytes"});
    if (!m) return d;
    if (auto t = m->Duration("timeout", 1ms, 10min, "10s")) d.timeout = *t;
    if (auto t = m->Duration("connect_timeout", 1ms, 10min, "5s")) d.connect_timeout = *t;
    if (auto b = ResponseBytes(*m)) d.max_response_bytes = *b;
    return d;
  }

  void LoadInstance(Fields& f, ProberConfig& cfg) {
    if (!f.Has("instance")) return;
    const YAML::Node v = f.Value("instance");
    if (!v.IsScalar() || !IsLabelValue(v.Scalar())) {
      r_.Error(v, "instance", kLabelValueRule);
    } else {
      cfg.instance = v.Scalar();
    }
  }

  YamlReader r_;
  const std::string path_;
  const LoadOptions& options_;
  ReadContext c_;
};

}  // namespace

ParseOutcome ParseConfig(const std::string& text, const std::string& path,
                         const LoadOptions& options) {
  return Loader(path, options).Parse(text);
}

prober::Result<ParseOutcome> ReadConfig(const std::string& path, const LoadOptions& options) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    return prober::Status::InvalidArgument(path + ": is a folder; name the configuration file " +
                                           "(see config/examples/prober.yaml)");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return prober::Status::InvalidArgument(path + ": cannot open the configuration file; " +
                                           "check the path (see config/examples/prober.yaml)");
  }
  std::stringstream text;
  text << in.rdbuf();
  return ParseConfig(text.str(), path, options);
}

prober::Result<ProberConfig> LoadConfig(const std::string& path, const LoadOptions& options) {
  auto out = ReadConfig(path, options);
  if (!out.ok()) return out.status();
  if (!out->errors.empty()) return prober::Status::InvalidArgument(JoinErrors(out->errors));
  return std::move(*out->config);
}

std::string JoinErrors(std::vector<ConfigError> errors) {
  std::map<std::string, size_t> file_rank;  // files in the order they first appear
  for (const auto& e : errors) file_rank.emplace(e.pos.file, file_rank.size());
  std::stable_sort(errors.begin(), errors.end(), [&](const ConfigError& a, const ConfigError& b) {
    return std::tuple(file_rank[a.pos.file], a.pos.line, a.pos.column) <
           std::tuple(file_rank[b.pos.file], b.pos.line, b.pos.column);
  });
  return prober::JoinEach(errors, "\n", [](const ConfigError& e) { return e.ToString(); });
}

}  // namespace odoo_prober::config
