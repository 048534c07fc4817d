// HttpServer: the one embedded HTTP server (Beast), serving the admin endpoints of the daemon
// and the Odoo emulator of the tests. HTTP and HTTPS listeners, asynchronous sessions with a
// timeout on every read and write, keep-alive. The request handler is a pure function from
// HttpRequest to HttpResponse, testable without a socket; a response may ask for a delay (a
// timer, never a blocked thread) or, for fault injection, to hang, reset or truncate.
//
// Thread-safety: Start/Stop from one controlling thread; the handler is called from the server's
// threads concurrently and must be thread-safe; it must outlive the server.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "prober/status.h"

namespace odoo_prober::runners {

struct HttpRequest {
  std::string method;  // "POST", "GET"
  std::string path;    // "/jsonrpc", without the query
  std::string content_type;
  std::string query;          // after '?', undecoded
  std::string cookie;         // the Cookie header
  std::string authorization;  // the Authorization header
  std::string database;       // the X-Odoo-Database header
  std::string body;
  std::string client_address;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json; charset=utf-8";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // How long the server waits before answering.
  std::chrono::milliseconds delay{0};
  // What the server does with the answer (fault injection in the emulator).
  enum class Action {
    kRespond,   // send it
    kHang,      // send nothing, keep the connection open until the server stops
    kReset,     // reset the connection (TCP RST) instead of answering
    kTruncate,  // send the headers and half the body, then close
  } action = Action::kRespond;
};

struct HttpServerOptions {
  std::string bind = "127.0.0.1";
  // Plain HTTP listener; port 0 picks a free one.
  bool http = true;
  uint16_t http_port = 0;
  // HTTPS listener, with a PEM certificate chain and key.
  bool https = false;
  uint16_t https_port = 0;
  std::string cert_file;
  std::string key_file;
  // More certificates by name; the certificate picker chooses the one each new HTTPS connection
  // gets ("trusted" is cert_file).
  std::map<std::string, std::pair<std::string, std::string>> certificates;
  int threads = 2;
  // OpenSSL security level of the HTTPS listeners; -1: the system default. Tests lower it to
  // serve deliberately weak certificates.
  int tls_security_level = -1;
  // Request bodies larger than this are refused.
  size_t max_body_bytes = 8u << 20;
};

class HttpServer {
 public:
  using Handler = std::function<HttpResponse(const HttpRequest&)>;
  using CertificatePicker = std::function<std::string()>;

  // Binds the listeners and starts serving. Fails with InvalidArgument when an address cannot
  // be bound or a certificate cannot be read.
  static prober::Result<std::unique_ptr<HttpServer>> Start(const HttpServerOptions& options,
                                                           Handler handler,
                                                           CertificatePicker picker = {});
  virtual ~HttpServer() = default;
  // The bound ports (0 when that listener is off).
  virtual uint16_t http_port() const = 0;
  virtual uint16_t https_port() const = 0;
  // Closes the listeners and every connection; idempotent.
  virtual void Stop() = 0;
};

}  // namespace odoo_prober::runners
