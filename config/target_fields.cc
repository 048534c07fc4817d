// A target's labels: and tls: (sections.h).
#include <yaml-cpp/yaml.h>

#include <string>
#include <utility>

#include "config/config.h"
#include "config/sections.h"
#include "config/yaml_reader.h"

namespace odoo_prober::config {

using namespace std::chrono_literals;

void ReadLabels(YamlReader& r, const YAML::Node& node, const std::string& field, Labels& labels) {
  auto f = r.Map(node, field, {"region", "plant", "env"}, "labels: {region: eu-west, plant: lyon}");
  if (!f) return;
  for (const auto& [key, out] : {std::pair<const char*, std::string*>{"region", &labels.region},
                                 {"plant", &labels.plant},
                                 {"env", &labels.env}}) {
    auto v = f->Text(key, "");
    if (v && !IsLabelValue(*v)) {
      r.Error(f->Value(key), f->Sub(key), kLabelValueRule);
    } else if (v) {
      *out = *v;
    }
  }
}

void ReadTargetTls(ReadContext& ctx, const YAML::Node& node, const std::string& field,
                   TargetConfig& t) {
  YamlReader& r = ctx.r;
  prober::ClientOptions& c = t.client;
  auto f = r.Map(node, field,
                 {"ca_file", "client_cert", "client_key", "insecure_skip_verify", "expiry_critical",
                  "expiry_warning"},
                 "tls: {ca_file: /etc/ssl/odoo-ca.pem}");
  if (!f) return;
  auto file = [&](const char* key, std::string& out) {
    if (auto v = f->Text(key, "")) {
      const std::string path = ctx.Resolve(*v);
      if (ctx.Readable(f->Value(key), f->Sub(key), path)) out = path;
    }
  };
  file("ca_file", c.tls.ca_file);
  file("client_cert", c.tls.client_cert_file);
  file("client_key", c.tls.client_key_file);
  if (f->Has("client_cert") != f->Has("client_key")) {
    r.Error(node, field,
            "client_cert and client_key go together for mutual TLS; give both or neither");
  }
  if (auto d = f->Duration("expiry_critical", 1h, 24h * 3650, "7d"))
    t.tls_expiry_critical = std::chrono::duration_cast<std::chrono::hours>(*d);
  if (auto d = f->Duration("expiry_warning", 1h, 24h * 3650, "30d"))
    t.tls_expiry_warning = std::chrono::duration_cast<std::chrono::hours>(*d);
  if (t.tls_expiry_critical > t.tls_expiry_warning) {
    r.Error(node, field, "expiry_critical must not be longer than expiry_warning");
  }
  if (auto skip = f->Bool("insecure_skip_verify"); skip && *skip) {
    c.tls.verify = false;
    r.Warn(f->Value("insecure_skip_verify"), f->Sub("insecure_skip_verify"),
           "TLS verification is OFF: any certificate is accepted and the password can be "
           "intercepted; trust the server's CA with ca_file instead");
  }
}

}  // namespace odoo_prober::config
