// The HTTP/1.1 server core (Boost.Beast) under HttpServer: listeners, I/O threads, and sessions
// that read one request at a time, hand it to an answerer and write what it answers, with a
// timeout on every read and write and keep-alive.
//
// An answerer gets the session and the request. It answers with Send(), at once or later (from a
// timer on the session's executor), or takes the connection over through stream(). HttpServer's
// answerer calls its handler and sends the result; a server with other needs (the test Odoo
// emulator's fault injection) brings its own answerer and TLS contexts without changing this.
//
// Thread-safety: a Core is started and stopped by one controlling thread; answerers run on the
// I/O threads, one at a time per connection (each connection has its own strand).
#pragma once

#include <atomic>
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "prober/status.h"
#include "runners/http/http_server.h"

namespace odoo_prober::runners::http_core {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using PlainStream = beast::tcp_stream;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

inline constexpr auto kIoTimeout = std::chrono::seconds(30);

// Logs an I/O error unless it is ordinary traffic (a peer closing, a timeout, a stop).
void LogIoError(beast::error_code ec, const char* what);
// The request as the handlers see it.
HttpRequest ToRequest(http::request<http::string_body>&& req, const tcp::socket& socket);
// The answer as Beast writes it.
http::response<http::string_body> ToBeast(HttpResponse&& answer, unsigned version, bool keep_alive,
                                          const std::string& server_name);

struct SessionSettings {
  size_t body_limit = 8u << 20;  // larger request bodies are refused (413)
  std::string server_name;       // the Server header
  // A whole request (head and body) must arrive within this, however slowly its bytes trickle
  // in; so must the TLS handshake. Answers get as long to be written.
  std::chrono::milliseconds read_timeout = kIoTimeout;
  uint32_t header_limit = 8 * 1024;  // larger request heads are refused (431)
  int max_connections = 0;           // beyond this many open at once, new ones are closed; 0: any
  int max_requests_per_connection = 0;  // then the connection is closed; 0: any
};

template <class Stream>
class Session : public std::enable_shared_from_this<Session<Stream>> {
 public:
  static constexpr bool kTls = std::is_same_v<Stream, TlsStream>;
  using Ptr = std::shared_ptr<Session>;
  using Answerer = std::function<void(Ptr, HttpRequest)>;

  // `live` counts the open sessions (the Core's, which outlives them).
  template <class... StreamArgs>
  Session(const Answerer& answer, const SessionSettings& settings, std::atomic<int>& live,
          StreamArgs&&... args)
      : answer_(answer),
        settings_(settings),
        live_(live),
        stream_(std::forward<StreamArgs>(args)...) {
    ++live_;
  }
  ~Session() { --live_; }

  // Runs the TLS handshake if any, then reads the first request.
  void Start() {
    net::dispatch(stream_.get_executor(), [self = this->shared_from_this()] {
      if constexpr (kTls) {
        self->tcp().expires_after(self->settings_.read_timeout);
        self->stream_.async_handshake(ssl::stream_base::server, [self](beast::error_code ec) {
          if (ec) return LogIoError(ec, "handshake");
          self->Read();
        });
      } else {
        self->Read();
      }
    });
  }

  // Answers the current request; then reads the next one, or closes without keep-alive.
  // Call on the session's executor (from the answerer, or a handler bound to executor()).
  void Send(HttpResponse answer) {
    auto res = Prepare(std::move(answer));
    const bool keep_alive = res.keep_alive();
    tcp().expires_after(std::max<std::chrono::milliseconds>(settings_.read_timeout, kIoTimeout));
    beast::async_write(stream_, http::message_generator(std::move(res)),
                       [self = this->shared_from_this(), keep_alive](beast::error_code ec, size_t) {
                         if (ec) return LogIoError(ec, "write");
                         if (!keep_alive) return self->Close();
                         self->Read();
                       });
  }

  // The answer to the current request as it would be written.
  http::response<http::string_body> Prepare(HttpResponse answer) const {
    const bool keep_alive = keep_alive_ && (settings_.max_requests_per_connection <= 0 ||
                                            requests_ < settings_.max_requests_per_connection);
    return ToBeast(std::move(answer), version_, keep_alive, settings_.server_name);
  }
  Stream& stream() { return stream_; }
  beast::tcp_stream& tcp() { return beast::get_lowest_layer(stream_); }
  auto executor() { return stream_.get_executor(); }

 private:
  void Read() {
    parser_.emplace();
    parser_->body_limit(settings_.body_limit);
    parser_->header_limit(settings_.header_limit);
    tcp().expires_after(settings_.read_timeout);
    http::async_read(
        stream_, buffer_, *parser_,
        [self = this->shared_from_this()](beast::error_code ec, size_t) { self->OnRead(ec); });
  }

  void OnRead(beast::error_code ec) {
    if (ec == http::error::end_of_stream) return Close();
    if (ec == http::error::body_limit || ec == http::error::header_limit) {
      // Said once, then the connection closes: what is left of the request is not read.
      keep_alive_ = false;
      const bool body = ec == http::error::body_limit;
      HttpResponse refusal;
      refusal.status = body ? 413 : 431;
      refusal.content_type = "text/plain; charset=utf-8";
      refusal.body = body ? "request body too large\n" : "request header fields too large\n";
      return Send(std::move(refusal));
    }
    if (ec) return LogIoError(ec, "read");
    ++requests_;
    auto req = parser_->release();
    version_ = req.version();
    keep_alive_ = req.keep_alive();
    HttpRequest request = ToRequest(std::move(req), tcp().socket());
    answer_(this->shared_from_this(), std::move(request));
  }

  void Close() {
    if constexpr (kTls) {
      tcp().expires_after(std::chrono::seconds(5));
      stream_.async_shutdown([self = this->shared_from_this()](beast::error_code) {});
    } else {
      beast::error_code ignored;
      stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    }
  }

  const Answerer& answer_;
  const SessionSettings& settings_;
  std::atomic<int>& live_;
  Stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  unsigned version_ = 11;
  bool keep_alive_ = true;
  int requests_ = 0;
};

// Listeners and I/O threads. Answerers and TLS contexts given to Start must outlive the Core.
class Core {
 public:
  Core(std::string bind, int threads, SessionSettings settings);
  ~Core() { Stop(); }
  Core(const Core&) = delete;
  Core& operator=(const Core&) = delete;

  // The listeners to open: plain HTTP and/or HTTPS, port 0 picking a free one. Each new HTTPS
  // connection gets the TLS context `context` returns.
  struct Listeners {
    bool http = true;
    uint16_t http_port = 0;
    bool https = false;
    uint16_t https_port = 0;
    std::function<ssl::context&()> context;
  };
  // Binds the listeners and starts the I/O threads. Errors say which address, why, and what to
  // do.
  prober::Status Start(const Listeners& listeners, const Session<PlainStream>::Answerer& plain,
                       const Session<TlsStream>::Answerer& tls);
  uint16_t http_port() const { return http_ ? http_->local_endpoint().port() : 0; }
  uint16_t https_port() const { return https_ ? https_->local_endpoint().port() : 0; }
  // Closes the listeners and every connection, and joins the threads; idempotent.
  void Stop();
  net::io_context& io() { return ioc_; }

 private:
  prober::Result<std::unique_ptr<tcp::acceptor>> Bind(uint16_t port);
  template <class Stream>
  void Accept(tcp::acceptor& acceptor, const typename Session<Stream>::Answerer& answer);

  const std::string bind_;
  const int threads_;
  const SessionSettings settings_;
  std::atomic<int> live_{0};  // open sessions; declared before ioc_, which holds them
  net::io_context ioc_;
  std::unique_ptr<tcp::acceptor> http_, https_;
  std::function<ssl::context&()> context_;
  std::vector<std::thread> workers_;
  bool stopped_ = false;
};

// A TLS server context for a PEM chain and key, TLS 1.2 and later. Errors name the file.
prober::Result<std::unique_ptr<ssl::context>> ServerContext(const std::string& cert_file,
                                                            const std::string& key_file);

}  // namespace odoo_prober::runners::http_core
