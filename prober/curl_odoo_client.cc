// The libcurl implementation of OdooClient.
//
// One CURL easy handle per client, so a journey reuses its connection (and TLS session) from
// one call to the next: the first call pays DNS, connect and TLS, the rest measure the server.
#include <curl/curl.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "prober/internal/curl_util.h"
#include "prober/internal/excerpt.h"
#include "prober/json2_answer.h"
#include "prober/jsonrpc_answer.h"
#include "prober/odoo_client.h"

namespace odoo_prober::prober {

std::string_view ProtocolName(Protocol protocol) {
  switch (protocol) {
    case Protocol::kAuto:
      return "auto";
    case Protocol::kJsonRpc:
      return "jsonrpc";
    case Protocol::kWeb:
      return "web";
    case Protocol::kJson2:
      return "json2";
  }
  return "unknown";
}

RpcTimings& RpcTimings::operator+=(const RpcTimings& other) {
  dns_us += other.dns_us;
  connect_us += other.connect_us;
  tls_us += other.tls_us;
  first_byte_us += other.first_byte_us;
  total_us += other.total_us;
  return *this;
}

namespace {

using nlohmann::json;

using internal::CurlHandle;
using internal::CurlList;
using internal::IsTlsFailure;

// What came back from one HTTP exchange, before any JSON-RPC interpretation.
struct HttpExchange {
  CURLcode code = CURLE_OK;
  std::string curl_error;  // libcurl's error buffer
  long status = 0;
  std::string location;  // a 3xx answer's Location, resolved against the request's URL
  std::string body;
  bool too_large = false;
  RpcTimings timings;
  Connection connection;
};

struct BodySink {
  std::string* body;
  std::size_t limit;
  bool too_large = false;
};

size_t WriteBody(char* data, size_t size, size_t nmemb, void* user) {
  auto* sink = static_cast<BodySink*>(user);
  const size_t n = size * nmemb;
  if (sink->body->size() + n > sink->limit) {
    sink->too_large = true;
    return 0;  // makes libcurl stop with CURLE_WRITE_ERROR
  }
  sink->body->append(data, n);
  return n;
}

// What libcurl knows of the exchange it just made: status, a redirect's target, the phases'
// durations (its times are offsets from the start) and the connection's two ends.
void ReadInfo(CURL* c, HttpExchange& x) {
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &x.status);
  if (char* location = nullptr;
      curl_easy_getinfo(c, CURLINFO_REDIRECT_URL, &location) == CURLE_OK && location != nullptr)
    x.location = location;
  internal::ReadPhases(c, x.timings, x.connection);
}

constexpr const char* kCancelled = "cancelled: the prober is shutting down";

class CurlOdooClient final : public OdooClient {
 public:
  CurlOdooClient(ClientOptions options, const Clock& clock, CurlHandle handle, CancelFlag cancel)
      : options_(std::move(options)),
        clock_(clock),
        curl_(std::move(handle)),
        cancel_(std::move(cancel)) {
    resolved_ = options_.protocol;
    SetConstantOptions();
  }

  RpcResult Version(Deadline deadline) override {
    // /web/webclient/version_info answers on every version without a login, whatever API the
    // journeys then use; /jsonrpc's common.version is deprecated in 19.
    RpcResult r =
        resolved_ == Protocol::kJsonRpc
            ? JsonRpcCall("/jsonrpc", ServiceParams("common", "version", json::array()), deadline)
            : JsonRpcCall("/web/webclient/version_info", json::object(), deadline);
    if (!r.ok()) return r;
    const json* info = r.result.is_object() && r.result.contains("server_version_info")
                           ? &r.result["server_version_info"]
                           : nullptr;
    if (info == nullptr || !info->is_array() || info->empty() || !(*info)[0].is_number_integer()) {
      return Fail(std::move(r), Outcome::kHttp,
                  "the version answer has no server_version_info: is this an Odoo server?");
    }
    server_major_ = (*info)[0].get<int>();
    if (resolved_ == Protocol::kAuto) {
      // JSON-2 is Odoo 19's API (and /jsonrpc is deprecated there); it needs an API key.
      resolved_ =
          server_major_ >= 19 && !options_.api_key.empty() ? Protocol::kJson2 : Protocol::kJsonRpc;
    }
    return r;
  }

  RpcResult Authenticate(Deadline deadline) override {
    RpcTimings spent;
    // Journeys branch on the version, so /jsonrpc logins start with common.version as Odoo's
    // own docs do (the web session's answer carries the version already).
    if (resolved_ != Protocol::kWeb && server_major_ == 0) {
      RpcResult v = Version(deadline);
      if (!v.ok()) return v;
      spent = v.timings;
    }
    RpcResult r = resolved_ == Protocol::kWeb     ? AuthenticateWeb(deadline)
                  : resolved_ == Protocol::kJson2 ? AuthenticateJson2(deadline)
                                                  : AuthenticateJsonRpc(deadline);
    r.timings += spent;
    return r;
  }

  RpcResult CallKw(const std::string& model, const std::string& method, const json& args,
                   const json& kwargs, Deadline deadline) override {
    if (uid_ == 0) {
      RpcResult r;
      r.outcome = Outcome::kAuth;
      r.detail = "not logged in: authenticate before calling " + model + "." + method;
      return r;
    }
    if (resolved_ == Protocol::kJson2) return Json2Call(model, method, args, kwargs, deadline);
    if (resolved_ == Protocol::kWeb) {
      json params = {{"model", model}, {"method", method}, {"args", args}, {"kwargs", kwargs}};
      const std::string path = "/web/dataset/call_kw/" + model + "/" + method;
      RpcResult r = JsonRpcCall(path, params, deadline);
      if (r.error && r.error->name == "odoo.http.SessionExpiredException") {
        // The session lapsed (server restart, max inactivity): log in again, once.
        spdlog::debug("session expired on {}.{}; re-authenticating once", model, method);
        RpcTimings spent = r.timings;
        RpcResult login = AuthenticateWeb(deadline);
        spent += login.timings;
        if (!login.ok()) {
          login.timings = spent;
          return login;
        }
        r = JsonRpcCall(path, params, deadline);
        r.timings += spent;
      }
      return r;
    }
    const Secret& credential = options_.api_key.empty() ? options_.password : options_.api_key;
    json call_args = {options_.database, uid_, credential.Reveal(), model, method, args, kwargs};
    return JsonRpcCall("/jsonrpc", ServiceParams("object", "execute_kw", std::move(call_args)),
                       deadline);
  }

  int uid() const override { return uid_; }
  int server_major() const override { return server_major_; }
  Protocol protocol() const override { return resolved_; }

 private:
  static json ServiceParams(const char* service, const char* method, json args) {
    return {{"service", service}, {"method", method}, {"args", std::move(args)}};
  }

  RpcResult AuthenticateJsonRpc(Deadline deadline) {
    const Secret& credential = options_.api_key.empty() ? options_.password : options_.api_key;
    json args = {options_.database, options_.login, credential.Reveal(), json::object()};
    RpcResult r =
        JsonRpcCall("/jsonrpc", ServiceParams("common", "authenticate", std::move(args)), deadline);
    if (!r.ok()) return r;
    if (r.result.is_number_integer() && r.result.get<int>() > 0) {
      uid_ = r.result.get<int>();
      return r;
    }
    // Odoo answers a refused login with false, not an error.
    return Fail(std::move(r), Outcome::kAuth,
                "Access Denied: common.authenticate returned false (wrong login, password or "
                "API key, or a 2FA user without an API key)");
  }

  RpcResult AuthenticateWeb(Deadline deadline) {
    json params = {{"db", options_.database},
                   {"login", options_.login},
                   {"password", options_.password.Reveal()}};
    RpcResult r = JsonRpcCall("/web/session/authenticate", params, deadline);
    if (!r.ok()) return r;
    const json* uid = r.result.is_object() && r.result.contains("uid") ? &r.result["uid"] : nullptr;
    if (uid != nullptr && uid->is_number_integer() && uid->get<int>() > 0) {
      uid_ = uid->get<int>();
      if (server_major_ == 0 && r.result.contains("server_version_info") &&
          r.result["server_version_info"].is_array() && !r.result["server_version_info"].empty() &&
          r.result["server_version_info"][0].is_number_integer()) {
        server_major_ = r.result["server_version_info"][0].get<int>();
      }
      // session_info is large and carries the user's context; the uid is what callers need.
      r.result = uid_;
      return r;
    }
    if (uid != nullptr && uid->is_null()) {
      return Fail(std::move(r), Outcome::kAuth,
                  "login needs a second factor (uid is null): the web session cannot pass 2FA; "
                  "use protocol jsonrpc with an API key");
    }
    return Fail(std::move(r), Outcome::kHttp, "the login answer has no uid");
  }

  // JSON-2 has no login call: the key is checked on every call. context_get tells the uid.
  RpcResult AuthenticateJson2(Deadline deadline) {
    RpcResult r = Json2Call("res.users", "context_get", json::array(), json::object(), deadline);
    if (!r.ok()) return r;
    if (r.result.is_object() && r.result.contains("uid") && r.result["uid"].is_number_integer()) {
      uid_ = r.result["uid"].get<int>();
      r.result = uid_;
      return r;
    }
    return Fail(std::move(r), Outcome::kHttp, "context_get answered without a uid");
  }

  // JSON-2 takes named arguments only: positional ones are named after Odoo's signatures.
  static std::optional<json> NamedArguments(const std::string& method, const json& args,
                                            const json& kwargs, std::string* error) {
    static const std::map<std::string, std::vector<std::string>> kModelMethods = {
        {"search", {"domain", "offset", "limit", "order"}},
        {"search_read", {"domain", "fields", "offset", "limit", "order"}},
        {"search_count", {"domain", "limit"}},
        {"create", {"vals_list"}},
        {"name_search", {"name", "domain", "operator", "limit"}},
        {"fields_get", {"allfields", "attributes"}},
        {"default_get", {"fields_list"}},
        {"context_get", {}},
    };
    static const std::map<std::string, std::vector<std::string>> kRecordMethods = {
        {"read", {"fields"}}, {"write", {"vals"}}, {"copy", {"default"}}};
    json body = json::object();
    std::vector<std::string> names;
    size_t first = 0;
    if (auto it = kModelMethods.find(method); it != kModelMethods.end()) {
      names = it->second;
    } else {
      if (!args.empty()) body["ids"] = args[0];
      first = 1;
      if (auto r = kRecordMethods.find(method); r != kRecordMethods.end()) names = r->second;
    }
    for (size_t i = first; i < args.size(); ++i) {
      if (i - first >= names.size()) {
        *error = "JSON-2 takes named arguments: give " + method + "'s extra arguments in kwargs";
        return std::nullopt;
      }
      body[names[i - first]] = args[i];
    }
    if (method == "create" && body.contains("vals_list") && body["vals_list"].is_object()) {
      body["vals_list"] = json::array({body["vals_list"]});  // JSON-2 creates from a list
    }
    for (auto it = kwargs.begin(); it != kwargs.end(); ++it) body[it.key()] = it.value();
    return body;
  }

  RpcResult Json2Call(const std::string& model, const std::string& method, const json& args,
                      const json& kwargs, Deadline deadline) {
    std::string error;
    auto body = NamedArguments(method, args, kwargs, &error);
    RpcResult r;
    if (!body) {
      r.outcome = Outcome::kAssertion;
      r.detail = error;
      return r;
    }
    const bool single_create = method == "create" && !args.empty() && args[0].is_object();
    const std::string path = "/json/2/" + model + "/" + method;
    HttpExchange x = Post(path, body->dump(), deadline, /*json2=*/true);
    if (x.code != CURLE_OK) {
      r.http_status = x.status;
      r.timings = x.timings;
      r.connection = x.connection;
      return Transport(std::move(r), x, path);
    }
    r = InterpretJson2Answer(x.status, x.body, path, options_.max_debug_bytes, single_create);
    SayRedirect(r, x);
    r.timings = x.timings;
    r.connection = x.connection;
    return r;
  }

  RpcResult Transport(RpcResult r, const HttpExchange& x, const std::string& path) const {
    if (x.too_large || x.code == CURLE_FILESIZE_EXCEEDED) {
      r.outcome = Outcome::kHttp;
      r.detail = "answer larger than max_response_bytes (" +
                 std::to_string(options_.max_response_bytes) + " bytes) from " + path;
    } else if (x.code == CURLE_OPERATION_TIMEDOUT) {
      r.outcome = Outcome::kTimeout;
      r.detail = "no complete answer from " + path + " before the deadline: " + x.curl_error;
    } else if (x.code == CURLE_ABORTED_BY_CALLBACK) {
      r.outcome = Outcome::kTransport;
      r.detail = std::string(kCancelled) + " (" + path + ")";
    } else if (IsTlsFailure(x.code)) {
      r.outcome = Outcome::kTls;
      r.detail = "TLS failure on " + path + ": " + x.curl_error;
    } else {
      r.outcome = Outcome::kTransport;
      r.detail = std::string(curl_easy_strerror(x.code)) + " on " + path + ": " + x.curl_error;
    }
    return r;
  }

  // A redirect is never followed (a POST would lose its body, and a login page is no answer):
  // the failure says where it points, so that the url can be corrected.
  static void SayRedirect(RpcResult& r, const HttpExchange& x) {
    if (x.status < 300 || x.status >= 400) return;
    r.detail += x.location.empty()
                    ? " (a redirect without a Location header)"
                    : " (redirects to " + internal::Excerpt(x.location, 300) +
                          "; odoo-prober does not follow redirects: set the target's url to "
                          "where Odoo answers, e.g. https:// or the proxy's public name)";
  }

  static RpcResult Fail(RpcResult r, Outcome outcome, std::string detail) {
    r.outcome = outcome;
    r.detail = std::move(detail);
    r.result = nullptr;
    return r;
  }

  // POSTs one JSON-RPC request and interprets the envelope.
  RpcResult JsonRpcCall(const std::string& path, json params, Deadline deadline) {
    const int64_t id = ++next_id_;
    json request = {
        {"jsonrpc", "2.0"}, {"method", "call"}, {"params", std::move(params)}, {"id", id}};
    HttpExchange x = Post(path, request.dump(), deadline);
    RpcResult r;
    r.http_status = x.status;
    r.timings = x.timings;
    r.connection = x.connection;
    if (x.code != CURLE_OK) return Transport(std::move(r), x, path);
    RpcResult answer = InterpretJsonRpcAnswer(x.status, x.body, path, options_.max_debug_bytes);
    SayRedirect(answer, x);
    answer.timings = r.timings;
    answer.connection = r.connection;
    return answer;
  }

  // Options that are the same for every request of this client; set once, because the handle
  // keeps them (and its connections, DNS and TLS session caches and cookies) between calls.
  void SetConstantOptions() {
    CURL* c = curl_.get();
    curl_slist* h = curl_slist_append(nullptr, "Content-Type: application/json");
    h = curl_slist_append(h, "Accept: application/json");
    h = curl_slist_append(h, "Expect:");  // no 100-continue round trip
    headers_.reset(h);
    if (!options_.api_key.empty()) {
      // The bearer key lives only in this list, which is never logged.
      curl_slist* j = curl_slist_append(nullptr, "Content-Type: application/json");
      j = curl_slist_append(j, "Accept: application/json");
      j = curl_slist_append(j, "Expect:");
      j = curl_slist_append(j, ("Authorization: bearer " + options_.api_key.Reveal()).c_str());
      j = curl_slist_append(j, ("X-Odoo-Database: " + options_.database).c_str());
      json2_headers_.reset(j);
    }
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_POST, 1L);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers_.get());
    curl_easy_setopt(c, CURLOPT_USERAGENT, options_.user_agent.c_str());
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE,
                     static_cast<curl_off_t>(options_.max_response_bytes));
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &WriteBody);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf_);
    if (cancel_) {
      curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
      curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, &internal::CancelProgress);
      curl_easy_setopt(c, CURLOPT_XFERINFODATA, const_cast<std::atomic<bool>*>(cancel_.get()));
    }
    curl_easy_setopt(c, CURLOPT_COOKIEFILE, "");  // in-memory cookie engine: session_id
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, options_.tls.verify ? 1L : 0L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, options_.tls.verify ? 2L : 0L);
    if (!options_.tls.ca_file.empty()) {
      curl_easy_setopt(c, CURLOPT_CAINFO, options_.tls.ca_file.c_str());
    }
    if (!options_.tls.client_cert_file.empty()) {
      curl_easy_setopt(c, CURLOPT_SSLCERT, options_.tls.client_cert_file.c_str());
      curl_easy_setopt(c, CURLOPT_SSLKEY, options_.tls.client_key_file.c_str());
    }
  }

  HttpExchange Post(const std::string& path, const std::string& body, Deadline deadline,
                    bool json2 = false) {
    HttpExchange x;
    CURL* c = curl_.get();
    auto budget = options_.call_timeout;
    if (deadline != kNoDeadline) {
      auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock_.Monotonic());
      budget = std::min(budget, left);
    }
    if (budget.count() <= 0) {
      x.code = CURLE_OPERATION_TIMEDOUT;
      x.curl_error = "deadline already passed";
      return x;
    }
    if (cancel_ && cancel_->load()) {
      x.code = CURLE_ABORTED_BY_CALLBACK;
      x.curl_error = kCancelled;
      return x;
    }

    const std::string url = options_.base_url + path;
    errbuf_[0] = '\0';
    BodySink sink{&x.body, options_.max_response_bytes};
    curl_easy_setopt(c, CURLOPT_URL, url.c_str());
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(budget.count()));
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
                     static_cast<long>(std::min(budget, options_.connect_timeout).count()));
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &sink);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, json2 ? json2_headers_.get() : headers_.get());

    x.code = curl_easy_perform(c);
    x.too_large = sink.too_large;
    x.curl_error = errbuf_[0] != '\0' ? errbuf_ : curl_easy_strerror(x.code);
    ReadInfo(c, x);
    // The sink and body live in this frame only.
    curl_easy_setopt(c, CURLOPT_WRITEDATA, nullptr);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, nullptr);
    spdlog::debug("POST {}{} -> {} {} in {} us", options_.base_url, path, x.status,
                  x.code == CURLE_OK ? "ok" : curl_easy_strerror(x.code), x.timings.total_us);
    return x;
  }

  const ClientOptions options_;
  const Clock& clock_;
  CurlHandle curl_;
  const CancelFlag cancel_;
  CurlList headers_;
  CurlList json2_headers_;  // with the bearer API key; empty without a key
  char errbuf_[CURL_ERROR_SIZE] = {0};
  Protocol resolved_;
  int uid_ = 0;
  int server_major_ = 0;
  int64_t next_id_ = 0;
};

}  // namespace

Result<std::unique_ptr<OdooClient>> CreateCurlOdooClient(const ClientOptions& options,
                                                         const Clock& clock, CancelFlag cancel) {
  const std::string& url = options.base_url;
  if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0) {
    return Status::InvalidArgument("base URL must start with http:// or https://");
  }
  if (!url.empty() && url.back() == '/') {
    return Status::InvalidArgument("base URL must not end with '/'");
  }
  if (options.password.empty() && options.api_key.empty()) {
    return Status::InvalidArgument("no credential: set a password or an API key");
  }
  if (options.protocol == Protocol::kWeb && options.password.empty()) {
    return Status::InvalidArgument(
        "the web session API logs in with a password; API keys work only with jsonrpc");
  }
  if (options.protocol == Protocol::kJson2 && options.api_key.empty()) {
    return Status::InvalidArgument("JSON-2 authenticates with an API key; none is configured");
  }
  CurlHandle handle(curl_easy_init());
  if (!handle) return Status::Internal("curl_easy_init failed");
  return std::unique_ptr<OdooClient>(
      new CurlOdooClient(options, clock, std::move(handle), std::move(cancel)));
}

}  // namespace odoo_prober::prober
