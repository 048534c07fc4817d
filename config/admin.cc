// admin: the admin server of `run` (listen address, HTTPS, the basic-auth users file of a
// Prometheus web config) (sections.h).
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>
#include <string>

#include "config/config.h"
#include "config/sections.h"
#include "config/yaml_reader.h"
#include "config/yaml_util.h"

namespace odoo_prober::config {
namespace {

// "ADDRESS:PORT" with a port number.
bool AddressPort(const std::string& text) {
  const auto colon = text.rfind(':');
  const std::string port = colon == std::string::npos ? "" : text.substr(colon + 1);
  return !port.empty() && port.size() <= 5 &&
         std::all_of(port.begin(), port.end(), [](unsigned char ch) { return std::isdigit(ch); }) &&
         std::stoul(port) <= 65535;
}

class AdminReader {
 public:
  explicit AdminReader(ReadContext& c) : c_(c), r_(c.r) {}

  void LoadAdmin(YamlReader::Fields& f, ProberConfig& cfg) {
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
        const std::string path = c_.Resolve(*v);
        if (c_.Readable(m->Value(key), m->Sub(key), path)) out = path;
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
      const YAML::Node doc = LoadUtf8(text.str());
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

 private:
  ReadContext& c_;
  YamlReader& r_;
};

}  // namespace

void ReadAdmin(ReadContext& c, YamlReader::Fields& f, ProberConfig& cfg) {
  AdminReader(c).LoadAdmin(f, cfg);
}

}  // namespace odoo_prober::config
