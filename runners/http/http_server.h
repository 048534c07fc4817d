// HttpServer: the prober's embedded HTTP server (Boost.Beast, see http_core.h), serving the
// daemon's admin endpoints. HTTP and optionally HTTPS listeners, asynchronous sessions with a
// timeout on every read and write, keep-alive, bounded request heads and bodies, and a bound on
// the connections open at once. The request handler is a
// pure function from HttpRequest to HttpResponse, testable without a socket.
//
// Thread-safety: Start/Stop from one controlling thread; the handler is called from the server's
// threads concurrently and must be thread-safe; it must outlive the server.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
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
  std::string query;            // after '?', undecoded
  std::string cookie;           // the Cookie header
  std::string authorization;    // the Authorization header
  std::string database;         // the X-Odoo-Database header
  std::string accept_encoding;  // the Accept-Encoding header
  std::string body;
  std::string client_address;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json; charset=utf-8";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
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
  int threads = 2;
  // Request bodies larger than this are refused (413), and heads larger than this (431).
  size_t max_body_bytes = 8u << 20;
  uint32_t max_header_bytes = 8 * 1024;
  // A whole request must arrive within this, however slowly it trickles in (one byte a second
  // holds nothing for longer); then the connection is closed.
  std::chrono::milliseconds read_timeout{30000};
  // Connections open at once beyond this are closed as they come; 0: no limit.
  int max_connections = 0;
  // Requests on one keep-alive connection, then it is closed; 0: no limit.
  int max_requests_per_connection = 0;
};

class HttpServer {
 public:
  using Handler = std::function<HttpResponse(const HttpRequest&)>;

  // Binds the listeners and starts serving. Fails with InvalidArgument, saying what to change,
  // when an address cannot be bound or a certificate cannot be read.
  static prober::Result<std::unique_ptr<HttpServer>> Start(const HttpServerOptions& options,
                                                           Handler handler);
  virtual ~HttpServer() = default;
  // The bound ports (0 when that listener is off).
  virtual uint16_t http_port() const = 0;
  virtual uint16_t https_port() const = 0;
  // Closes the listeners and every connection; idempotent.
  virtual void Stop() = 0;
};

}  // namespace odoo_prober::runners
