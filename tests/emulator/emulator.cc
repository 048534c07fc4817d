#include "tests/emulator/emulator.h"

#include <algorithm>
#include <iomanip>
#include <map>
#include <random>
#include <sstream>
#include <stdexcept>

#include "prober/text.h"
#include "tests/emulator/odoo_db.h"
#include "tests/emulator/orm.h"
#include "tests/emulator/session_info.h"

namespace odoo_prober::emulator {

using nlohmann::json;

namespace {

struct Personality {
  std::string series;
  std::string server_version;
  int generic_error_code;  // JSON-RPC error.code for ordinary exceptions: 0 from 19 on
};

const std::vector<Personality>& Personalities() {
  static const std::vector<Personality> kAll = {
      {"16.0", "16.0-20240216", 200},  // as recorded in odoo-transcripts/16.0
      {"17.0", "17.0-20240709", 200},  // as recorded in odoo-transcripts/17.0
      {"18.0", "18.0-20250925", 200},  // as recorded in odoo-transcripts/18.0
      {"19.0", "19.0-20251227", 0},    // as recorded in odoo-transcripts/19.0
  };
  return kAll;
}

// The personality of `series`; an unknown one is refused when the emulator is built.
const Personality& Find(const std::string& series) {
  for (const auto& p : Personalities()) {
    if (p.series == series) return p;
  }
  throw std::invalid_argument("the emulator knows no Odoo " + series + "; it impersonates " +
                              prober::Join(SupportedVersions()));
}

int CheckedMajor(const std::string& series) { return std::stoi(Find(series).series); }

// The innermost frames of Odoo's tracebacks as recorded; the outer ones are the same for
// every JSON route.
constexpr const char* kOuterFrames =
    "Traceback (most recent call last):\n"
    "  File \"/usr/lib/python3/dist-packages/odoo/http.py\", line 1764, in _serve_db\n"
    "  File \"/usr/lib/python3/dist-packages/odoo/service/model.py\", line 133, in retrying\n"
    "  File \"/usr/lib/python3/dist-packages/odoo/http.py\", line 1791, in _serve_ir_http\n"
    "  File \"/usr/lib/python3/dist-packages/odoo/http.py\", line 1995, in dispatch\n"
    "  File \"/usr/lib/python3/dist-packages/odoo/addons/base/models/ir_http.py\", line 222, in "
    "_dispatch\n"
    "  File \"/usr/lib/python3/dist-packages/odoo/http.py\", line 741, in route_wrapper\n";
constexpr const char* kRpcFrames =
    "  File \"/usr/lib/python3/dist-packages/odoo/addons/base/controllers/rpc.py\", line 155, in "
    "jsonrpc\n"
    "  File \"/usr/lib/python3/dist-packages/odoo/http.py\", line 391, in dispatch_rpc\n";
constexpr const char* kCheckFrames =
    "  File \"/usr/lib/python3/dist-packages/odoo/service/model.py\", line 28, in dispatch\n"
    "  File \"/usr/lib/python3/dist-packages/odoo/service/security.py\", line 9, in check\n"
    "  File \"/usr/lib/python3/dist-packages/odoo/addons/base/models/res_users.py\", line 2104, "
    "in _check_credentials\n";
constexpr const char* kSessionAuthFrames =
    "  File \"/usr/lib/python3/dist-packages/odoo/addons/web/controllers/session.py\", line 33, "
    "in authenticate\n"
    "  File \"/usr/lib/python3/dist-packages/odoo/http.py\", line 1006, in authenticate\n"
    "  File \"/usr/lib/python3/dist-packages/odoo/addons/base/models/res_users.py\", line 864, in "
    "_login\n";
constexpr const char* kCallKwFrames =
    "  File \"/usr/lib/python3/dist-packages/odoo/addons/web/controllers/dataset.py\", line 24, "
    "in call_kw\n"
    "  File \"/usr/lib/python3/dist-packages/odoo/addons/web/controllers/dataset.py\", line 20, "
    "in _call_kw\n";
constexpr const char* kAuthUserFrames =
    "  File \"/usr/lib/python3/dist-packages/odoo/addons/base/models/ir_http.py\", line 162, in "
    "_authenticate\n"
    "  File \"/usr/lib/python3/dist-packages/odoo/addons/base/models/ir_http.py\", line 141, in "
    "_auth_method_user\n";

// Python's short name of an exception class: "odoo.exceptions.UserError" -> as printed in the
// last traceback line ("odoo.exceptions.UserError"), builtins print bare ("KeyError").
std::string TracebackName(const std::string& name) {
  const std::string builtins = "builtins.";
  return name.rfind(builtins, 0) == 0 ? name.substr(builtins.size()) : name;
}

constexpr const char* kNotFoundHtml =
    "<!DOCTYPE html>\n<html>\n    <head>\n        <meta charset=\"utf-8\"/>\n"
    "        <title>Odoo</title>\n    </head>\n    <body>\n        <div id=\"wrapwrap\">\n"
    "            <main>\n                <h1 class=\"visually-hidden\">Error 404</h1>\n"
    "                <h2>We couldn't find the page you're looking for!</h2>\n"
    "            </main>\n        </div>\n    </body>\n</html>";

constexpr const char* kWrongVerbHtml =
    "<!doctype html>\n<html lang=en>\n<title>400 Bad Request</title>\n<h1>Bad Request</h1>\n"
    "<p>Request inferred type is compatible with [&#39;http&#39;] but &#39;{path}&#39; is "
    "type=&#39;json&#39;.</p>\n";

constexpr const char* kWrongVerbHtml19 =
    "<!doctype html>\n<html lang=en>\n<title>415 Unsupported Media Type</title>\n"
    "<h1>Unsupported Media Type</h1>\n<p>Request inferred type is compatible with "
    "[&#39;http&#39;, &#39;json2&#39;] but &#39;{path}&#39; is type=&#39;jsonrpc&#39;.<br><br>"
    "Please verify the Content-Type request header and try again.</p>\n";

std::string HttpDate(std::chrono::system_clock::time_point tp) {
  return prober::FormatUtc(tp, "%a, %d %b %Y %H:%M:%S GMT");
}

std::string CookieValue(const std::string& header, const std::string& name) {
  size_t pos = 0;
  while (pos < header.size()) {
    while (pos < header.size() && (header[pos] == ' ' || header[pos] == ';')) ++pos;
    size_t end = header.find(';', pos);
    if (end == std::string::npos) end = header.size();
    const std::string pair = header.substr(pos, end - pos);
    const size_t eq = pair.find('=');
    if (eq != std::string::npos && pair.substr(0, eq) == name) return pair.substr(eq + 1);
    pos = end;
  }
  return "";
}

}  // namespace

namespace {

// The named arguments of the methods JSON-2 is called with, as Python binds them: what a call
// must give, what it may give, and whether it is an @api.model method (no ids).
struct Signature {
  bool model_method = false;
  std::vector<std::string> required;
  std::vector<std::string> optional;
};

const Signature& SignatureOf(const std::string& method) {
  static const std::map<std::string, Signature> kSignatures = {
      {"search", {true, {"domain"}, {"offset", "limit", "order"}}},
      {"search_read", {true, {}, {"domain", "fields", "offset", "limit", "order", "load"}}},
      {"search_count", {true, {"domain"}, {"limit"}}},
      {"read", {false, {}, {"fields", "load"}}},
      {"write", {false, {"vals"}, {}}},
      {"create", {true, {"vals_list"}, {}}},
      {"name_search", {true, {}, {"name", "domain", "operator", "limit"}}},
      {"fields_get", {true, {}, {"allfields", "attributes"}}},
      {"default_get", {true, {"fields_list"}, {}}},
      {"context_get", {true, {}, {}}},
      {"has_group", {false, {"group_ext_id"}, {}}},
      {"button_start", {false, {}, {"raise_on_invalid_state"}}},
  };
  static const Signature kRecordMethod;  // business methods take the records only
  auto it = kSignatures.find(method);
  return it == kSignatures.end() ? kRecordMethod : it->second;
}

// Python's json.JSONDecodeError text for a body that does not parse.
std::string PythonJsonError(const std::string& body) {
  size_t pos = body.size();
  try {
    const json parsed = json::parse(body);
    pos = parsed.dump().size();  // not reached for a body that does not parse
  } catch (const json::parse_error& e) {
    pos = std::min(body.size(), e.byte > 0 ? e.byte - 1 : 0);
  }
  return "Expecting value: line 1 column " + std::to_string(pos + 1) + " (char " +
         std::to_string(pos) + ")";
}

}  // namespace

const std::vector<std::string>& SupportedVersions() {
  static const std::vector<std::string> kVersions = [] {
    std::vector<std::string> v;
    for (const auto& p : Personalities()) v.push_back(p.series);
    return v;
  }();
  return kVersions;
}

namespace {

DatabaseSettings SettingsOf(const EmulatorOptions& o) {
  DatabaseSettings s;
  s.sms_confirmation = o.sms_confirmation;
  s.work_orders = o.work_orders.value_or(Dialect(CheckedMajor(o.version)).work_orders_on);
  s.sale_tax_percent = o.sale_tax_percent;
  s.without_modules = o.without_modules;
  s.probe_data = o.probe_data;
  return s;
}

}  // namespace

OdooEmulator::OdooEmulator(EmulatorOptions options)
    : options_(std::move(options)),
      db_(std::make_unique<OdooDatabase>(CheckedMajor(options_.version), SettingsOf(options_))),
      dialect_(db_->dialect()) {}

OdooEmulator::~OdooEmulator() = default;

std::string OdooEmulator::FieldComodel(const std::string& model, const std::string& field) const {
  prober::MutexLock lock(db_mu_);
  const Field* f = db_->orm().FindField(model, field);
  return f == nullptr ? "" : f->comodel;
}

json OdooEmulator::OpenRecordsTagged(const std::string& tag) const {
  prober::MutexLock lock(db_mu_);
  return db_->OpenRecordsTagged(tag);
}

void OdooEmulator::SetFaults(Faults faults) {
  prober::MutexLock lock(mu_);
  rng_.seed(faults.seed);
  rule_matches_.assign(faults.rules.size(), 0);
  faults_ = std::move(faults);
}

Faults OdooEmulator::faults() const {
  prober::MutexLock lock(mu_);
  return faults_;
}

std::string OdooEmulator::certificate() const {
  prober::MutexLock lock(mu_);
  return faults_.certificate;
}

void OdooEmulator::ExpireAllSessions() {
  prober::MutexLock lock(mu_);
  sessions_.clear();
}

std::vector<LoggedCall> OdooEmulator::RequestLog() const {
  prober::MutexLock lock(mu_);
  return log_;
}

std::string OdooEmulator::CallKey(const HttpRequest& request) {
  const json body = json::parse(request.body, nullptr, /*allow_exceptions=*/false);
  const json params = body.is_object() && body.contains("params") ? body["params"] : json();
  if (request.path == "/jsonrpc" && params.is_object()) {
    const std::string service = params.value("service", "");
    const json args = params.value("args", json::array());
    if (service == "object" && args.is_array() && args.size() >= 5 && args[3].is_string() &&
        args[4].is_string()) {
      return args[3].get<std::string>() + "." + args[4].get<std::string>();
    }
    return service + "." + params.value("method", "");
  }
  if (params.is_object() && params.contains("model") && params["model"].is_string() &&
      params.contains("method") && params["method"].is_string()) {
    return params["model"].get<std::string>() + "." + params["method"].get<std::string>();
  }
  if (request.path.rfind("/json/2/", 0) == 0) {
    std::string rest = request.path.substr(8);
    const auto slash = rest.find('/');
    if (slash != std::string::npos) rest[slash] = '.';
    return rest;
  }
  return request.path;
}

std::chrono::milliseconds OdooEmulator::DrawDelay(const std::string& key, const std::string& path,
                                                  const std::string& client) {
  prober::MutexLock lock(mu_);
  auto* rng = &rng_;  // drawn with mu_ held (the analysis does not follow the lambda)
  auto draw = [&](const Latency& l) {
    if (l.max <= l.min) return l.min;
    std::uniform_int_distribution<int64_t> d(l.min.count(), l.max.count());
    return std::chrono::milliseconds(d(*rng));
  };
  auto d = draw(faults_.latency);
  if (auto it = faults_.method_latency.find(key); it != faults_.method_latency.end()) {
    d += draw(it->second);
  } else if (auto p = faults_.method_latency.find(path); p != faults_.method_latency.end()) {
    d += draw(p->second);
  }
  if (auto it = faults_.client_latency.find(client); it != faults_.client_latency.end()) {
    d += draw(it->second);
  }
  return d;
}

std::optional<FaultRule> OdooEmulator::DrawFault(const std::string& key) {
  prober::MutexLock lock(mu_);
  for (size_t i = 0; i < faults_.rules.size(); ++i) {
    const FaultRule& rule = faults_.rules[i];
    const std::string& m = rule.match;
    const bool matches = m == "*" || m == key ||
                         (m.size() > 2 && m.compare(m.size() - 2, 2, ".*") == 0 &&
                          key.rfind(m.substr(0, m.size() - 1), 0) == 0);
    if (!matches || ++rule_matches_[i] <= rule.after) continue;
    if (rule.rate >= 1.0 || std::uniform_real_distribution<double>(0, 1)(rng_) < rule.rate) {
      return rule;
    }
  }
  return std::nullopt;
}

Delivery OdooEmulator::FaultResponse(const FaultRule& rule, const HttpRequest& request) {
  const FaultKind kind = rule.kind;
  Delivery delivery;
  HttpResponse& res = delivery.response;
  auto html = [&](int status, const std::string& title) {
    res.status = status;
    res.content_type = "text/html";
    res.body = "<html>\r\n<head><title>" + title + "</title></head>\r\n<body>\r\n<center><h1>" +
               title +
               "</h1></center>\r\n<hr><center>nginx/1.22.1</center>\r\n</body>\r\n</html>\r\n";
  };
  const json body = json::parse(request.body, nullptr, false);
  const json id = body.is_object() ? body.value("id", json(nullptr)) : json(nullptr);
  switch (kind) {
    case FaultKind::kHttp502:
      html(502, "502 Bad Gateway");
      break;
    case FaultKind::kHttp503:
      html(503, "503 Service Temporarily Unavailable");
      break;
    case FaultKind::kHttp504:
      html(504, "504 Gateway Time-out");
      break;
    case FaultKind::kRedirect:
      html(301, "301 Moved Permanently");
      res.headers.emplace_back("Location", "https://odoo.example.com" + request.path);
      break;
    case FaultKind::kHang:
      delivery.action = Delivery::Action::kHang;
      break;
    case FaultKind::kReset:
      delivery.action = Delivery::Action::kReset;
      break;
    case FaultKind::kMalformedJson:
      res.body = "{\"jsonrpc\": \"2.0\", \"id\": " + id.dump() + ", \"result\": [{\"id\": 1,";
      break;
    case FaultKind::kOversized: {
      // Built by hand: dumping a JSON string of tens of MiB would cost more than sending it.
      const size_t size = faults().oversized_bytes;
      res.body = "{\"jsonrpc\": \"2.0\", \"id\": " + id.dump() + ", \"result\": \"";
      res.body.append(size, 'x');
      res.body += "\"}";
      break;
    }
    case FaultKind::kOdooError: {
      json envelope = {
          {"jsonrpc", "2.0"},
          {"id", id},
          {"error", Error(Find(options_.version).generic_error_code, "Odoo Server Error",
                          "psycopg2.errors.SerializationFailure",
                          "could not serialize access due to concurrent update", kRpcFrames)}};
      res.body = envelope.dump();
      break;
    }
    case FaultKind::kAccessDenied:
    case FaultKind::kUserError:
    case FaultKind::kSessionExpired: {
      const int generic = Find(options_.version).generic_error_code;
      json error =
          kind == FaultKind::kAccessDenied
              ? Error(generic, "Odoo Server Error", "odoo.exceptions.AccessDenied", "Access Denied",
                      kCheckFrames)
          : kind == FaultKind::kUserError
              ? Error(generic, "Odoo Server Error", "odoo.exceptions.UserError",
                      "The period is locked: no document can be confirmed before it is reopened.",
                      kRpcFrames)
              : Error(100, "Odoo Session Expired", "odoo.http.SessionExpiredException",
                      "Session expired", kAuthUserFrames);
      const json envelope_id = kind == FaultKind::kSessionExpired ? json(nullptr) : id;
      res.body = json{{"jsonrpc", "2.0"}, {"id", envelope_id}, {"error", std::move(error)}}.dump();
      break;
    }
    case FaultKind::kWizard:
    case FaultKind::kNoop: {
      // Answered as Odoo would answer a call it carried out, without carrying it out.
      const json result = kind == FaultKind::kNoop
                              ? json(true)
                              : json{{"name", rule.wizard}, {"type", "ir.actions.act_window"},
                                     {"view_mode", "form"}, {"res_model", rule.wizard},
                                     {"target", "new"},     {"context", json::object()}};
      if (request.path.rfind("/json/2/", 0) == 0) {
        res.body = result.dump();
      } else {
        res.body = json{{"jsonrpc", "2.0"}, {"id", id}, {"result", result}}.dump();
      }
      break;
    }
    case FaultKind::kTruncated:
      break;  // handled by Serve(): the real answer, cut
  }
  return delivery;
}

prober::Status OdooEmulator::Administer(const json& change) {
  if (!change.is_object()) return prober::Status::InvalidArgument("not a JSON object");
  if (change.contains("server_version")) {
    if (!change["server_version"].is_string())
      return prober::Status::InvalidArgument("server_version: a string, e.g. \"17.0+e\"");
    prober::MutexLock lock(mu_);
    server_version_ = change["server_version"].get<std::string>();
  }
  if (change.contains("certificate")) {
    Faults f = faults();
    f.certificate =
        change["certificate"].is_string() ? change["certificate"].get<std::string>() : "";
    const auto& names = CertificateNames();
    if (std::find(names.begin(), names.end(), f.certificate) == names.end())
      return prober::Status::InvalidArgument("certificate: one of " + prober::Join(names));
    SetFaults(f);
  }
  if (!change.contains("modules")) return prober::Status::Ok();
  if (!change["modules"].is_object())
    return prober::Status::InvalidArgument("modules: {name: version or null}");
  const auto& o = options_;
  auto call = [&](const std::string& method, json args, json kwargs = json::object()) {
    return ExecuteKw(json::array({o.database, 2, o.password, "ir.module.module", method,
                                  std::move(args), std::move(kwargs)}));
  };
  for (const auto& [name, version] : change["modules"].items()) {
    auto found = call("search", json::array({json::array({json::array({"name", "=", name})})}));
    if (!found.error.is_null()) return prober::Status::Internal(found.error.dump());
    const json ids = found.result;
    json vals = version.is_null() ? json{{"state", "uninstalled"}}
                                  : json{{"state", "installed"}, {"latest_version", version}};
    if (ids.empty() && version.is_null()) continue;  // not there: nothing to uninstall
    if (ids.empty()) vals["name"] = name;
    const auto done =
        ids.empty() ? call("create", json::array({vals})) : call("write", json::array({ids, vals}));
    if (!done.error.is_null()) return prober::Status::Internal(done.error.dump());
  }
  return prober::Status::Ok();
}

HttpResponse OdooEmulator::HandleControl(const HttpRequest& request) {
  HttpResponse res;
  const std::string what = request.path.substr(std::string("/__emulator/").size());
  if (what == "admin" && request.method == "POST") {
    const json doc = json::parse(request.body, nullptr, false);
    const auto st =
        doc.is_discarded() ? prober::Status::InvalidArgument("not JSON") : Administer(doc);
    res.status = st.ok() ? 200 : 400;
    res.content_type = "text/plain";
    res.body = st.ok() ? "ok\n" : st.message();
    return res;
  }
  if (what == "faults" && request.method == "GET") {
    res.body = ToJson(faults()).dump();
  } else if (what == "faults" && request.method == "POST") {
    json doc = json::parse(request.body, nullptr, false);
    auto parsed = doc.is_discarded()
                      ? prober::Result<Faults>(prober::Status::InvalidArgument("not JSON"))
                      : ParseFaults(doc);
    if (!parsed.ok()) {
      res.status = 400;
      res.content_type = "text/plain";
      res.body = parsed.status().message();
    } else {
      SetFaults(*parsed);
      res.body = ToJson(*parsed).dump();
    }
  } else if (what == "log" && request.method == "GET") {
    json out = json::array();
    for (const auto& c : RequestLog()) {
      out.push_back({{"endpoint", c.endpoint},
                     {"service", c.service},
                     {"model", c.model},
                     {"method", c.method},
                     {"args", c.args}});
    }
    res.body = out.dump();
  } else if (what == "open-records" && request.method == "GET") {
    const std::string prefix = "tag=";
    const std::string tag =
        request.query.rfind(prefix, 0) == 0 ? request.query.substr(prefix.size()) : "probe-";
    res.body = OpenRecordsTagged(tag).dump();
  } else if (what == "expire-sessions" && request.method == "POST") {
    ExpireAllSessions();
    res.body = "true";
  } else {
    res.status = 404;
    res.content_type = "text/plain";
    res.body =
        "unknown control endpoint; try GET/POST /__emulator/faults, GET /__emulator/log, "
        "GET /__emulator/open-records?tag=probe-, POST /__emulator/expire-sessions";
  }
  return res;
}

json OdooEmulator::Error(int code, const std::string& message, const std::string& name,
                         const std::string& text, const std::string& frames) {
  return {{"code", code},
          {"message", message},
          {"data",
           {{"name", name},
            {"debug", std::string(kOuterFrames) + frames + TracebackName(name) + ": " + text},
            {"message", text},
            {"arguments", json::array({text})},
            {"context", json::object()}}}};
}

json OdooEmulator::VersionInfo() const {
  const Personality& p = Find(options_.version);
  const int major = std::stoi(p.series);
  std::string version = p.server_version;
  {
    prober::MutexLock lock(mu_);
    if (!server_version_.empty()) version = server_version_;
  }
  return {{"server_version", version},
          {"server_version_info", {major, 0, 0, "final", 0, ""}},
          {"server_serie", p.series},
          {"protocol_version", 1}};
}

int OdooEmulator::CheckLogin(const std::string& db, const std::string& login,
                             const std::string& password, bool allow_api_key) const {
  if (db != options_.database) return -1;
  if (login != options_.login) return 0;
  if (password == options_.password) return 2;
  // API keys replace the password for RPC (14+), never for the interactive web login.
  return allow_api_key && !options_.api_key.empty() && password == options_.api_key ? 2 : 0;
}

std::vector<std::string> OdooEmulator::SessionIds() const {
  prober::MutexLock lock(mu_);
  return issued_;
}

std::string OdooEmulator::NewSessionId() {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  std::ostringstream id;
  for (int i = 0; i < 5; ++i)
    id << std::hex << std::setw(8) << std::setfill('0') << (rng() & 0xffffffff);
  return id.str();
}

std::optional<int> OdooEmulator::SessionUid(const std::string& cookie) {
  const std::string sid = CookieValue(cookie, "session_id");
  prober::MutexLock lock(mu_);
  auto it = sessions_.find(sid);
  if (sid.empty() || it == sessions_.end()) return std::nullopt;
  // Fault injection: the session dies after N calls, as after a restart or a timeout.
  if (faults_.session_expiry_after > 0 && ++it->second.calls > faults_.session_expiry_after) {
    sessions_.erase(it);
    return std::nullopt;
  }
  return it->second.uid;
}

json OdooEmulator::SessionInfo(int uid) const {
  const Personality& p = Find(options_.version);
  const int major = std::stoi(p.series);
  // The keys and shapes each version's web client reads, as recorded; this user and database.
  json info = RecordedSessionInfo(major);
  info["uid"] = uid;
  info["user_context"]["uid"] = uid;
  info["db"] = options_.database;
  info["server_version"] = p.server_version;
  info["server_version_info"] = {major, 0, 0, "final", 0, ""};
  info["username"] = options_.login;
  info["web.base.url"] = "https://127.0.0.1";
  return info;
}

Delivery OdooEmulator::Serve(const HttpRequest& request) {
  if (request.path.rfind("/__emulator/", 0) == 0) return {HandleControl(request)};
  const std::string key = CallKey(request);
  const auto delay = DrawDelay(key, request.path, request.client_address);
  const auto fault = DrawFault(key);
  const bool truncate = fault && fault->kind == FaultKind::kTruncated;
  Delivery d = fault && !truncate ? FaultResponse(*fault, request) : Delivery{HandleOdoo(request)};
  if (truncate) d.action = Delivery::Action::kTruncate;
  d.delay += delay;
  return d;
}

HttpResponse OdooEmulator::HandleOdoo(const HttpRequest& request) {
  HttpResponse res;
  const Dialect& dialect = dialect_;
  if (request.path == "/web/version" && request.method == "GET" && dialect.json2) {
    res.body = json{{"version_info", VersionInfo()["server_version_info"]},
                    {"version", Find(options_.version).series}}
                   .dump();
    return res;
  }
  if (request.path.rfind("/json/2/", 0) == 0 && dialect.json2) return HandleJson2(request);
  if (request.path == "/web/health" && request.method == "GET") {
    res.content_type = "application/json";
    res.headers.push_back({"Cache-Control", "no-store"});
    res.body = R"({"status": "pass"})";
    return res;
  }
  const bool json_route =
      request.path == "/jsonrpc" || request.path.rfind("/web/session/", 0) == 0 ||
      request.path == "/web/webclient/version_info" || request.path == "/web/dataset/call_kw" ||
      request.path.rfind("/web/dataset/call_kw/", 0) == 0;
  if (!json_route) {
    res.status = 404;
    res.content_type = "text/html;charset=utf-8";
    res.body = kNotFoundHtml;
    return res;
  }
  if (request.method != "POST") {
    // Recorded: 16-18 answer 400 (the route is type json), 19 answers 415 (type jsonrpc).
    res.content_type = "text/html; charset=utf-8";
    std::string body = dialect.wrong_verb_415 ? kWrongVerbHtml19 : kWrongVerbHtml;
    body.replace(body.find("{path}"), 6, request.path);
    res.status = dialect.wrong_verb_415 ? 415 : 400;
    res.body = body;
    return res;
  }
  json body = json::parse(request.body, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded() && request.path != "/jsonrpc" && dialect.web_routes_parse_body) {
    // Recorded on 18: the web routes parse the body themselves and answer Python's
    // JSONDecodeError inside the envelope, before any session check.
    const std::string text = PythonJsonError(request.body);
    json envelope = {{"jsonrpc", "2.0"},
                     {"id", nullptr},
                     {"error", Error(Find(options_.version).generic_error_code, "Odoo Server Error",
                                     "json.decoder.JSONDecodeError", text, "")}};
    res.body = envelope.dump();
    return res;
  }
  if (body.is_discarded() || !body.is_object()) {
    res.status = 400;
    res.content_type = "text/html; charset=utf-8";
    res.body = "Invalid JSON data";
    return res;
  }
  return HandleJsonRpc(request, body);
}

HttpResponse OdooEmulator::HandleJsonRpc(const HttpRequest& request, const json& body) {
  HttpResponse res;
  const json params = body.contains("params") ? body["params"] : json::object();
  RpcAnswer a = Dispatch(request.path, params, request.cookie, res.headers);
  json envelope = {{"jsonrpc", "2.0"},
                   {"id", a.null_id ? json(nullptr) : body.value("id", json(nullptr))}};
  if (!a.error.is_null()) {
    envelope["error"] = a.error;
  } else if (a.has_result) {
    envelope["result"] = a.result;
  }
  res.body = envelope.dump();
  return res;
}

HttpResponse OdooEmulator::HandleJson2(const HttpRequest& request) {
  // Odoo 19's JSON-2: bare JSON answers with real HTTP statuses, in the order the recorded
  // server checks them: route, content type, API key, body, model, method, arguments.
  HttpResponse res;
  auto fail = [&](int status, const std::string& name, const std::string& message, bool werkzeug) {
    res.status = status;
    // werkzeug's HTTP exceptions carry their status among the arguments; Odoo's do not.
    json arguments = werkzeug ? json::array({message, status}) : json::array({message});
    res.body = json{{"name", name},
                    {"message", message},
                    {"arguments", std::move(arguments)},
                    {"context", json::object()},
                    {"debug", std::string(kOuterFrames) + TracebackName(name) + ": " + message}}
                   .dump();
    return res;
  };
  std::string path = request.path.size() > 8 ? request.path.substr(8) : "";
  const auto slash = path.find('/');
  const std::string model = path.substr(0, slash);
  const std::string method = slash == std::string::npos ? "" : path.substr(slash + 1);
  std::string auth = request.authorization;
  std::string scheme = auth.substr(0, std::min<size_t>(auth.size(), 7));
  for (char& c : scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  const std::string token = scheme == "bearer " ? auth.substr(7) : "";
  {
    prober::MutexLock lock(mu_);
    log_.push_back({request.path, "json2", model, method, json::object()});
  }
  if (request.method != "POST" || method.empty() || model.empty()) {
    return fail(404, "werkzeug.exceptions.NotFound", "Did you mean POST /json/2/<model>/<method>?",
                true);
  }
  if (request.content_type.rfind("application/json", 0) != 0) {
    res.status = 415;
    res.content_type = "text/html; charset=utf-8";
    res.body =
        "<!doctype html>\n<html lang=en>\n<title>415 Unsupported Media Type</title>\n"
        "<h1>Unsupported Media Type</h1>\n<p>Request inferred type is compatible with "
        "[&#39;http&#39;] but &#39;/json/2/&lt;__model__&gt;/&lt;__method__&gt;&#39; is "
        "type=&#39;json2&#39;.<br><br>Please verify the Content-Type request header and try "
        "again.</p>\n";
    return res;
  }
  if (token.empty() || options_.api_key.empty() || token != options_.api_key) {
    fail(401, "werkzeug.exceptions.Unauthorized",
         token.empty() ? "User not authenticated, use an API Key with a Bearer Authorization "
                         "header."
                       : "Invalid apikey",
         true);
    res.headers.push_back({"WWW-Authenticate", "Bearer"});
    return res;
  }
  if (!request.database.empty() && request.database != options_.database) {
    return fail(404, "werkzeug.exceptions.NotFound",
                "404 Not Found: database " + request.database + " not found", true);
  }
  json body = request.body.empty() ? json::object() : json::parse(request.body, nullptr, false);
  if (body.is_discarded()) {
    return fail(400, "werkzeug.exceptions.BadRequest",
                "could not parse the body as json: " + PythonJsonError(request.body), true);
  }
  if (!body.is_object()) body = json::object();  // a list binds no argument
  prober::MutexLock lock(db_mu_);
  if (!db_->HasModel(model)) {
    return fail(404, "werkzeug.exceptions.NotFound", "the model '" + model + "' does not exist",
                true);
  }
  const Dialect& dialect = dialect_;
  if (method[0] == '_') {
    return fail(403, "odoo.exceptions.AccessError", dialect.PrivateMethod(model, method), false);
  }
  if (!db_->HasMethod(model, method)) {
    return fail(404, "werkzeug.exceptions.NotFound", dialect.NoSuchMethod(model, method), true);
  }
  const Signature& sig = SignatureOf(method);
  if (sig.model_method && body.contains("ids")) {
    return fail(422, "werkzeug.exceptions.UnprocessableEntity",
                "cannot call " + model + "." + method + " with ids", true);
  }
  for (const auto& name : sig.required) {
    if (!body.contains(name)) {
      return fail(422, "werkzeug.exceptions.UnprocessableEntity",
                  "missing a required argument: '" + name + "'", true);
    }
  }
  for (auto it = body.begin(); it != body.end(); ++it) {
    const std::string& name = it.key();
    if (name == "ids" || name == "context") continue;
    if (std::find(sig.required.begin(), sig.required.end(), name) == sig.required.end() &&
        std::find(sig.optional.begin(), sig.optional.end(), name) == sig.optional.end()) {
      return fail(422, "werkzeug.exceptions.UnprocessableEntity",
                  "got an unexpected keyword argument '" + name + "'", true);
    }
  }
  try {
    auto result = db_->CallNamed(model, method, body);
    res.body = result ? result->dump() : "null";
  } catch (const OdooException& e) {
    // odoo.exceptions' http_status (19); anything else is a server error.
    int status = 500;
    if (e.name == "odoo.exceptions.AccessError" || e.name == "odoo.exceptions.AccessDenied")
      status = 403;
    if (e.name == "odoo.exceptions.MissingError") status = 404;
    if (e.name == "odoo.exceptions.UserError" || e.name == "odoo.exceptions.ValidationError")
      status = 422;
    return fail(status, e.name, e.message, false);
  }
  return res;
}

namespace {

// A string parameter of a JSON-RPC call; "" when absent.
std::string Str(const json& params, const char* key) {
  return params.is_object() && params.contains(key) && params[key].is_string()
             ? params[key].get<std::string>()
             : std::string();
}

void SetCookie(std::vector<std::pair<std::string, std::string>>& headers, const std::string& sid) {
  const auto expires = std::chrono::system_clock::now() + std::chrono::hours(24 * 365);
  headers.push_back({"Set-Cookie", "session_id=" + sid + "; Expires=" + HttpDate(expires) +
                                       "; Max-Age=604800; HttpOnly; Path=/"});
}

}  // namespace

OdooEmulator::RpcAnswer OdooEmulator::SessionExpired() {
  RpcAnswer e;
  e.error = Error(100, "Odoo Session Expired", "odoo.http.SessionExpiredException",
                  "Session expired", kAuthUserFrames);
  e.null_id = true;
  return e;
}

OdooEmulator::RpcAnswer OdooEmulator::Dispatch(
    const std::string& path, const json& params, const std::string& cookie,
    std::vector<std::pair<std::string, std::string>>& headers) {
  if (path == "/jsonrpc") return DispatchJsonRpc(params);
  if (path == "/web/webclient/version_info") {
    RpcAnswer a;
    a.result = VersionInfo();
    return a;
  }
  if (path == "/web/session/authenticate") return DispatchAuthenticate(params, headers);
  return DispatchSession(path, params, cookie, headers);
}

// /jsonrpc: the common service (version, login) and the object service (execute_kw).
OdooEmulator::RpcAnswer OdooEmulator::DispatchJsonRpc(const json& params) {
  const int generic = Find(options_.version).generic_error_code;
  RpcAnswer a;
  auto str = [&](const char* key) { return Str(params, key); };
  const std::string service = str("service"), method = str("method");
  json args = params.is_object() && params.contains("args") ? params["args"] : json::array();
  LoggedCall call{"/jsonrpc", service, "", method, args};
  if (service == "common" && args.is_array() && args.size() >= 3) call.args[2] = "<redacted>";
  if (service == "object" && args.is_array() && args.size() >= 3) {
    call.args[2] = "<redacted>";
    if (args.size() >= 5) {
      call.model = args[3].is_string() ? args[3].get<std::string>() : "";
      call.method = args[4].is_string() ? args[4].get<std::string>() : "";
    }
  }
  {
    prober::MutexLock lock(mu_);
    log_.push_back(call);
  }
  if (service == "common") {
    if (method == "version") {
      a.result = VersionInfo();
      return a;
    }
    if ((method == "login" || method == "authenticate") && args.is_array() && args.size() >= 3 &&
        args[0].is_string() && args[1].is_string() && args[2].is_string()) {
      const int uid = CheckLogin(args[0], args[1], args[2], /*allow_api_key=*/true);
      if (uid < 0) {
        const std::string text =
            "connection to server at \"localhost\" (127.0.0.1), port 5432 "
            "failed: FATAL:  database \"" +
            args[0].get<std::string>() + "\" does not exist\n";
        a.error =
            Error(generic, "Odoo Server Error", "psycopg2.OperationalError", text, kRpcFrames);
        return a;
      }
      a.result = uid > 0 ? json(uid) : json(false);
      return a;
    }
    a.error = Error(generic, "Odoo Server Error", "builtins.TypeError",
                    "exp_" + method + "() takes a different number of arguments", kRpcFrames);
    return a;
  }
  if (service == "object" && (method == "execute_kw" || method == "execute"))
    return ExecuteKw(args);
  a.error = Error(generic, "Odoo Server Error", "builtins.KeyError", service, kRpcFrames);
  a.error["data"]["debug"] = std::string(kOuterFrames) + kRpcFrames + "KeyError: '" + service + "'";
  return a;
}

// /web/session/authenticate: a web session, its cookie and the session info.
OdooEmulator::RpcAnswer OdooEmulator::DispatchAuthenticate(
    const json& params, std::vector<std::pair<std::string, std::string>>& headers) {
  const int generic = Find(options_.version).generic_error_code;
  RpcAnswer a;
  auto str = [&](const char* key) { return Str(params, key); };
  json logged = params;
  if (logged.is_object() && logged.contains("password")) logged["password"] = "<redacted>";
  {
    prober::MutexLock lock(mu_);
    log_.push_back({"/web/session/authenticate", "", "", "authenticate", logged});
  }
  const int uid = CheckLogin(str("db"), str("login"), str("password"), /*allow_api_key=*/false);
  if (uid < 0) {
    a.error = Error(generic, "Odoo Server Error", "odoo.exceptions.AccessError",
                    "Database not found.", kSessionAuthFrames);
    return a;
  }
  if (uid == 0) {
    a.error = Error(generic, "Odoo Server Error", "odoo.exceptions.AccessDenied", "Access Denied",
                    kSessionAuthFrames);
    return a;
  }
  const std::string sid = NewSessionId();
  {
    prober::MutexLock lock(mu_);
    sessions_[sid] = Session{uid, 0};
    issued_.push_back(sid);
  }
  SetCookie(headers, sid);
  a.result = SessionInfo(uid);
  return a;
}

// The routes of a web session: its info, its end, and call_kw.
OdooEmulator::RpcAnswer OdooEmulator::DispatchSession(
    const std::string& path, const json& params, const std::string& cookie,
    std::vector<std::pair<std::string, std::string>>& headers) {
  RpcAnswer a;
  auto str = [&](const char* key) { return Str(params, key); };
  const auto uid = SessionUid(cookie);
  if (path == "/web/session/get_session_info") {
    {
      prober::MutexLock lock(mu_);
      log_.push_back({path, "", "", "get_session_info", json::object()});
    }
    if (!uid) return SessionExpired();
    SetCookie(headers, CookieValue(cookie, "session_id"));
    a.result = SessionInfo(*uid);
    return a;
  }
  if (path == "/web/session/destroy") {
    {
      prober::MutexLock lock(mu_);
      log_.push_back({path, "", "", "destroy", json::object()});
      sessions_.erase(CookieValue(cookie, "session_id"));
    }
    a.has_result = false;
    return a;
  }
  if (path == "/web/dataset/call_kw" || path.rfind("/web/dataset/call_kw/", 0) == 0) {
    const std::string model = str("model"), method = str("method");
    const json args =
        params.is_object() && params.contains("args") ? params["args"] : json::array();
    const json kwargs =
        params.is_object() && params.contains("kwargs") ? params["kwargs"] : json::object();
    {
      prober::MutexLock lock(mu_);
      log_.push_back({path, "", model, method, args});
    }
    if (!uid) return SessionExpired();
    return CallModel(model, method, args, kwargs, /*via_call_kw=*/true);
  }
  // Other /web/session/* routes do not exist in the emulator: Odoo's 404 as JSON-RPC error.
  a.error = NotFound();
  return a;
}

OdooEmulator::RpcAnswer OdooEmulator::ExecuteKw(const json& args) {
  const int generic = Find(options_.version).generic_error_code;
  RpcAnswer a;
  if (!args.is_array() || args.size() < 6 || !args[0].is_string() || !args[1].is_number_integer() ||
      !args[2].is_string() || !args[3].is_string() || !args[4].is_string()) {
    a.error = Error(generic, "Odoo Server Error", "builtins.TypeError",
                    "execute_kw() missing required positional arguments", kRpcFrames);
    return a;
  }
  const int uid = args[1].get<int>();
  if (uid != 2 && dialect_.unknown_uid_missing &&
      CheckLogin(args[0], options_.login, args[2], /*allow_api_key=*/true) == 2) {
    // Recorded on 19: the right password with a uid that does not exist.
    a.error = Error(generic, "Odoo Server Error", "odoo.exceptions.MissingError",
                    "Record does not exist or has been deleted.\n(Record: res.users(" +
                        std::to_string(uid) + ",), User: " + std::to_string(uid) + ")",
                    std::string(kRpcFrames) + kCheckFrames);
    return a;
  }
  if (CheckLogin(args[0], options_.login, args[2], /*allow_api_key=*/true) != 2 || uid != 2) {
    a.error = Error(generic, "Odoo Server Error", "odoo.exceptions.AccessDenied", "Access Denied",
                    std::string(kRpcFrames) + kCheckFrames);
    return a;
  }
  const json kwargs = args.size() > 6 && args[6].is_object() ? args[6] : json::object();
  return CallModel(args[3], args[4], args[5], kwargs, /*via_call_kw=*/false);
}

OdooEmulator::RpcAnswer OdooEmulator::CallModel(const std::string& model, const std::string& method,
                                                const json& args, const json& kwargs,
                                                bool via_call_kw) {
  const int generic = Find(options_.version).generic_error_code;
  const std::string frames = via_call_kw ? kCallKwFrames : kRpcFrames;
  RpcAnswer a;
  prober::MutexLock lock(db_mu_);
  if (!db_->HasModel(model) && via_call_kw) {
    // Recorded: 17 raises a bare KeyError; 18 answers the route's 404 (with "id": null).
    if (!dialect_.call_kw_unknown_model_404) {
      a.error = Error(generic, "Odoo Server Error", "builtins.KeyError", model, frames);
      a.error["data"]["debug"] = std::string(kOuterFrames) + frames + "KeyError: '" + model + "'";
    } else {
      a.error = NotFound();
      a.null_id = true;
    }
    return a;
  }
  try {
    auto result = db_->Call(model, method, args, kwargs);
    if (result) {
      a.result = std::move(*result);
    } else {
      a.has_result = false;  // the method returned None
    }
  } catch (const OdooException& e) {
    a.error = Error(generic, "Odoo Server Error", e.name, e.message, frames);
  }
  return a;
}

json OdooEmulator::NotFound() {
  json e = Error(404, "404: Not Found", "werkzeug.exceptions.NotFound",
                 "404 Not Found: The requested URL was not found on the server. If you entered the "
                 "URL manually please check your spelling and try again.",
                 "");
  e["data"]["arguments"] = json::array();
  return e;
}

}  // namespace odoo_prober::emulator
