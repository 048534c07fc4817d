// dependencies: the checks of the services a plant's ERP needs besides Odoo (config.h's
// DependencyConfig; sections.h). Each entry's keys are checked against its kind: a tcp check
// has no url, an http check no port.
#include <arpa/inet.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <regex>
#include <set>
#include <string>

#include "config/config.h"
#include "config/sections.h"
#include "config/yaml_reader.h"
#include "config/yaml_util.h"
#include "prober/text.h"

namespace odoo_prober::config {
namespace {

using namespace std::chrono_literals;
using Fields = YamlReader::Fields;
using prober::DependencyKind;

const std::vector<std::string> kHttpKeys = {
    "url",       "method",        "headers",     "body",        "body_env",
    "body_file", "expect_status", "expect_body", "expect_json", "max_response_bytes",
    "tls"};
const std::vector<std::string> kHostKeys = {"host", "port", "expect_address"};

class DependenciesReader {
 public:
  explicit DependenciesReader(ReadContext& c) : c_(c), r_(c.r) {}

  void Load(const YAML::Node& list, ProberConfig& cfg) {
    if (list.IsNull()) return;
    r_.Sequence(
        list, "dependencies", "[{name: idp, kind: http, url: https://idp/health}]",
        [&](const YAML::Node& node, const std::string& field) { LoadOne(node, field, cfg); });
  }

 private:
  void LoadOne(const YAML::Node& node, const std::string& field, ProberConfig& cfg) {
    std::vector<std::string> known = {"name",    "kind",    "used_by", "severity", "interval",
                                      "timeout", "targets", "plants",  "regions",  "maintenance"};
    known.insert(known.end(), kHttpKeys.begin(), kHttpKeys.end());
    known.insert(known.end(), kHostKeys.begin(), kHostKeys.end());
    auto f = r_.Map(node, field, known, "{name: idp, kind: http, url: https://idp/health}");
    if (!f) return;
    DependencyConfig d;
    d.pos = r_.Pos(node);
    LoadName(*f, cfg, d);
    auto kind = f->Text("kind", "one of http, tcp, dns, e.g. kind: http", true);
    if (kind) {
      if (auto k = prober::ParseDependencyKind(*kind)) {
        d.probe.kind = *k;
        RefuseOtherKinds(*f, *k);
        if (*k == DependencyKind::kHttp) LoadHttp(*f, d);
        if (*k != DependencyKind::kHttp) LoadHost(*f, d);
      } else {
        r_.Error(f->Value("kind"), f->Sub("kind"), "must be one of http, tcp, dns");
      }
    }
    LoadUsedBy(*f, d);
    if (auto s = f->Text("severity", "page or ticket")) {
      if (*s == "page" || *s == "ticket") {
        d.page = *s == "page";
      } else {
        r_.Error(f->Value("severity"), f->Sub("severity"),
                 "must be page or ticket (how OdooDependencyDown notifies)");
      }
    }
    if (auto i = f->Duration("interval", 1s, 24h, "30s")) d.interval = *i;
    if (auto t = f->Duration("timeout", 100ms, 10min, "5s")) d.probe.timeout = *t;
    if (d.probe.timeout > d.interval) {
      r_.Error(f->Has("timeout") ? f->Value("timeout") : node, f->Sub("timeout"),
               "is longer than the interval (" + FormatDuration(d.interval) +
                   "); a check must end before the next is due: shorten it or lengthen interval");
    }
    LoadScope(*f, d);
    if (f->Has("maintenance")) {
      ReadWindows(r_, f->Value("maintenance"), f->Sub("maintenance"),
                  "[{days: [sun], from: \"02:00\", to: \"04:00\", time_zone: Europe/Paris}]",
                  d.maintenance);
    }
    f->Done(node);
    cfg.dependencies.push_back(std::move(d));
  }

  void LoadName(Fields& f, const ProberConfig& cfg, DependencyConfig& d) {
    auto name = f.Text("name", "name the dependency, e.g. name: idp", true);
    if (!name) return;
    if (!IsLabelValue(*name)) {
      r_.Error(f.Value("name"), f.Sub("name"), kLabelValueRule);
      return;
    }
    for (const auto& other : cfg.dependencies) {
      if (other.name == *name) {
        r_.Error(f.Value("name"), f.Sub("name"),
                 "dependency '" + *name + "' is defined twice (first at line " +
                     std::to_string(other.pos.line) + "); names must be unique");
        return;
      }
    }
    d.name = *name;
  }

  // Keys of another kind than `kind` are said, with the kind they belong to.
  void RefuseOtherKinds(Fields& f, DependencyKind kind) {
    auto refuse = [&](const std::vector<std::string>& keys, const std::string& kinds) {
      for (const auto& key : keys) {
        if (!f.Has(key)) continue;
        if (key == "host" && kind != DependencyKind::kHttp) continue;
        if (key == "port" && kind == DependencyKind::kTcp) continue;
        if (key == "expect_address" && kind == DependencyKind::kDns) continue;
        r_.Error(f.Key(key), f.Sub(key),
                 "applies to kind " + kinds + " only, not to " +
                     std::string(prober::DependencyKindName(kind)) + "; remove it");
      }
    };
    if (kind != DependencyKind::kHttp) refuse(kHttpKeys, "http");
    if (kind == DependencyKind::kHttp) refuse(kHostKeys, "tcp or dns");
    if (kind == DependencyKind::kDns) refuse({"port"}, "tcp");
    if (kind == DependencyKind::kTcp) refuse({"expect_address"}, "dns");
  }

  void LoadHttp(Fields& f, DependencyConfig& d) {
    auto& p = d.probe;
    if (auto url = f.Text("url", "e.g. url: https://idp.example.com/health", true)) {
      const bool https = url->rfind("https://", 0) == 0;
      const size_t host = https ? 8 : 7;
      if (!https && url->rfind("http://", 0) != 0) {
        r_.Error(f.Value("url"), f.Sub("url"), "must start with https:// or http://");
      } else if (url->find('@', host) != std::string::npos &&
                 url->find('@', host) < url->find('/', host)) {
        r_.Error(f.Value("url"), f.Sub("url"),
                 "must not carry credentials; send them in a header from value_env or "
                 "value_file");
      } else if (url->find_first_of(" \t") != std::string::npos) {
        r_.Error(f.Value("url"), f.Sub("url"), "must not contain spaces");
      } else {
        p.url = *url;
      }
    }
    if (auto m = f.Text("method", "GET, HEAD, POST, PUT or OPTIONS")) {
      static const std::set<std::string> kMethods = {"GET", "HEAD", "POST", "PUT", "OPTIONS"};
      if (kMethods.count(*m)) {
        p.method = *m;
      } else {
        r_.Error(f.Value("method"), f.Sub("method"),
                 "must be GET, HEAD, POST, PUT or OPTIONS (upper case); a check must not change "
                 "what it checks");
      }
    }
    if (f.Has("headers")) LoadHeaders(f.Value("headers"), f.Sub("headers"), p);
    LoadBody(f, p);
    if (f.Has("expect_status")) LoadStatuses(f.Value("expect_status"), f.Sub("expect_status"), p);
    if (auto re =
            f.Text("expect_body", "a regex the body must match, e.g. '\"status\": *\"UP\"'")) {
      try {
        std::regex check(*re, std::regex::ECMAScript);
        p.expect_body = *re;
      } catch (const std::regex_error& e) {
        r_.Error(f.Value("expect_body"), f.Sub("expect_body"),
                 std::string("is not a valid regex (ECMAScript): ") + e.what());
      }
    }
    if (f.Has("expect_json")) LoadExpectJson(f.Value("expect_json"), f.Sub("expect_json"), p);
    if (auto b = f.Bytes("max_response_bytes", 1024, std::size_t{64} << 20, "1MiB"))
      p.max_response_bytes = *b;
    if (f.Has("tls")) LoadTls(f.Value("tls"), f.Sub("tls"), p);
  }

  void LoadHeaders(const YAML::Node& list, const std::string& field, prober::DependencyProbe& p) {
    r_.Sequence(list, field, "[{name: Authorization, prefix: \"Bearer \", value_env: IDP_TOKEN}]",
                [&](const YAML::Node& node, const std::string& at) {
                  auto h = r_.Map(node, at, {"name", "value", "value_env", "value_file", "prefix"});
                  if (!h) return;
                  prober::HttpHeader header;
                  auto name = h->Text("name", "the header's name, e.g. name: X-Api-Key", true);
                  const bool plain = h->Has("value");
                  auto secret = ReadSecret(c_, *h, "value");
                  auto value = h->Text("value", "");
                  auto prefix = h->Text("prefix", "text before the value, e.g. \"Bearer \"");
                  if (plain && (h->Has("value_env") || h->Has("value_file"))) {
                    r_.Error(h->Key("value"), h->Sub("value"),
                             "give value, value_env or value_file, one of them");
                  } else if (!plain && !secret && !h->Has("value_env") && !h->Has("value_file") &&
                             !h->had_refused()) {
                    r_.Error(node, at,
                             "needs a value: value: text, or for a secret value_env: VAR or "
                             "value_file: /path");
                  }
                  h->Done(node);
                  if (!name) return;
                  if (name->empty() || name->find_first_of(": \t\r\n") != std::string::npos) {
                    r_.Error(h->Value("name"), h->Sub("name"),
                             "must be a header name without ':' or spaces");
                    return;
                  }
                  header.name = *name;
                  const std::string text = secret ? secret->Reveal() : value.value_or("");
                  if (text.find_first_of("\r\n") != std::string::npos) {
                    r_.Error(node, at, "a header value must be one line");
                    return;
                  }
                  header.value = prober::Secret(prefix.value_or("") + text);
                  p.headers.push_back(std::move(header));
                });
  }

  void LoadBody(Fields& f, prober::DependencyProbe& p) {
    if (auto secret = ReadSecret(c_, f, "body")) p.body = *secret;
    if (auto body = f.Text("body", "the request's body")) {
      if (f.Has("body_env") || f.Has("body_file")) {
        r_.Error(f.Key("body"), f.Sub("body"), "give body, body_env or body_file, one of them");
      }
      p.body = prober::Secret(*body);
    }
    if (!p.body.empty() && (p.method == "GET" || p.method == "HEAD")) {
      r_.Error(f.Key(f.Has("body")       ? "body"
                     : f.Has("body_env") ? "body_env"
                                         : "body_file"),
               f.Sub("body"), "a " + p.method + " request has no body; use method: POST");
    }
  }

  void LoadStatuses(const YAML::Node& node, const std::string& field, prober::DependencyProbe& p) {
    auto one = [&](const YAML::Node& v, const std::string& at) {
      if (auto n = r_.Integer(v, at, 100, 599)) p.expect_status.push_back(static_cast<long>(*n));
    };
    if (node.IsScalar()) {
      one(node, field);
    } else {
      r_.Sequence(node, field, "[200, 204]", one);
    }
  }

  void LoadExpectJson(const YAML::Node& node, const std::string& field,
                      prober::DependencyProbe& p) {
    auto m = r_.Map(node, field, {"path", "equals"}, "{path: $.status, equals: UP}");
    if (!m) return;
    if (auto path = m->Text("path", "where the value is, e.g. path: $.status.db", true)) {
      if (JsonPointerOk(*path)) {
        p.expect_json_path = *path;
      } else {
        r_.Error(m->Value("path"), m->Sub("path"),
                 "is not a path; write $.a.b[0].c (or a.b.0.c, or a JSON pointer /a/b/0/c)");
      }
    }
    if (m->Has("equals")) p.expect_json_value = YamlToJson(m->Value("equals"));
    m->Done(node);
  }

  static bool JsonPointerOk(const std::string& path) {
    return prober::JsonPathPointer(path).has_value();
  }

  void LoadTls(const YAML::Node& node, const std::string& field, prober::DependencyProbe& p) {
    auto m = r_.Map(node, field, {"ca_file", "insecure_skip_verify"});
    if (!m) return;
    if (auto ca = m->Text("ca_file", "a PEM bundle of the CAs to trust")) {
      const std::string file = c_.Resolve(*ca);
      if (c_.Readable(m->Value("ca_file"), m->Sub("ca_file"), file)) p.tls.ca_file = file;
    }
    if (auto skip = m->Bool("insecure_skip_verify"); skip && *skip) {
      p.tls.verify = false;
      r_.Warn(m->Value("insecure_skip_verify"), m->Sub("insecure_skip_verify"),
              "the dependency's certificate is not verified; trust its CA with ca_file instead");
    }
  }

  void LoadHost(Fields& f, DependencyConfig& d) {
    auto& p = d.probe;
    const bool tcp = p.kind == DependencyKind::kTcp;
    if (auto host = f.Text(
            "host", tcp ? "e.g. host: vpn-gw.example.com" : "e.g. host: erp.example.com", true)) {
      if (host->empty() || host->find_first_of(" \t/:@") != std::string::npos) {
        // An IPv6 address has colons; it is the one exception.
        in6_addr v6{};
        if (host->empty() || inet_pton(AF_INET6, host->c_str(), &v6) != 1 || !tcp) {
          r_.Error(f.Value("host"), f.Sub("host"), "must be a host name or address, no URL");
        } else {
          p.host = *host;
        }
      } else {
        p.host = *host;
      }
    }
    if (tcp) {
      if (auto port = f.Integer("port", 1, 65535)) p.port = static_cast<uint16_t>(*port);
      if (!f.Has("port"))
        r_.Error(f.Has("host") ? f.Key("host") : f.Key("kind"), f.Sub("port"),
                 "is required for a tcp check, e.g. port: 443");
    }
    if (auto address = f.Text("expect_address", "an IPv4 or IPv6 address")) {
      in_addr v4{};
      in6_addr v6{};
      if (inet_pton(AF_INET, address->c_str(), &v4) == 1 ||
          inet_pton(AF_INET6, address->c_str(), &v6) == 1) {
        p.expect_address = *address;
      } else {
        r_.Error(f.Value("expect_address"), f.Sub("expect_address"),
                 "must be an IPv4 or IPv6 address, e.g. 10.0.0.5");
      }
    }
  }

  void LoadUsedBy(Fields& f, DependencyConfig& d) {
    if (!f.Has("used_by")) {
      f.Text("used_by", "the business services that need it, e.g. used_by: [order-to-cash, access]",
             true);
      return;
    }
    const YAML::Node list = f.Value("used_by");
    r_.Sequence(list, f.Sub("used_by"), "[order-to-cash, manufacturing]",
                [&](const YAML::Node& v, const std::string& at) {
                  auto s = r_.Text(v, at, "a service name, e.g. order-to-cash");
                  if (!s) return;
                  if (auto wrong = CheckServiceName(*s); !wrong.empty()) {
                    r_.Error(v, at, wrong);
                  } else if (std::find(d.used_by.begin(), d.used_by.end(), *s) == d.used_by.end()) {
                    d.used_by.push_back(*s);
                  }
                });
    if (list.IsSequence() && list.size() == 0)
      r_.Error(list, f.Sub("used_by"),
               "names no service; list the business services that need this dependency");
  }

  void LoadScope(Fields& f, DependencyConfig& d) {
    int given = 0;
    for (const char* key : {"targets", "plants", "regions"}) given += f.Has(key) ? 1 : 0;
    if (given > 1) {
      r_.Error(f.Key(f.Has("regions") ? "regions" : "plants"), f.field(),
               "give one of targets, plants or regions: where the dependency is checked");
    }
    auto names = [&](const std::string& key, std::vector<std::string>& out, bool targets) {
      if (!f.Has(key)) return;
      r_.Sequence(f.Value(key), f.Sub(key), "[" + key + "-name]",
                  [&](const YAML::Node& v, const std::string& at) {
                    auto s = r_.Text(v, at, "a name");
                    if (!s) return;
                    if (targets && !c_.targets.count(*s)) {
                      std::vector<std::string> known(c_.targets.begin(), c_.targets.end());
                      auto guess = Closest(*s, known);
                      r_.Error(v, at,
                               "no target is named '" + *s + "'" +
                                   (guess ? "; did you mean '" + *guess + "'?"
                                          : "; known: " + prober::Join(known)));
                      return;
                    }
                    out.push_back(*s);
                  });
    };
    names("targets", d.targets, true);
    names("plants", d.plants, false);
    names("regions", d.regions, false);
  }

  ReadContext& c_;
  YamlReader& r_;
};

}  // namespace

void ReadDependencies(ReadContext& c, const YAML::Node& node, ProberConfig& cfg) {
  DependenciesReader(c).Load(node, cfg);
}

}  // namespace odoo_prober::config
