// OdooClient: one authenticated conversation with one Odoo database over RPC.
//
// A client speaks one of Odoo's APIs, chosen per target (docs/architecture.md, "Odoo protocols"):
//  - kJsonRpc: the external API at /jsonrpc (services common/object, password or API key sent
//    with every call);
//  - kWeb: the web session API (/web/session/authenticate, then
//    /web/dataset/call_kw/<model>/<method> with the session_id cookie, re-authenticating once
//    when Odoo answers "Session expired");
//  - kJson2: Odoo 19's /json/2/<model>/<method> with a bearer API key, named arguments (the
//    client names positional ones after Odoo's signatures) and real HTTP error statuses;
//  - kAuto: asks the server's version first and picks JSON-2 on 19+ when an API key is
//    configured, /jsonrpc otherwise.
//
// Every call has a deadline and a cap on the response size, and returns an RpcResult: failures
// of the server are data in the result (an Outcome), never exceptions or a Status.
//
// Thread-safety: a client is used by one thread at a time (one journey run). Different clients
// may be used concurrently.
//
// Extending: a new API is a new Protocol value and a branch in the implementation's dispatch;
// the interface stays the same.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "prober/clock.h"
#include "prober/outcome.h"
#include "prober/secret.h"
#include "prober/status.h"

namespace odoo_prober::prober {

enum class Protocol { kAuto, kJsonRpc, kWeb, kJson2 };
std::string_view ProtocolName(Protocol protocol);

// TLS settings of one target. Verification is on unless explicitly turned off.
struct TlsOptions {
  // Verify the server's chain and host name. Off only with insecure_skip_verify in the config.
  bool verify = true;
  // PEM bundle of CAs to trust instead of the system store; empty: the system store.
  std::string ca_file;
  // Client certificate and key (PEM) for mutual TLS; both empty: none.
  std::string client_cert_file;
  std::string client_key_file;
};

// Everything a client needs to reach and log in to one Odoo database.
struct ClientOptions {
  // Scheme, host and optional port and path prefix, without a trailing slash:
  // "https://erp.example.com" or "http://127.0.0.1:8069".
  std::string base_url;
  // The Odoo database name.
  std::string database;
  // The Odoo user's login.
  std::string login;
  // Credentials: the password, or an API key (preferred; needed for users with 2FA). At least
  // one is set; with both, /jsonrpc uses the API key and the web session the password.
  Secret password;
  Secret api_key;
  Protocol protocol = Protocol::kAuto;
  // Upper bound for one HTTP exchange, connection included.
  std::chrono::milliseconds call_timeout{10000};
  // Upper bound for establishing the TCP and TLS connection (also bounded by call_timeout).
  std::chrono::milliseconds connect_timeout{5000};
  // Bodies larger than this are cut off and reported as outcome kHttp.
  std::size_t max_response_bytes = 16u << 20;
  // Odoo's tracebacks (error.data.debug) are cut to this many bytes, keeping the tail.
  std::size_t max_debug_bytes = 2048;
  TlsOptions tls;
  std::string user_agent = "odoo-prober";
};

// Where the time of one call went, in microseconds. Phases are durations, not offsets; a
// phase that did not happen (a reused connection, plain HTTP) is 0.
struct RpcTimings {
  int64_t dns_us = 0;
  int64_t connect_us = 0;
  int64_t tls_us = 0;
  // From the request being sent to the first byte of the answer: the server's time.
  int64_t first_byte_us = 0;
  int64_t total_us = 0;

  RpcTimings& operator+=(const RpcTimings& other);
};

// The two ends of the connection a call went over (libcurl's CURLINFO_LOCAL_* and
// CURLINFO_PRIMARY_*): where this prober egresses and which server address the name resolved
// to, as "address:port"; empty when no connection was made.
struct Connection {
  std::string local;
  std::string server;
};

// Odoo's JSON-RPC error envelope: {"code", "message", "data": {"name", "message", "debug"}}.
struct OdooError {
  int code = 0;              // 200 (generic, 0 in Odoo 19), 100 (session), 404
  std::string message;       // "Odoo Server Error", "Odoo Session Expired"
  std::string name;          // "odoo.exceptions.AccessDenied", ...
  std::string data_message;  // the exception's text: "Access Denied"
  std::string debug;         // the traceback, truncated to its tail
};

// What one call returned.
struct RpcResult {
  Outcome outcome = Outcome::kOk;
  // The call's return value; null when Odoo returned None (no "result" member) or on failure.
  nlohmann::json result;
  // Set when Odoo answered with an error envelope.
  std::optional<OdooError> error;
  // HTTP status of the answer; 0 when none was received.
  long http_status = 0;
  RpcTimings timings;
  Connection connection;
  // Why the call failed, for people; empty on success. Never holds a secret.
  std::string detail;

  bool ok() const { return outcome == Outcome::kOk; }
};

// The deadline type of every call: a point on the monotonic clock.
using Deadline = std::chrono::steady_clock::time_point;
inline constexpr Deadline kNoDeadline = Deadline::max();

class OdooClient {
 public:
  virtual ~OdooClient() = default;
  OdooClient(const OdooClient&) = delete;
  OdooClient& operator=(const OdooClient&) = delete;

  // Asks the server's version without logging in. Success: result is Odoo's version dict
  // (server_version, server_version_info, ...); server_major() is known afterwards.
  virtual RpcResult Version(Deadline deadline) = 0;

  // Logs in with the configured credentials. Success: result is the uid (integer). A refused
  // login is outcome kAuth with Odoo's error when it sent one.
  virtual RpcResult Authenticate(Deadline deadline) = 0;

  // Calls model.method(*args, **kwargs). args is a JSON array, kwargs a JSON object (context
  // goes in kwargs["context"]). REQUIRES: a successful Authenticate().
  virtual RpcResult CallKw(const std::string& model, const std::string& method,
                           const nlohmann::json& args, const nlohmann::json& kwargs,
                           Deadline deadline) = 0;

  // The logged-in user's id; 0 before a successful Authenticate().
  virtual int uid() const = 0;
  // The server's major version (17 for "17.0-20240709"); 0 until known.
  virtual int server_major() const = 0;
  // The API in use: the configured one, or for kAuto the one picked once the version is known.
  virtual Protocol protocol() const = 0;

 protected:
  OdooClient() = default;
};

// Set to true to end every call of the clients that share it at once (a daemon shutting down
// past its grace period): calls in flight stop within about a second, later calls do not start,
// and each ends as outcome kTransport saying so.
using CancelFlag = std::shared_ptr<const std::atomic<bool>>;

// Builds the libcurl client. Fails with InvalidArgument for unusable options (empty URL,
// a scheme other than http/https, no credential, JSON-2 or web without their credential). The clock
// must outlive the client. REQUIRES: curl_global_init() was called (once, in main).
Result<std::unique_ptr<OdooClient>> CreateCurlOdooClient(const ClientOptions& options,
                                                         const Clock& clock,
                                                         CancelFlag cancel = nullptr);

}  // namespace odoo_prober::prober
