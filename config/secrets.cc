// A target's credentials: password_env / password_file, api_key_env / api_key_file. Read from
// the environment or a file through the load's seams (LoadOptions: getenv, file_mode), never
// from the config itself (sections.h).
#include <sys/stat.h>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>

#include "config/config.h"
#include "config/sections.h"
#include "config/yaml_reader.h"
#include "prober/text.h"

namespace odoo_prober::config {
namespace {

using prober::Secret;
using Fields = YamlReader::Fields;

std::optional<std::string> GetEnv(const LoadOptions& options, const std::string& name) {
  if (options.getenv) return options.getenv(name);
  const char* v = std::getenv(name.c_str());
  return v ? std::optional<std::string>(v) : std::nullopt;
}

// The file's permission bits; nullopt when they cannot be read.
std::optional<unsigned> FileMode(const LoadOptions& options, const std::string& path) {
  if (options.file_mode) return options.file_mode(path);
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return std::nullopt;
  return static_cast<unsigned>(st.st_mode & 07777);
}

class SecretsReader {
 public:
  explicit SecretsReader(ReadContext& c) : c_(c), r_(c.r) {}

  std::optional<Secret> SecretFromEnv(const YAML::Node& at, const std::string& field,
                                      const std::string& var) {
    auto value = GetEnv(c_.options, var);
    if (!value || value->empty()) {
      r_.Error(at, field,
               "environment variable " + var + " is " + (value ? "empty" : "not set") +
                   "; export it before starting odoo-prober, or use a *_file reference");
      return std::nullopt;
    }
    return Utf8Secret(at, field, std::move(*value), "environment variable " + var);
  }

  std::optional<Secret> SecretFromFile(const YAML::Node& at, const std::string& field,
                                       const std::string& name) {
    const std::string file = c_.Resolve(name);
    if (!c_.Readable(at, field, file)) return std::nullopt;
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
    if (const auto mode = FileMode(c_.options, file); mode && (*mode & 0077) != 0) {
      r_.Warn(at, field,
              "the secret file '" + file + "' is readable by group or others; chmod 600 it");
    }
    return Utf8Secret(at, field, std::move(value), "the file '" + file + "'");
  }

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

 private:
  // Odoo's JSON requests carry UTF-8 text only; a Latin-1 password would fail every login.
  std::optional<Secret> Utf8Secret(const YAML::Node& at, const std::string& field,
                                   std::string value, const std::string& source) {
    if (prober::FirstNotUtf8(value) != std::string::npos) {
      r_.Error(at, field,
               source +
                   " holds a secret that is not UTF-8, which a JSON request cannot carry; "
                   "write it as UTF-8 (e.g. iconv -f latin1 -t utf-8)");
      return std::nullopt;
    }
    return Secret(std::move(value));
  }

  ReadContext& c_;
  YamlReader& r_;
};

}  // namespace

std::optional<Secret> ReadSecret(ReadContext& c, YamlReader::Fields& f, const std::string& kind) {
  return SecretsReader(c).SecretRef(f, kind);
}

}  // namespace odoo_prober::config
