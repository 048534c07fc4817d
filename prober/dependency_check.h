// Dependency checks: the services a plant's ERP needs besides Odoo itself (its identity
// provider, API gateway, barcode service, carrier API, VPN), each checked on its own:
//  - http: one request (method, URL, headers and body, secrets among them), an expected status
//    (default any 2xx), optionally a regex the body must match or a JSON value at a path;
//    redirects are reported, never followed (a redirect expected is listed in expect_status);
//  - tcp: a connection to host:port is opened and closed;
//  - dns: the name resolves (optionally to an expected address among the answers).
//
// A check ends like a journey step: an Outcome (ok, transport, timeout, http, assertion, tls)
// with a detail for people, the phases' times (DNS, connect, TLS, first byte) and the connection
// it went over. Every check has a deadline (`timeout`) and the body read a bound.
//
// Thread-safety: CheckDependency is reentrant; each call uses handles of its own.
#pragma once

#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "prober/odoo_client.h"
#include "prober/outcome.h"
#include "prober/secret.h"

namespace odoo_prober::prober {

enum class DependencyKind { kHttp, kTcp, kDns };
// "http", "tcp", "dns"; ParseDependencyKind is its inverse.
std::string_view DependencyKindName(DependencyKind kind);
std::optional<DependencyKind> ParseDependencyKind(std::string_view name);

// An HTTP header of a check; its value may be a secret (an API key, a bearer token), so it is
// one, whatever it holds.
struct HttpHeader {
  std::string name;
  Secret value;
};

struct DependencyProbe {
  DependencyKind kind = DependencyKind::kHttp;
  std::chrono::milliseconds timeout{5000};
  // http: the request.
  std::string url;
  std::string method = "GET";
  std::vector<HttpHeader> headers;
  Secret body;                      // sent as is (a secret: it may hold credentials)
  std::vector<long> expect_status;  // empty: any 2xx
  std::string expect_body;          // ECMAScript regex searched in the body; "": none
  // A value the JSON body must hold at `expect_json_path` ("$.status.db", "items[0].state");
  // without `expect_json_value`, the path must exist.
  std::string expect_json_path;
  std::optional<nlohmann::json> expect_json_value;
  std::size_t max_response_bytes = 1u << 20;
  TlsOptions tls;
  // tcp and dns: the host (and tcp's port).
  std::string host;
  uint16_t port = 0;
  // dns: an address the name must resolve to ("" any).
  std::string expect_address;
};

struct DependencyOutcome {
  Outcome outcome = Outcome::kOk;
  std::string detail;  // why it failed; never a secret
  long http_status = 0;
  RpcTimings timings;
  Connection connection;
  std::vector<std::string> addresses;  // dns: what the name resolved to
  bool ok() const { return outcome == Outcome::kOk; }
};

// Runs one check; `cancel` (when set) ends it at once.
DependencyOutcome CheckDependency(const DependencyProbe& probe, CancelFlag cancel = nullptr);

// The JSON pointer of a path written "$.a.b[0].c", "a.b.0.c" or "/a/b/0/c"; nullopt when it
// cannot be one.
std::optional<nlohmann::json::json_pointer> JsonPathPointer(const std::string& path);

// What a check does, for people (`validate`, /status, beside its kind): "GET https://idp/health
// expecting 200", "connect vpn-gw:443", "erp.example.com resolves to 10.0.0.5". Never a header's
// or body's value.
std::string Describe(const DependencyProbe& probe);

}  // namespace odoo_prober::prober
