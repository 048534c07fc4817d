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
#include "config/loader_parts.h"
#include "config/objectives.h"
#include "config/yaml_reader.h"
#include "config/yaml_util.h"
#include "prober/text.h"

namespace odoo_prober::config {

bool SupportedPasswordHash(const std::string& hash) {
  // bcrypt: $2y$CC$ then 53 characters of salt and hash.
  for (const char* prefix : {"$2y$", "$2b$", "$2a$"}) {
    if (hash.rfind(prefix, 0) == 0) return hash.size() == 60 && hash[6] == '$';
  }
  // SHA-256 crypt: $5$[rounds=N$]SALT$ then 43 characters of hash.
  const auto last = hash.rfind('$');
  return hash.rfind("$5$", 0) == 0 && last > 3 && hash.size() - last - 1 == 43;
}

std::string CheckServiceName(const std::string& name) {
  const bool ok = !name.empty() && name.size() <= 40 && name[0] >= 'a' && name[0] <= 'z' &&
                  std::all_of(name.begin(), name.end(), [](char c) {
                    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
                  });
  if (ok) return "";
  return "'" + name +
         "' is not a service name; write lower-case words joined by '-' (at most 40 "
         "characters), e.g. " +
         prober::Join(KnownServices());
}

std::string SourcePos::ToString() const {
  return file + ":" + std::to_string(line) + ":" + std::to_string(column);
}

std::string ConfigError::ToString() const {
  return pos.ToString() + ": " + (field.empty() ? "" : field + ": ") + message;
}

bool WeeklyWindow::Contains(std::chrono::system_clock::time_point when) const {
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
using namespace std::chrono_literals;
using Fields = YamlReader::Fields;

// Keys that would put a secret in the file itself.
const std::set<std::string> kInlineSecretKeys = {"password", "api_key", "apikey", "secret",
                                                 "token",    "passwd",  "key"};
constexpr const char* kSecretAlternatives =
    "put the secret in an environment variable or a file and reference it with "
    "password_env: VAR, password_file: /path, api_key_env: VAR or api_key_file: /path";
constexpr const char* kLabelRule = kLabelValueRule;

// "ADDRESS:PORT" with a port number.
bool AddressPort(const std::string& text) {
  const auto colon = text.rfind(':');
  const std::string port = colon == std::string::npos ? "" : text.substr(colon + 1);
  return !port.empty() && port.size() <= 5 &&
         std::all_of(port.begin(), port.end(), [](unsigned char ch) { return std::isdigit(ch); }) &&
         std::stoul(port) <= 65535;
}

struct Defaults {
  std::chrono::milliseconds timeout{10000};
  std::chrono::milliseconds connect_timeout{5000};
  std::size_t max_response_bytes = 16u << 20;
};

class Loader {
 public:
  Loader(std::string path, const LoadOptions& options)
      : r_(path), path_(std::move(path)), options_(options) {
    base_dir_ = fs::path(path_).parent_path();
    r_.RefuseKeys(kInlineSecretKeys,
                  std::string("inline secrets are not allowed; ") + kSecretAlternatives);
  }

  ParseOutcome Parse(const std::string& text) {
    ParseOutcome out;
    ProberConfig cfg;
    cfg.path = path_;
    r_.Guarded([&] { LoadRoot(YAML::Load(text), cfg); });
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
    if (out.errors.empty()) out.config = std::move(cfg);
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
                     "tls_check_interval", "objectives", "regions_dir", "compare", "leftovers"});
    if (!f) return;
    LoadVersion(*f, root);
    const Defaults defaults = LoadDefaults(*f);
    LoadTargets(*f, root, defaults, cfg);
    LoadJourneys(*f, root, cfg);
    LoadJourneyDirs(*f, cfg);
    LoadPlants(*f, cfg);
    LoadInstance(*f, cfg);
    LoadAdmin(*f, cfg);
    cfg.regions_dir = (base_dir_ / "regions").string();
    if (auto dir = f->Text("regions_dir", "a folder of region files, e.g. regions_dir: regions"))
      cfg.regions_dir = (base_dir_ / *dir).string();
    if (f->Has("results")) LoadResults(f->Value("results"), cfg);
    if (f->Has("objectives")) {
      ReadObjectives(r_, f->Value("objectives"), cfg,
                     [&](const YAML::Node& key, const std::string& field) {
                       return ConfiguredJourney(key, field, cfg);
                     });
    }
    if (f->Has("compare")) LoadCompare(f->Value("compare"), cfg);
    if (f->Has("leftovers")) LoadLeftovers(f->Value("leftovers"), cfg.leftovers);
    if (auto d = f->Duration("tls_check_interval", 1min, 168h, "6h")) cfg.tls_check_interval = *d;
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

  Defaults LoadDefaults(Fields& f) {
    Defaults d;
    if (!f.Has("defaults")) return d;
    auto m = r_.Map(f.Value("defaults"), "defaults",
                    {"timeout", "connect_timeout", "max_response_bytes"});
    if (!m) return d;
    if (auto t = m->Duration("timeout", 1ms, 10min, "10s")) d.timeout = *t;
    if (auto t = m->Duration("connect_timeout", 1ms, 10min, "5s")) d.connect_timeout = *t;
    if (auto b = ResponseBytes(*m)) d.max_response_bytes = *b;
    return d;
  }

  std::optional<std::size_t> ResponseBytes(Fields& f) {
    return f.Bytes("max_response_bytes", 1024, std::size_t{1} << 30, "16MiB or 65536");
  }

  void LoadTargets(Fields& f, const YAML::Node& root, const Defaults& defaults, ProberConfig& cfg) {
    const YAML::Node list = f.Value("targets");
    if (!list.IsSequence() || list.size() == 0) {
      r_.Error(f.Has("targets") ? list : root, "targets",
               "needs a list with at least one Odoo target (- name: ..., url: ..., database: ...)");
      return;
    }
    r_.Sequence(list, "targets", "", [&](const YAML::Node& node, const std::string& field) {
      LoadTarget(node, field, defaults, cfg);
    });
  }

  void LoadTarget(const YAML::Node& node, const std::string& field, const Defaults& defaults,
                  ProberConfig& cfg) {
    auto f = r_.Map(node, field,
                    {"name", "url", "database", "protocol", "login", "password_env",
                     "password_file", "api_key_env", "api_key_file", "timeout", "connect_timeout",
                     "max_response_bytes", "tls", "labels", "company_id", "params", "maintenance"});
    if (!f) return;
    TargetConfig t;
    t.pos = r_.Pos(node);
    t.client.call_timeout = defaults.timeout;
    t.client.connect_timeout = defaults.connect_timeout;
    t.client.max_response_bytes = defaults.max_response_bytes;
    LoadTargetName(*f, cfg, t);
    LoadTargetUrl(*f, t);
    if (auto db = f->Text("database", "name the Odoo database, e.g. database: prod", true))
      t.client.database = *db;
    if (auto login = f->Text("login", "the Odoo user's login, e.g. login: probe", true))
      t.client.login = *login;
    LoadCredentials(*f, node, t);
    if (auto d = f->Duration("timeout", 1ms, 10min, "10s")) t.client.call_timeout = *d;
    if (auto d = f->Duration("connect_timeout", 1ms, 10min, "5s")) t.client.connect_timeout = *d;
    if (auto b = ResponseBytes(*f)) t.client.max_response_bytes = *b;
    if (f->Has("tls")) LoadTls(f->Value("tls"), f->Sub("tls"), t);
    if (auto id = OptionalInteger(*f, "company_id", "must be the probe company's id (an integer)"))
      t.company_id = static_cast<int>(*id);
    if (auto params = f->Object("params", "parameter: value")) t.params = *params;
    if (f->Has("maintenance")) {
      LoadWindows(
          f->Value("maintenance"), f->Sub("maintenance"),
          "[{days: [sat, sun], from: \"22:00\", to: \"06:00\", time_zone: Europe/Brussels}]",
          t.maintenance);
    }
    if (f->Has("labels")) LoadLabels(f->Value("labels"), f->Sub("labels"), t.labels);
    f->Done(node);
    cfg.targets.push_back(std::move(t));
  }

  // An integer of at least 1 with its own message (ids).
  std::optional<int64_t> OptionalInteger(Fields& f, const std::string& key,
                                         const std::string& message) {
    if (!f.Has(key)) return std::nullopt;
    const auto v = YamlToJson(f.Value(key));
    if (!v.is_number_integer() || v.get<int64_t>() < 1) {
      r_.Error(f.Value(key), f.Sub(key), message);
      return std::nullopt;
    }
    return v.get<int64_t>();
  }

  void LoadTargetName(Fields& f, const ProberConfig& cfg, TargetConfig& t) {
    auto name = f.Text("name", "give the target a unique name, e.g. name: lyon-prod", true);
    if (!name) return;
    if (!IsLabelValue(*name)) {
      r_.Error(f.Value("name"), f.Sub("name"), kLabelRule);
    } else if (cfg.FindTarget(*name) || seen_targets_.count(*name)) {
      r_.Error(f.Value("name"), f.Sub("name"),
               "target '" + *name + "' is defined twice; target names must be unique");
    } else {
      t.name = *name;
      seen_targets_.insert(*name);
    }
  }

  void LoadTargetUrl(Fields& f, TargetConfig& t) {
    auto url = f.Text("url", "e.g. url: https://erp.example.com", true);
    if (!url) return;
    std::string u = *url;
    while (!u.empty() && u.back() == '/') u.pop_back();
    const YAML::Node at = f.Value("url");
    const bool https = u.rfind("https://", 0) == 0;
    const size_t host = https ? 8 : 7;
    if (!https && u.rfind("http://", 0) != 0) {
      r_.Error(at, f.Sub("url"), "must start with https:// (or http:// on a trusted network)");
    } else if (u.find('@', host) != std::string::npos && u.find('@', host) < u.find('/', host)) {
      r_.Error(at, f.Sub("url"), std::string("must not carry credentials; ") + kSecretAlternatives);
    } else if (u.find_first_of(" \t?#") != std::string::npos) {
      r_.Error(at, f.Sub("url"), "must be a base URL without spaces, query or fragment");
    } else {
      t.client.base_url = u;
      if (!https) {
        r_.Warn(at, f.Sub("url"),
                "plain http:// sends the password in clear text; use https:// outside a lab");
      }
    }
  }

  // protocol, password_* and api_key_*: which API, and the credentials it needs.
  void LoadCredentials(Fields& f, const YAML::Node& node, TargetConfig& t) {
    auto& c = t.client;
    if (auto proto = f.Text("protocol", "")) {
      static const std::map<std::string, Protocol> kProtocols = {{"auto", Protocol::kAuto},
                                                                 {"jsonrpc", Protocol::kJsonRpc},
                                                                 {"web", Protocol::kWeb},
                                                                 {"json2", Protocol::kJson2}};
      if (auto it = kProtocols.find(*proto); it != kProtocols.end()) {
        c.protocol = it->second;
      } else {
        r_.Error(f.Value("protocol"), f.Sub("protocol"),
                 "must be one of auto, jsonrpc, web, json2");
      }
    }
    const size_t errors_before = r_.errors().size();
    if (auto s = SecretRef(f, "password")) c.password = *s;
    if (auto s = SecretRef(f, "api_key")) c.api_key = *s;
    const bool password = f.Has("password_env") || f.Has("password_file");
    const bool key = f.Has("api_key_env") || f.Has("api_key_file");
    if (r_.errors().size() == errors_before && !f.had_refused() && c.password.empty() &&
        c.api_key.empty()) {
      r_.Error(node, f.field(),
               "needs a credential: password_env, password_file, api_key_env or api_key_file");
    }
    if (c.protocol == Protocol::kWeb && !password && key) {
      r_.Error(f.Value("protocol"), f.Sub("protocol"),
               "the web session logs in with a password, and API keys cannot; use protocol: "
               "jsonrpc with an API key, or give password_env / password_file");
    }
    if (c.protocol == Protocol::kJson2 && !key) {
      r_.Error(f.Value("protocol"), f.Sub("protocol"),
               "JSON-2 authenticates with an API key; add api_key_env or api_key_file");
    }
  }

  std::string Resolve(const std::string& file) const {
    fs::path p(file);
    if (p.is_relative() && !base_dir_.empty()) p = base_dir_ / p;
    return p.string();
  }

  // Checks that a file named in the config can be read now, so a typo fails at load time.
  bool Readable(const YAML::Node& at, const std::string& field, const std::string& file) {
    // A folder opens like a file, and reading it throws: refused here, positioned.
    std::error_code ec;
    if (fs::is_directory(file, ec)) {
      r_.Error(at, field,
               "'" + file +
                   "' is a folder, not a file; name the file inside it that holds "
                   "the value (relative paths are taken from the config file's folder)");
      return false;
    }
    if (std::ifstream(file)) return true;
    r_.Error(at, field,
             "cannot read '" + file + "'; check the path (relative paths are " +
                 "taken from the config file's folder) and its permissions");
    return false;
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
      r_.Error(at, field,
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
      r_.Error(at, field, "the file '" + file + "' is empty; write the secret into it");
      return std::nullopt;
    }
    if (value.size() > 4096 || value.find('\n') != std::string::npos) {
      r_.Error(at, field,
               "the file '" + file +
                   "' must hold the secret alone on one line (at most 4096 "
                   "bytes)");
      return std::nullopt;
    }
    struct stat st {};
    if (::stat(file.c_str(), &st) == 0 && (st.st_mode & 0077) != 0) {
      r_.Warn(at, field,
              "the secret file '" + file + "' is readable by group or others; chmod 600 it");
    }
    return Secret(std::move(value));
  }

  // password_env / password_file, or api_key_env / api_key_file: at most one of each pair.
  std::optional<Secret> SecretRef(Fields& f, const std::string& kind) {
    const std::string env = kind + "_env", file = kind + "_file";
    if (f.Has(env) && f.Has(file)) {
      r_.Error(f.Key(file), f.Sub(file), "give either " + env + " or " + file + ", not both");
      return std::nullopt;
    }
    const bool from_env = f.Has(env);
    if (!from_env && !f.Has(file)) return std::nullopt;
    const std::string key = from_env ? env : file;
    const YAML::Node v = f.Value(key);
    if (!v.IsScalar() || v.Scalar().empty()) {
      r_.Error(v, f.Sub(key),
               from_env ? "must name an environment variable" : "must be a file path");
      return std::nullopt;
    }
    return from_env ? SecretFromEnv(v, f.Sub(key), v.Scalar())
                    : SecretFromFile(v, f.Sub(key), v.Scalar());
  }

  void LoadLabels(const YAML::Node& node, const std::string& field, Labels& labels) {
    auto f =
        r_.Map(node, field, {"region", "plant", "env"}, "labels: {region: eu-west, plant: lyon}");
    if (!f) return;
    for (const auto& [key, out] : {std::pair<const char*, std::string*>{"region", &labels.region},
                                   {"plant", &labels.plant},
                                   {"env", &labels.env}}) {
      auto v = f->Text(key, "");
      if (v && !IsLabelValue(*v)) {
        r_.Error(f->Value(key), f->Sub(key), kLabelRule);
      } else if (v) {
        *out = *v;
      }
    }
  }

  void LoadWindows(const YAML::Node& list, const std::string& field, const char* example,
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

  void LoadTls(const YAML::Node& node, const std::string& field, TargetConfig& t) {
    prober::ClientOptions& c = t.client;
    auto f = r_.Map(node, field,
                    {"ca_file", "client_cert", "client_key", "insecure_skip_verify",
                     "expiry_critical", "expiry_warning"},
                    "tls: {ca_file: /etc/ssl/odoo-ca.pem}");
    if (!f) return;
    auto file = [&](const char* key, std::string& out) {
      if (auto v = f->Text(key, "")) {
        const std::string path = Resolve(*v);
        if (Readable(f->Value(key), f->Sub(key), path)) out = path;
      }
    };
    file("ca_file", c.tls.ca_file);
    file("client_cert", c.tls.client_cert_file);
    file("client_key", c.tls.client_key_file);
    if (f->Has("client_cert") != f->Has("client_key")) {
      r_.Error(node, field,
               "client_cert and client_key go together for mutual TLS; give both or neither");
    }
    if (auto d = f->Duration("expiry_critical", 1h, 24h * 3650, "7d"))
      t.tls_expiry_critical = std::chrono::duration_cast<std::chrono::hours>(*d);
    if (auto d = f->Duration("expiry_warning", 1h, 24h * 3650, "30d"))
      t.tls_expiry_warning = std::chrono::duration_cast<std::chrono::hours>(*d);
    if (t.tls_expiry_critical > t.tls_expiry_warning) {
      r_.Error(node, field, "expiry_critical must not be longer than expiry_warning");
    }
    if (auto skip = f->Bool("insecure_skip_verify"); skip && *skip) {
      c.tls.verify = false;
      r_.Warn(f->Value("insecure_skip_verify"), f->Sub("insecure_skip_verify"),
              "TLS verification is OFF: any certificate is accepted and the password can be "
              "intercepted; trust the server's CA with ca_file instead");
    }
  }

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
    const std::vector<std::string> known(seen_targets_.begin(), seen_targets_.end());
    r_.Sequence(list, field, "", [&](const YAML::Node& item, const std::string& sub) {
      if (!item.IsScalar()) return r_.Error(item, sub, "must be a target name");
      if (!seen_targets_.count(item.Scalar())) {
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
                  const std::string dir = item.IsScalar() ? Resolve(item.Scalar()) : "";
                  if (dir.empty() || !fs::is_directory(dir)) {
                    r_.Error(item, sub,
                             "is not a folder; relative paths are taken from the config file's "
                             "folder");
                  } else {
                    cfg.journey_dirs.push_back(dir);
                  }
                });
  }

  void LoadPlants(Fields& f, ProberConfig& cfg) {
    if (!f.Has("plants")) return;
    const YAML::Node plants = f.Value("plants");
    if (!plants.IsMap()) {
      r_.Error(plants, "plants", "must map plant labels to {params: {...}, business_hours: [...]}");
      return;
    }
    for (auto p = plants.begin(); p != plants.end(); ++p) {
      const std::string plant = p->first.Scalar();
      if (auto m = r_.Map(p->second, "plants." + plant, {"params", "business_hours"})) {
        if (auto params = m->Object("params", "parameter: value"))
          cfg.plant_params[plant] = *params;
        if (m->Has("business_hours")) {
          auto& hours = cfg.plant_business_hours[plant];
          LoadWindows(m->Value("business_hours"), m->Sub("business_hours"),
                      "[{days: [mon, tue, wed, thu, fri], from: \"07:00\", to: \"19:00\", "
                      "time_zone: Europe/Paris}]",
                      hours);
        }
      }
    }
  }

  void LoadInstance(Fields& f, ProberConfig& cfg) {
    if (!f.Has("instance")) return;
    const YAML::Node v = f.Value("instance");
    if (!v.IsScalar() || !IsLabelValue(v.Scalar())) {
      r_.Error(v, "instance", kLabelRule);
    } else {
      cfg.instance = v.Scalar();
    }
  }

  void LoadAdmin(Fields& f, ProberConfig& cfg) {
    if (!f.Has("admin")) return;
    auto m =
        r_.Map(f.Value("admin"), "admin", {"listen", "tls_cert", "tls_key", "basic_auth_file"});
    if (!m) return;
    if (auto listen = m->Text("listen", "")) {
      if (!AddressPort(*listen)) {
        r_.Error(m->Value("listen"), "admin.listen", "must be ADDRESS:PORT, e.g. 127.0.0.1:9188");
      } else {
        cfg.admin_listen = *listen;
      }
    }
    auto file = [&](const char* key, std::string& out) {
      if (auto v = m->Text(key, "")) {
        const std::string path = Resolve(*v);
        if (Readable(m->Value(key), m->Sub(key), path)) out = path;
      }
    };
    file("tls_cert", cfg.admin_tls_cert);
    file("tls_key", cfg.admin_tls_key);
    if (m->Has("tls_cert") != m->Has("tls_key")) {
      r_.Error(f.Value("admin"), "admin",
               "tls_cert and tls_key go together (the admin endpoints then serve HTTPS only); "
               "give both or neither");
    }
    std::string users_file;
    file("basic_auth_file", users_file);
    if (users_file.empty()) return;
    LoadBasicAuthUsers(users_file, cfg);
    if (!m->Has("tls_cert")) {
      r_.Warn(m->Value("basic_auth_file"), "admin.basic_auth_file",
              "basic auth without tls_cert and tls_key sends the password in clear text; give "
              "both outside a trusted network");
    }
  }

  // basic_auth_users: {name: hash} of a Prometheus web config file; its own errors name it.
  void LoadBasicAuthUsers(const std::string& path, ProberConfig& cfg) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    YamlReader users(path);
    users.Guarded([&] {
      const YAML::Node doc = YAML::Load(text.str());
      auto m = users.Map(doc, "(the file)", {"basic_auth_users"},
                         "basic_auth_users: {prometheus: $2y$10$...}");
      if (!m) return;
      if (!m->Has("basic_auth_users")) {
        users.Error(doc, "basic_auth_users",
                    "missing: list the users as basic_auth_users: {NAME: HASH}");
        return;
      }
      const YAML::Node list = m->Value("basic_auth_users");
      if (!list.IsMap() || list.size() == 0) {
        users.Error(list, "basic_auth_users",
                    "must map at least one user name to a bcrypt ($2y$) or SHA-256 crypt ($5$) "
                    "hash, e.g. from htpasswd -nBC 10 NAME or openssl passwd -5");
        return;
      }
      for (const auto& entry : list) {
        const std::string name = entry.first.Scalar();
        const std::string field = "basic_auth_users." + name;
        if (name.empty() || name.find(':') != std::string::npos) {
          users.Error(entry.first, field, "a user name is not empty and has no ':'");
        } else if (!entry.second.IsScalar() || !SupportedPasswordHash(entry.second.Scalar())) {
          users.Error(entry.second, field,
                      "must be a bcrypt ($2y$, $2b$, $2a$) or SHA-256 crypt ($5$) hash, never the "
                      "password itself; make one with htpasswd -nBC 10 NAME or openssl passwd -5");
        } else {
          cfg.admin_users[name] = entry.second.Scalar();
        }
      }
    });
    for (auto& e : users.errors()) r_.errors().push_back(std::move(e));
  }

  // Whether `key` names a journey of the config's journeys:, else an error with a guess.
  bool ConfiguredJourney(const YAML::Node& key, const std::string& field, const ProberConfig& cfg) {
    const std::string name = key.Scalar();
    std::vector<std::string> known;
    for (const auto& sel : cfg.journeys) known.push_back(sel.id);
    if (std::find(known.begin(), known.end(), name) != known.end()) return true;
    auto guess = Closest(name, known);
    r_.Error(key, field,
             "journeys: runs no journey named '" + name + "'" +
                 (guess ? "; did you mean '" + *guess + "'?" : "; known: " + Join(known)));
    return false;
  }

  // A latency budget: a ratio of at least 1 ("1.2", or "120%").
  std::optional<double> Budget(const YAML::Node& v, const std::string& field) {
    std::string t = v.IsScalar() ? v.Scalar() : "";
    const bool percent = !t.empty() && t.back() == '%';
    if (percent) t.pop_back();
    char* end = nullptr;
    double x = std::strtod(t.c_str(), &end);
    if (percent) x /= 100;
    if (t.empty() || end != t.c_str() + t.size() || !(x >= 1) || x > 100) {
      r_.Error(v, field,
               "must be a ratio of candidate to baseline p95 of at least 1, e.g. 1.2 or 120%");
      return std::nullopt;
    }
    return x;
  }

  void LoadCompare(const YAML::Node& node, ProberConfig& cfg) {
    auto m = r_.Map(node, "compare",
                    {"latency_budget", "latency_budgets", "ignore_below", "expect_different"});
    if (!m) return;
    CompareConfig& c = cfg.compare;
    if (m->Has("latency_budget")) {
      if (auto b = Budget(m->Value("latency_budget"), m->Sub("latency_budget")))
        c.latency_budget = *b;
    }
    if (m->Has("latency_budgets")) {
      const YAML::Node budgets = m->Value("latency_budgets");
      if (!budgets.IsMap()) {
        r_.Error(budgets, "compare.latency_budgets",
                 "must map journey names to ratios, e.g. {goods_receipt: 1.5}");
      } else {
        for (const auto& entry : budgets) {
          const std::string name = entry.first.Scalar();
          if (!ConfiguredJourney(entry.first, "compare.latency_budgets." + name, cfg)) continue;
          if (auto b = Budget(entry.second, "compare.latency_budgets." + name))
            c.latency_budgets[name] = *b;
        }
      }
    }
    if (auto d = m->Duration("ignore_below", 0ms, 1min, "5ms")) c.ignore_below = *d;
    if (m->Has("expect_different")) {
      static const std::set<std::string> items = {"server_version", "modules",   "currency",
                                                  "country",        "user_lang", "user_tz",
                                                  "tls_issuer",     "tls_key"};
      const std::string how = "lists fingerprint items: " + Join({items.begin(), items.end()}) +
                              ", or {modules: [name, ...]}";
      r_.Sequence(m->Value("expect_different"), "compare.expect_different",
                  "[server_version, {modules: [sale_stock]}]",
                  [&](const YAML::Node& item, const std::string& sub) {
                    if (item.IsScalar()) {
                      if (!items.count(item.Scalar())) {
                        auto guess = Closest(item.Scalar(), {items.begin(), items.end()});
                        return r_.Error(item, sub,
                                        "'" + item.Scalar() + "' is not a fingerprint item" +
                                            (guess ? "; did you mean '" + *guess + "'?" : "") +
                                            "; it " + how);
                      }
                      if (item.Scalar() == "modules") {
                        c.expect_all_modules = true;
                      } else {
                        c.expect_different.insert(item.Scalar());
                      }
                      return;
                    }
                    auto mods = r_.Map(item, sub, {"modules"});
                    if (!mods) return;
                    if (!mods->Has("modules")) return r_.Error(item, sub, how);
                    r_.Sequence(mods->Value("modules"), mods->Sub("modules"), "[sale_stock, mrp]",
                                [&](const YAML::Node& mod, const std::string& msub) {
                                  if (!mod.IsScalar() || mod.Scalar().empty())
                                    return r_.Error(mod, msub, "must be a module's technical name");
                                  c.expect_modules.insert(mod.Scalar());
                                });
                  });
    }
  }

  void LoadLeftovers(const YAML::Node& node, LeftoverConfig& l) {
    auto m = r_.Map(node, "leftovers", {"retry_min", "retry_max", "alert_after", "max_records"});
    if (!m) return;
    if (auto d = m->Duration("retry_min", 1s, 24h, "1m")) l.retry_min = *d;
    if (auto d = m->Duration("retry_max", 1s, 24h, "30m")) l.retry_max = *d;
    if (auto d = m->Duration("alert_after", 1min, 30 * 24h, "1h")) l.alert_after = *d;
    if (auto n = m->Integer("max_records", 1, 1000000)) l.max_records = static_cast<size_t>(*n);
    if (l.retry_max < l.retry_min) {
      r_.Error(m->Has("retry_max") ? m->Value("retry_max") : node, m->Sub("retry_max"),
               "must be at least retry_min; the retries back off from retry_min up to retry_max");
    }
  }

  void LoadResults(const YAML::Node& node, ProberConfig& cfg) {
    auto m =
        r_.Map(node, "results",
               {"jsonl", "jsonl_max_bytes", "jsonl_keep", "sqlite", "retention_days", "queue"});
    if (!m) return;
    if (auto v = m->Text("jsonl", "")) cfg.results_jsonl = Resolve(*v);
    if (auto v = m->Text("sqlite", "")) cfg.results_sqlite = Resolve(*v);
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

  YamlReader r_;
  const std::string path_;
  const LoadOptions& options_;
  fs::path base_dir_;
  std::set<std::string> seen_targets_;
};

}  // namespace

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

bool IsLabelValue(const std::string& s) {
  return !s.empty() && s.size() <= 64 && std::all_of(s.begin(), s.end(), [](unsigned char ch) {
    return std::isalnum(ch) || ch == '_' || ch == '-' || ch == '.';
  });
}

ParseOutcome ParseConfig(const std::string& text, const std::string& path,
                         const LoadOptions& options) {
  return Loader(path, options).Parse(text);
}

prober::Result<ProberConfig> LoadConfig(const std::string& path, const LoadOptions& options) {
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
  ParseOutcome out = ParseConfig(text.str(), path, options);
  if (!out.errors.empty()) {
    return prober::Status::InvalidArgument(
        prober::JoinEach(out.errors, "\n", [](const ConfigError& e) { return e.ToString(); }));
  }
  return std::move(*out.config);
}

}  // namespace odoo_prober::config
