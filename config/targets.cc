// targets[]: the Odoo targets, each with its name, URL, database, credentials, timeouts, TLS,
// labels and maintenance windows (sections.h).
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>
#include <string>

#include "config/config.h"
#include "config/sections.h"
#include "config/yaml_reader.h"
#include "config/yaml_util.h"
#include "prober/text.h"

namespace odoo_prober::config {
namespace {

namespace fs = std::filesystem;
using Fields = YamlReader::Fields;
using namespace std::chrono_literals;
using prober::Protocol;

class TargetsReader {
 public:
  explicit TargetsReader(ReadContext& c) : c_(c), r_(c.r) {}

  void LoadTargets(Fields& f, const YAML::Node& root, const TargetDefaults& defaults,
                   ProberConfig& cfg) {
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

  void LoadTarget(const YAML::Node& node, const std::string& field, const TargetDefaults& defaults,
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
    if (f->Has("tls")) ReadTargetTls(c_, f->Value("tls"), f->Sub("tls"), t);
    if (auto id = OptionalInteger(*f, "company_id", "must be the probe company's id (an integer)"))
      t.company_id = static_cast<int>(*id);
    if (auto params = f->Object("params", "parameter: value")) t.params = *params;
    if (f->Has("maintenance")) {
      ReadWindows(
          r_, f->Value("maintenance"), f->Sub("maintenance"),
          "[{days: [sat, sun], from: \"22:00\", to: \"06:00\", time_zone: Europe/Brussels}]",
          t.maintenance);
    }
    if (f->Has("labels")) ReadLabels(r_, f->Value("labels"), f->Sub("labels"), t.labels);
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
      r_.Error(f.Value("name"), f.Sub("name"), kLabelValueRule);
    } else if (cfg.FindTarget(*name) || c_.targets.count(*name)) {
      r_.Error(f.Value("name"), f.Sub("name"),
               "target '" + *name + "' is defined twice; target names must be unique");
    } else {
      t.name = *name;
      c_.targets.insert(*name);
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
    if (auto s = ReadSecret(c_, f, "password")) c.password = *s;
    if (auto s = ReadSecret(c_, f, "api_key")) c.api_key = *s;
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

 private:
  ReadContext& c_;
  YamlReader& r_;
};

}  // namespace

void ReadTargets(ReadContext& c, Fields& f, const YAML::Node& root, const TargetDefaults& defaults,
                 ProberConfig& cfg) {
  TargetsReader(c).LoadTargets(f, root, defaults, cfg);
}

}  // namespace odoo_prober::config
