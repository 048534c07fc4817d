// YAML → ProberConfig. Every check appends to one error list so that a user sees all problems
// of a file in one run; yaml-cpp's exceptions are caught here and become positioned errors.
#include <sys/stat.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <tuple>

#include "config/config.h"
#include "config/yaml_util.h"
#include "prober/text.h"

namespace odoo_prober::config {

std::string SourcePos::ToString() const {
  return file + ":" + std::to_string(line) + ":" + std::to_string(column);
}

std::string ConfigError::ToString() const {
  return pos.ToString() + ": " + (field.empty() ? "" : field + ": ") + message;
}

bool MaintenanceWindow::Contains(std::chrono::system_clock::time_point when) const {
  const auto local = zone ? zone->LocalAt(when) : prober::TimeZone::Utc().LocalAt(when);
  auto on = [&](int weekday) { return (days >> ((weekday + 7) % 7)) & 1; };
  if (from_minute <= to_minute) {
    return on(local.weekday) && local.minute_of_day >= from_minute &&
           local.minute_of_day < to_minute;
  }
  return (on(local.weekday) && local.minute_of_day >= from_minute) ||
         (on(local.weekday - 1) && local.minute_of_day < to_minute);
}

const TargetConfig* ProberConfig::FindTarget(const std::string& name) const {
  for (const auto& t : targets) {
    if (t.name == name) return &t;
  }
  return nullptr;
}

std::optional<std::chrono::milliseconds> ParseDuration(const std::string& text) {
  if (text.empty()) return std::nullopt;
  size_t i = 0;
  while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.'))
    ++i;
  if (i == 0) return std::nullopt;
  const std::string number = text.substr(0, i), unit = text.substr(i);
  if (std::count(number.begin(), number.end(), '.') > 1) return std::nullopt;
  double value = std::strtod(number.c_str(), nullptr);
  double ms;
  if (unit.empty() || unit == "s") {
    ms = value * 1000;
  } else if (unit == "ms") {
    ms = value;
  } else if (unit == "m") {
    ms = value * 60'000;
  } else if (unit == "h") {
    ms = value * 3'600'000;
  } else if (unit == "d") {
    ms = value * 86'400'000;
  } else {
    return std::nullopt;
  }
  if (ms > 1e12) return std::nullopt;
  return std::chrono::milliseconds(static_cast<int64_t>(ms + 0.5));
}

std::optional<std::size_t> ParseByteSize(const std::string& text) {
  size_t i = 0;
  while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) ++i;
  if (i == 0 || i > 15) return std::nullopt;
  const uint64_t value = std::stoull(text.substr(0, i));
  static const std::map<std::string, uint64_t> kUnits = {
      {"", 1},      {"B", 1},     {"KiB", 1ull << 10}, {"MiB", 1ull << 20}, {"GiB", 1ull << 30},
      {"kB", 1000}, {"KB", 1000}, {"MB", 1000'000},    {"GB", 1000'000'000}};
  auto it = kUnits.find(text.substr(i));
  if (it == kUnits.end()) return std::nullopt;
  return static_cast<std::size_t>(value * it->second);
}

namespace {

namespace fs = std::filesystem;
using prober::Join;
using prober::Protocol;
using prober::Secret;

// Keys that would put a secret in the file itself.
const std::set<std::string> kInlineSecretKeys = {"password", "api_key", "apikey", "secret",
                                                 "token",    "passwd",  "key"};
constexpr const char* kSecretAlternatives =
    "put the secret in an environment variable or a file and reference it with "
    "password_env: VAR, password_file: /path, api_key_env: VAR or api_key_file: /path";

class Loader {
 public:
  Loader(std::string path, const LoadOptions& options) : path_(std::move(path)), options_(options) {
    base_dir_ = fs::path(path_).parent_path();
  }

  ParseOutcome Parse(const std::string& text) {
    ParseOutcome out;
    YAML::Node root;
    try {
      root = YAML::Load(text);
    } catch (const YAML::ParserException& e) {
      Error(e.mark, "",
            "YAML syntax error: " + e.msg +
                " (check indentation, colons and quotes near this position)");
      out.errors = std::move(errors_);
      return out;
    } catch (const YAML::Exception& e) {
      Error(e.mark, "", std::string("cannot read YAML: ") + e.what());
      out.errors = std::move(errors_);
      return out;
    }
    ProberConfig cfg;
    cfg.path = path_;
    try {
      LoadRoot(root, cfg);
    } catch (const YAML::Exception& e) {
      // Defensive: a conversion we did not guard; still a positioned error, never a crash.
      Error(e.mark, "", std::string("unexpected YAML content: ") + e.what());
    }
    out.errors = std::move(errors_);
    out.warnings = warnings_;
    cfg.warnings = warnings_;
    if (out.errors.empty()) out.config = std::move(cfg);
    return out;
  }

 private:
  SourcePos Pos(const YAML::Mark& m) const {
    // yaml-cpp marks are 0-based; editors count from 1. An unknown mark (-1) becomes line 1.
    return {path_, m.line >= 0 ? m.line + 1 : 1, m.column >= 0 ? m.column + 1 : 1};
  }
  void Error(const YAML::Mark& m, std::string field, std::string message) {
    errors_.push_back({Pos(m), std::move(field), std::move(message)});
  }
  void Warn(const YAML::Mark& m, const std::string& field, const std::string& message) {
    warnings_.push_back(Pos(m).ToString() + ": " + field + ": " + message);
  }

  // Checks that `node` is a map, rejects unknown and duplicate keys, and returns its entries by
  // key, with the key node (for positions) and the value node.
  struct Entry {
    YAML::Node key;
    YAML::Node value;
  };
  using Entries = std::map<std::string, Entry>;
  std::optional<Entries> Map(const YAML::Node& node, const std::string& field,
                             const std::vector<std::string>& known) {
    if (!node.IsMap()) {
      Error(node.Mark(), field, "must be a mapping of key: value lines" + Example(field));
      return std::nullopt;
    }
    Entries entries;
    for (auto it = node.begin(); it != node.end(); ++it) {
      // Copies: the iterator hands out a temporary pair.
      const YAML::Node k = it->first;
      if (!k.IsScalar()) {
        Error(k.Mark(), field, "keys must be plain words");
        continue;
      }
      const std::string key = k.Scalar();
      const std::string sub = field.empty() ? key : field + "." + key;
      if (entries.count(key)) {
        Error(k.Mark(), sub, "is given twice; keep one");
        continue;
      }
      if (std::find(known.begin(), known.end(), key) == known.end()) {
        if (kInlineSecretKeys.count(key)) {
          inline_secret_ = true;
          Error(k.Mark(), sub,
                std::string("inline secrets are not allowed; ") + kSecretAlternatives);
        } else if (auto guess = Closest(key, known)) {
          Error(k.Mark(), sub, "unknown key; did you mean '" + *guess + "'?");
          // The typo already explains why the intended key is missing.
          suggested_.insert(field.empty() ? *guess : field + "." + *guess);
        } else {
          Error(k.Mark(), sub, "unknown key; expected one of: " + Join(known));
        }
        continue;
      }
      entries[key] = {k, it->second};
    }
    return entries;
  }

  static std::string Example(const std::string& field) {
    if (field == "tls") return " (e.g. tls: {ca_file: /etc/ssl/odoo-ca.pem})";
    if (field.find("labels") != std::string::npos)
      return " (e.g. labels: {region: eu-west, plant: lyon})";
    return "";
  }

  std::optional<std::string> Str(const Entries& e, const std::string& key, const std::string& field,
                                 bool required, const std::string& how) {
    auto it = e.find(key);
    if (it == e.end() || it->second.value.IsNull()) {
      if (required) missing_.push_back({field + "." + key, how});
      return std::nullopt;
    }
    const YAML::Node& v = it->second.value;
    if (!v.IsScalar() || v.Scalar().empty()) {
      Error(v.Mark(), field + "." + key, "must be a non-empty text value; " + how);
      return std::nullopt;
    }
    return v.Scalar();
  }

  void ReportMissing(const YAML::Node& owner) {
    for (const auto& [f, how] : missing_) {
      if (!suggested_.count(f)) Error(owner.Mark(), f, "is required; " + how);
    }
    missing_.clear();
  }

  std::optional<std::chrono::milliseconds> Duration(const Entries& e, const std::string& key,
                                                    const std::string& field) {
    auto it = e.find(key);
    if (it == e.end()) return std::nullopt;
    const YAML::Node& v = it->second.value;
    auto d = v.IsScalar() ? ParseDuration(v.Scalar()) : std::nullopt;
    if (!d) {
      Error(v.Mark(), field + "." + key,
            "is not a duration; write a number with a unit: 500ms, 10s, 2m");
      return std::nullopt;
    }
    if (d->count() <= 0 || *d > std::chrono::minutes(10)) {
      Error(v.Mark(), field + "." + key, "must be more than 0 and at most 10m");
      return std::nullopt;
    }
    return d;
  }

  std::optional<std::size_t> Bytes(const Entries& e, const std::string& key,
                                   const std::string& field) {
    auto it = e.find(key);
    if (it == e.end()) return std::nullopt;
    const YAML::Node& v = it->second.value;
    auto b = v.IsScalar() ? ParseByteSize(v.Scalar()) : std::nullopt;
    if (!b || *b < 1024 || *b > (1ull << 30)) {
      Error(v.Mark(), field + "." + key,
            "must be a size between 1KiB and 1GiB, such as 16MiB or 65536");
      return std::nullopt;
    }
    return b;
  }

  std::optional<bool> Bool(const Entries& e, const std::string& key, const std::string& field) {
    auto it = e.find(key);
    if (it == e.end()) return std::nullopt;
    const YAML::Node& v = it->second.value;
    if (v.IsScalar()) {
      const std::string s = v.Scalar();
      if (s == "true") return true;
      if (s == "false") return false;
    }
    Error(v.Mark(), field + "." + key, "must be true or false");
    return std::nullopt;
  }

  std::string Resolve(const std::string& file) const {
    fs::path p(file);
    if (p.is_relative() && !base_dir_.empty()) p = base_dir_ / p;
    return p.string();
  }

  // Checks that a file named in the config can be read now, so a typo fails at load time.
  bool Readable(const YAML::Node& at, const std::string& field, const std::string& file) {
    std::ifstream in(file);
    if (!in) {
      Error(at.Mark(), field,
            "cannot read '" + file + "'; check the path (relative paths are " +
                "taken from the config file's folder) and its permissions");
      return false;
    }
    return true;
  }

  std::optional<Secret> SecretFromEnv(const YAML::Node& at, const std::string& field,
                                      const std::string& var) {
    auto get =
        options_.getenv ? options_.getenv : [](const std::string& n) -> std::optional<std::string> {
      const char* v = std::getenv(n.c_str());
      return v ? std::optional<std::string>(v) : std::nullopt;
    };
    auto value = get(var);
    if (!value || value->empty()) {
      Error(at.Mark(), field,
            "environment variable " + var + " is " + (value ? "empty" : "not set") +
                "; export it before starting odoo-prober, or use a *_file reference");
      return std::nullopt;
    }
    return Secret(*value);
  }

  std::optional<Secret> SecretFromFile(const YAML::Node& at, const std::string& field,
                                       const std::string& name) {
    const std::string file = Resolve(name);
    if (!Readable(at, field, file)) return std::nullopt;
    std::ifstream in(file, std::ios::binary);
    std::string value((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    while (!value.empty() && (value.back() == '\n' || value.back() == '\r')) value.pop_back();
    if (value.empty()) {
      Error(at.Mark(), field, "the file '" + file + "' is empty; write the secret into it");
      return std::nullopt;
    }
    if (value.size() > 4096 || value.find('\n') != std::string::npos) {
      Error(at.Mark(), field,
            "the file '" + file + "' must hold the secret alone on one line (at most 4096 bytes)");
      return std::nullopt;
    }
    struct stat st {};
    if (::stat(file.c_str(), &st) == 0 && (st.st_mode & 0077) != 0) {
      Warn(at.Mark(), field,
           "the secret file '" + file + "' is readable by group or others; chmod 600 it");
    }
    return Secret(std::move(value));
  }

  // password_env / password_file, or api_key_env / api_key_file: at most one of each pair.
  std::optional<Secret> SecretRef(const Entries& e, const std::string& field,
                                  const std::string& kind) {
    auto env = e.find(kind + "_env"), file = e.find(kind + "_file");
    if (env != e.end() && file != e.end()) {
      Error(file->second.key.Mark(), field + "." + kind + "_file",
            "give either " + kind + "_env or " + kind + "_file, not both");
      return std::nullopt;
    }
    auto ref = env != e.end() ? env : file;
    if (ref == e.end()) return std::nullopt;
    const std::string sub = field + "." + ref->first;
    const YAML::Node& v = ref->second.value;
    if (!v.IsScalar() || v.Scalar().empty()) {
      Error(v.Mark(), sub,
            ref == env ? "must name an environment variable" : "must be a file path");
      return std::nullopt;
    }
    return ref == env ? SecretFromEnv(v, sub, v.Scalar()) : SecretFromFile(v, sub, v.Scalar());
  }

  struct Defaults {
    std::chrono::milliseconds timeout{10000};
    std::chrono::milliseconds connect_timeout{5000};
    std::size_t max_response_bytes = 16u << 20;
  };

  void LoadRoot(const YAML::Node& root, ProberConfig& cfg) {
    if (!root.IsDefined() || root.IsNull()) {
      Error(YAML::Mark(), "", "the file is empty; start from config/examples/prober.yaml");
      return;
    }
    auto top =
        Map(root, "",
            {"version", "defaults", "targets", "journeys", "journey_dirs", "plants", "concurrency",
             "per_target_concurrency", "instance", "admin", "results", "tls_check_interval"});
    if (!top) return;
    auto& e = *top;

    if (auto it = e.find("version"); it == e.end()) {
      Error(root.Mark(), "version", "is required; add 'version: 1' at the top");
    } else if (!it->second.value.IsScalar() || it->second.value.Scalar() != "1") {
      Error(it->second.value.Mark(), "version",
            "unsupported schema version; this odoo-prober reads 'version: 1'");
    }

    Defaults defaults;
    if (auto it = e.find("defaults"); it != e.end()) {
      if (auto d = Map(it->second.value, "defaults",
                       {"timeout", "connect_timeout", "max_response_bytes"})) {
        if (auto t = Duration(*d, "timeout", "defaults")) defaults.timeout = *t;
        if (auto t = Duration(*d, "connect_timeout", "defaults")) defaults.connect_timeout = *t;
        if (auto b = Bytes(*d, "max_response_bytes", "defaults")) defaults.max_response_bytes = *b;
      }
    }

    auto targets = e.find("targets");
    if (targets == e.end() || !targets->second.value.IsSequence() ||
        targets->second.value.size() == 0) {
      Error(targets == e.end() ? root.Mark() : targets->second.value.Mark(), "targets",
            "needs a list with at least one Odoo target (- name: ..., url: ..., database: ...)");
    } else {
      const YAML::Node& list = targets->second.value;
      for (size_t i = 0; i < list.size(); ++i) {
        LoadTarget(list[i], "targets[" + std::to_string(i) + "]", defaults, cfg);
      }
    }

    if (auto it = e.find("journeys"); it != e.end()) {
      const YAML::Node& list = it->second.value;
      if (!list.IsSequence()) {
        Error(list.Mark(), "journeys", "must be a list (- name: login)");
      } else {
        for (size_t i = 0; i < list.size(); ++i) {
          LoadJourney(list[i], "journeys[" + std::to_string(i) + "]", cfg);
        }
      }
    } else {
      Error(root.Mark(), "journeys",
            "is required; list the journeys to run, e.g. journeys: [{name: login}]");
    }
    if (auto it = e.find("journey_dirs"); it != e.end()) {
      const YAML::Node& list = it->second.value;
      if (!list.IsSequence()) {
        Error(list.Mark(), "journey_dirs", "must be a list of folders");
      } else {
        for (size_t i = 0; i < list.size(); ++i) {
          const std::string dir = list[i].IsScalar() ? Resolve(list[i].Scalar()) : "";
          if (dir.empty() || !fs::is_directory(dir)) {
            Error(list[i].Mark(), "journey_dirs[" + std::to_string(i) + "]",
                  "is not a folder; relative paths are taken from the config file's folder");
          } else {
            cfg.journey_dirs.push_back(dir);
          }
        }
      }
    }
    if (auto it = e.find("plants"); it != e.end()) {
      const YAML::Node& plants = it->second.value;
      if (!plants.IsMap()) {
        Error(plants.Mark(), "plants", "must map plant labels to {params: {...}}");
      } else {
        for (auto p = plants.begin(); p != plants.end(); ++p) {
          const std::string plant = p->first.Scalar();
          if (auto m = Map(p->second, "plants." + plant, {"params"})) {
            if (auto params = m->find("params"); params != m->end()) {
              if (!params->second.value.IsMap()) {
                Error(params->second.value.Mark(), "plants." + plant + ".params",
                      "must be a mapping");
              } else {
                cfg.plant_params[plant] = YamlToJson(params->second.value);
              }
            }
          }
        }
      }
    }
    if (auto it = e.find("instance"); it != e.end()) {
      const YAML::Node& v = it->second.value;
      const std::string name = v.IsScalar() ? v.Scalar() : "";
      const bool safe = !name.empty() && name.size() <= 64 &&
                        std::all_of(name.begin(), name.end(), [](unsigned char ch) {
                          return std::isalnum(ch) || ch == '_' || ch == '-' || ch == '.';
                        });
      if (!safe) {
        Error(v.Mark(), "instance",
              "use at most 64 letters, digits, '_', '-' or '.' (it becomes a metric label)");
      } else {
        cfg.instance = name;
      }
    }
    if (auto it = e.find("admin"); it != e.end()) {
      if (auto m = Map(it->second.value, "admin", {"listen"})) {
        if (auto listen = Str(*m, "listen", "admin", false, "")) {
          const auto colon = listen->rfind(':');
          const std::string port = colon == std::string::npos ? "" : listen->substr(colon + 1);
          if (colon == std::string::npos || port.empty() ||
              !std::all_of(port.begin(), port.end(),
                           [](unsigned char ch) { return std::isdigit(ch); }) ||
              std::stoul(port) > 65535) {
            Error(m->at("listen").value.Mark(), "admin.listen",
                  "must be ADDRESS:PORT, e.g. 127.0.0.1:9188");
          } else {
            cfg.admin_listen = *listen;
          }
        }
      }
    }
    if (auto it = e.find("results"); it != e.end()) {
      if (auto m = Map(
              it->second.value, "results",
              {"jsonl", "jsonl_max_bytes", "jsonl_keep", "sqlite", "retention_days", "queue"})) {
        if (auto v = Str(*m, "jsonl", "results", false, "")) cfg.results_jsonl = Resolve(*v);
        if (auto v = Str(*m, "sqlite", "results", false, "")) cfg.results_sqlite = Resolve(*v);
        if (auto b = Bytes(*m, "jsonl_max_bytes", "results")) cfg.results_jsonl_max_bytes = *b;
        for (const auto& [key, out, lo, hi] : {std::tuple<const char*, int*, int, int>{
                                                   "jsonl_keep", &cfg.results_jsonl_keep, 0, 100},
                                               {"retention_days", &cfg.retention_days, 1, 3650}}) {
          if (auto f = m->find(key); f != m->end()) {
            const auto n = YamlToJson(f->second.value);
            if (!n.is_number_integer() || n.get<int>() < lo || n.get<int>() > hi) {
              Error(f->second.value.Mark(), std::string("results.") + key,
                    "must be an integer from " + std::to_string(lo) + " to " + std::to_string(hi));
            } else {
              *out = n.get<int>();
            }
          }
        }
        if (auto f = m->find("queue"); f != m->end()) {
          const auto n = YamlToJson(f->second.value);
          if (!n.is_number_integer() || n.get<int>() < 1 || n.get<int>() > 1000000) {
            Error(f->second.value.Mark(), "results.queue", "must be an integer from 1 to 1000000");
          } else {
            cfg.sink_queue = n.get<size_t>();
          }
        }
        for (const std::string* dir_of : {&cfg.results_jsonl, &cfg.results_sqlite}) {
          const fs::path parent = fs::path(*dir_of).parent_path();
          if (!dir_of->empty() && !fs::is_directory(parent.empty() ? fs::path(".") : parent)) {
            Error(it->second.value.Mark(), "results",
                  "the folder of '" + *dir_of + "' does not exist; create it first");
          }
        }
      }
    }
    if (auto it = e.find("tls_check_interval"); it != e.end()) {
      const YAML::Node& v = it->second.value;
      auto d = v.IsScalar() ? ParseDuration(v.Scalar()) : std::nullopt;
      if (!d || *d < std::chrono::minutes(1) || *d > std::chrono::hours(24 * 7)) {
        Error(v.Mark(), "tls_check_interval", "must be a duration from 1m to 168h, e.g. 6h");
      } else {
        cfg.tls_check_interval = *d;
      }
    }
    for (const auto& [key, target] : {std::pair<const char*, int*>{"concurrency", &cfg.concurrency},
                                      {"per_target_concurrency", &cfg.per_target_concurrency}}) {
      if (auto it = e.find(key); it != e.end()) {
        const YAML::Node& v = it->second.value;
        const auto n = v.IsScalar() ? YamlToJson(v) : nlohmann::json();
        if (!n.is_number_integer() || n.get<int>() < 1 || n.get<int>() > 256) {
          Error(v.Mark(), key, "must be an integer from 1 to 256");
        } else {
          *target = n.get<int>();
        }
      }
    }
  }

  void LoadTarget(const YAML::Node& node, const std::string& field, const Defaults& defaults,
                  ProberConfig& cfg) {
    inline_secret_ = false;
    auto m = Map(node, field,
                 {"name", "url", "database", "protocol", "login", "password_env", "password_file",
                  "api_key_env", "api_key_file", "timeout", "connect_timeout", "max_response_bytes",
                  "tls", "labels", "company_id", "params", "maintenance"});
    if (!m) return;
    auto& e = *m;
    TargetConfig t;
    t.pos = Pos(node.Mark());
    auto& c = t.client;
    c.call_timeout = defaults.timeout;
    c.connect_timeout = defaults.connect_timeout;
    c.max_response_bytes = defaults.max_response_bytes;

    if (auto name =
            Str(e, "name", field, true, "give the target a unique name, e.g. name: lyon-prod")) {
      const bool safe = std::all_of(name->begin(), name->end(), [](unsigned char ch) {
        return std::isalnum(ch) || ch == '_' || ch == '-' || ch == '.';
      });
      if (!safe || name->size() > 64) {
        Error(e.at("name").value.Mark(), field + ".name",
              "use at most 64 letters, digits, '_', '-' or '.' (it becomes a metric label)");
      } else if (cfg.FindTarget(*name) || seen_targets_.count(*name)) {
        Error(e.at("name").value.Mark(), field + ".name",
              "target '" + *name + "' is defined twice; target names must be unique");
      } else {
        t.name = *name;
        seen_targets_.insert(*name);
      }
    }
    if (auto url = Str(e, "url", field, true, "e.g. url: https://erp.example.com")) {
      std::string u = *url;
      while (!u.empty() && u.back() == '/') u.pop_back();
      const auto& at = e.at("url").value;
      const bool https = u.rfind("https://", 0) == 0;
      if (!https && u.rfind("http://", 0) != 0) {
        Error(at.Mark(), field + ".url",
              "must start with https:// (or http:// on a trusted network)");
      } else if (u.find('@', https ? 8 : 7) != std::string::npos &&
                 u.find('@', https ? 8 : 7) < u.find('/', https ? 8 : 7)) {
        Error(at.Mark(), field + ".url",
              std::string("must not carry credentials; ") + kSecretAlternatives);
      } else if (u.find_first_of(" \t?#") != std::string::npos) {
        Error(at.Mark(), field + ".url", "must be a base URL without spaces, query or fragment");
      } else {
        c.base_url = u;
        if (!https) {
          Warn(at.Mark(), field + ".url",
               "plain http:// sends the password in clear text; use https:// outside a lab");
        }
      }
    }
    if (auto db = Str(e, "database", field, true, "name the Odoo database, e.g. database: prod")) {
      c.database = *db;
    }
    if (auto login = Str(e, "login", field, true, "the Odoo user's login, e.g. login: probe")) {
      c.login = *login;
    }
    if (auto proto = Str(e, "protocol", field, false, "")) {
      static const std::map<std::string, Protocol> kProtocols = {{"auto", Protocol::kAuto},
                                                                 {"jsonrpc", Protocol::kJsonRpc},
                                                                 {"web", Protocol::kWeb},
                                                                 {"json2", Protocol::kJson2}};
      if (auto it = kProtocols.find(*proto); it != kProtocols.end()) {
        c.protocol = it->second;
      } else {
        Error(e.at("protocol").value.Mark(), field + ".protocol",
              "must be one of auto, jsonrpc, web, json2");
      }
    }
    const size_t errors_before = errors_.size();
    if (auto s = SecretRef(e, field, "password")) c.password = *s;
    if (auto s = SecretRef(e, field, "api_key")) c.api_key = *s;
    if (errors_.size() == errors_before && !inline_secret_ && c.password.empty() &&
        c.api_key.empty()) {
      Error(node.Mark(), field,
            "needs a credential: password_env, password_file, api_key_env or api_key_file");
    }
    if (c.protocol == Protocol::kWeb && !e.count("password_env") && !e.count("password_file") &&
        (e.count("api_key_env") || e.count("api_key_file"))) {
      Error(e.at("protocol").value.Mark(), field + ".protocol",
            "the web session logs in with a password, and API keys cannot; use protocol: jsonrpc "
            "with an API key, or give password_env / password_file");
    }
    if (c.protocol == Protocol::kJson2 && !e.count("api_key_env") && !e.count("api_key_file")) {
      Error(e.at("protocol").value.Mark(), field + ".protocol",
            "JSON-2 authenticates with an API key; add api_key_env or api_key_file");
    }
    if (auto t2 = Duration(e, "timeout", field)) c.call_timeout = *t2;
    if (auto t2 = Duration(e, "connect_timeout", field)) c.connect_timeout = *t2;
    if (auto b = Bytes(e, "max_response_bytes", field)) c.max_response_bytes = *b;
    if (auto it = e.find("tls"); it != e.end()) LoadTls(it->second.value, field + ".tls", t);
    if (auto it = e.find("company_id"); it != e.end()) {
      const auto v = YamlToJson(it->second.value);
      if (!v.is_number_integer() || v.get<int>() < 1) {
        Error(it->second.value.Mark(), field + ".company_id",
              "must be the probe company's id (an integer)");
      } else {
        t.company_id = v.get<int>();
      }
    }
    if (auto it = e.find("params"); it != e.end()) {
      if (!it->second.value.IsMap()) {
        Error(it->second.value.Mark(), field + ".params", "must be a mapping of parameter: value");
      } else {
        t.params = YamlToJson(it->second.value);
      }
    }
    if (auto it = e.find("maintenance"); it != e.end()) {
      LoadMaintenance(it->second.value, field + ".maintenance", t);
    }
    if (auto it = e.find("labels"); it != e.end()) {
      if (auto l = Map(it->second.value, field + ".labels", {"region", "plant", "env"})) {
        auto label = [&](const char* key, std::string& out) {
          if (auto v = Str(*l, key, field + ".labels", false, "")) {
            const bool safe = std::all_of(v->begin(), v->end(), [](unsigned char ch) {
              return std::isalnum(ch) || ch == '_' || ch == '-' || ch == '.';
            });
            if (!safe || v->size() > 64) {
              Error(l->at(key).value.Mark(), field + ".labels." + key,
                    "use at most 64 letters, digits, '_', '-' or '.' (it becomes a metric label)");
            } else {
              out = *v;
            }
          }
        };
        label("region", t.labels.region);
        label("plant", t.labels.plant);
        label("env", t.labels.env);
      }
    }
    ReportMissing(node);
    cfg.targets.push_back(std::move(t));
  }

  void LoadMaintenance(const YAML::Node& list, const std::string& field, TargetConfig& t) {
    if (!list.IsSequence()) {
      Error(list.Mark(), field,
            "must be a list of windows, e.g. [{days: [sat, sun], from: \"22:00\", to: \"06:00\", "
            "time_zone: Europe/Brussels}]");
      return;
    }
    static const std::vector<std::string> kDays = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};
    for (size_t i = 0; i < list.size(); ++i) {
      const std::string sub = field + "[" + std::to_string(i) + "]";
      auto m = Map(list[i], sub, {"days", "from", "to", "time_zone"});
      if (!m) continue;
      MaintenanceWindow w;
      if (auto d = m->find("days"); d != m->end()) {
        w.days = 0;
        const YAML::Node& days = d->second.value;
        for (size_t k = 0; days.IsSequence() && k < days.size(); ++k) {
          auto pos = std::find(kDays.begin(), kDays.end(), days[k].Scalar());
          if (pos == kDays.end()) {
            Error(days[k].Mark(), sub + ".days",
                  "unknown day '" + days[k].Scalar() + "'; use mon, tue, wed, thu, fri, sat, sun");
          } else {
            w.days |= static_cast<uint8_t>(1u << (pos - kDays.begin()));
          }
        }
        if (!days.IsSequence())
          Error(days.Mark(), sub + ".days", "must be a list such as [sat, sun]");
      }
      auto minute = [&](const char* key, int& out) {
        auto it = m->find(key);
        if (it == m->end()) {
          Error(list[i].Mark(), sub + "." + key, "is required, as HH:MM local time");
          return;
        }
        const std::string v = it->second.value.Scalar();
        int h = -1, mi = -1;
        if (std::sscanf(v.c_str(), "%2d:%2d", &h, &mi) != 2 || v.size() != 5 || h < 0 || h > 24 ||
            mi < 0 || mi > 59 || (h == 24 && mi != 0)) {
          Error(it->second.value.Mark(), sub + "." + key,
                "must be a time of day as HH:MM, e.g. 22:00");
          return;
        }
        out = h * 60 + mi;
      };
      minute("from", w.from_minute);
      minute("to", w.to_minute);
      const std::string zone = m->count("time_zone") ? m->at("time_zone").value.Scalar() : "UTC";
      auto tz = prober::TimeZone::Load(zone);
      if (!tz.ok()) {
        Error(m->count("time_zone") ? m->at("time_zone").value.Mark() : list[i].Mark(),
              sub + ".time_zone", tz.status().message());
      } else {
        w.zone = std::make_shared<const prober::TimeZone>(std::move(*tz));
      }
      if (w.from_minute == w.to_minute)
        Error(list[i].Mark(), sub, "from and to are the same time; the window would be empty");
      t.maintenance.push_back(std::move(w));
    }
  }

  void LoadTls(const YAML::Node& node, const std::string& field, TargetConfig& t) {
    prober::ClientOptions& c = t.client;
    auto m = Map(node, field,
                 {"ca_file", "client_cert", "client_key", "insecure_skip_verify", "expiry_critical",
                  "expiry_warning"});
    if (!m) return;
    auto& e = *m;
    auto file = [&](const char* key, std::string& out) {
      if (auto v = Str(e, key, field, false, "")) {
        const std::string path = Resolve(*v);
        if (Readable(e.at(key).value, field + "." + key, path)) out = path;
      }
    };
    file("ca_file", c.tls.ca_file);
    file("client_cert", c.tls.client_cert_file);
    file("client_key", c.tls.client_key_file);
    if (e.count("client_cert") != e.count("client_key")) {
      Error(node.Mark(), field,
            "client_cert and client_key go together for mutual TLS; give both or neither");
    }
    for (const auto& [key, out] :
         {std::pair<const char*, std::chrono::hours*>{"expiry_critical", &t.tls_expiry_critical},
          {"expiry_warning", &t.tls_expiry_warning}}) {
      if (auto it = e.find(key); it != e.end()) {
        auto d =
            it->second.value.IsScalar() ? ParseDuration(it->second.value.Scalar()) : std::nullopt;
        if (!d || *d < std::chrono::hours(1)) {
          Error(it->second.value.Mark(), field + "." + key,
                "must be a duration of at least 1h, e.g. 7d");
        } else {
          *out = std::chrono::duration_cast<std::chrono::hours>(*d);
        }
      }
    }
    if (t.tls_expiry_critical > t.tls_expiry_warning) {
      Error(node.Mark(), field, "expiry_critical must not be longer than expiry_warning");
    }
    if (auto skip = Bool(e, "insecure_skip_verify", field); skip && *skip) {
      c.tls.verify = false;
      Warn(e.at("insecure_skip_verify").value.Mark(), field + ".insecure_skip_verify",
           "TLS verification is OFF: any certificate is accepted and the password can be "
           "intercepted; trust the server's CA with ca_file instead");
    }
  }

  void LoadJourney(const YAML::Node& node, const std::string& field, ProberConfig& cfg) {
    auto m = Map(node, field, {"name", "targets", "params", "interval", "timeout"});
    if (!m) return;
    auto& e = *m;
    JourneySelection j;
    j.pos = Pos(node.Mark());
    if (auto name = Str(e, "name", field, true, "name a journey, e.g. name: login")) {
      j.pos = Pos(e.at("name").value.Mark());
      j.name = *name;
    }
    if (auto it = e.find("targets"); it != e.end()) {
      const YAML::Node& list = it->second.value;
      if (!list.IsSequence() || list.size() == 0) {
        Error(list.Mark(), field + ".targets",
              "must be a non-empty list of target names; leave it out to run on every target");
      } else {
        for (size_t i = 0; i < list.size(); ++i) {
          const std::string sub = field + ".targets[" + std::to_string(i) + "]";
          if (!list[i].IsScalar()) {
            Error(list[i].Mark(), sub, "must be a target name");
            continue;
          }
          const std::string name = list[i].Scalar();
          if (!seen_targets_.count(name)) {
            std::vector<std::string> known(seen_targets_.begin(), seen_targets_.end());
            auto guess = Closest(name, known);
            Error(list[i].Mark(), sub,
                  "no target is named '" + name + "'" +
                      (guess ? "; did you mean '" + *guess + "'?" : "; known: " + Join(known)));
            continue;
          }
          j.targets.push_back(name);
        }
      }
    }
    if (auto it = e.find("params"); it != e.end()) {
      if (!it->second.value.IsMap()) {
        Error(it->second.value.Mark(), field + ".params", "must be a mapping of parameter: value");
      } else {
        j.params = YamlToJson(it->second.value);
      }
    }
    if (auto t = Duration(e, "timeout", field)) j.timeout = *t;
    if (auto it = e.find("interval"); it != e.end()) {
      const YAML::Node& v = it->second.value;
      auto d = v.IsScalar() ? ParseDuration(v.Scalar()) : std::nullopt;
      if (!d || *d < std::chrono::seconds(1) || *d > std::chrono::hours(24)) {
        Error(v.Mark(), field + ".interval", "must be a duration from 1s to 24h, e.g. 60s or 5m");
      } else {
        j.interval = *d;
      }
    }
    ReportMissing(node);
    cfg.journeys.push_back(std::move(j));
  }

  const std::string path_;
  const LoadOptions& options_;
  fs::path base_dir_;
  std::vector<ConfigError> errors_;
  std::vector<std::string> warnings_;
  std::vector<std::pair<std::string, std::string>> missing_;
  std::set<std::string> seen_targets_;
  std::set<std::string> suggested_;  // fields named by a did-you-mean
  bool inline_secret_ = false;       // set by Map() when it refused an inline secret
};

}  // namespace

ParseOutcome ParseConfig(const std::string& text, const std::string& path,
                         const LoadOptions& options) {
  return Loader(path, options).Parse(text);
}

prober::Result<ProberConfig> LoadConfig(const std::string& path, const LoadOptions& options) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return prober::Status::InvalidArgument(path + ": cannot open the configuration file; " +
                                           "check the path (see config/examples/prober.yaml)");
  }
  std::stringstream text;
  text << in.rdbuf();
  ParseOutcome out = ParseConfig(text.str(), path, options);
  if (!out.errors.empty()) {
    return prober::Status::InvalidArgument(
        prober::JoinEach(out.errors, "\n", [](const ConfigError& e) { return e.ToString(); }));
  }
  return std::move(*out.config);
}

}  // namespace odoo_prober::config
