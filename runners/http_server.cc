#include "runners/http_server.h"

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <iostream>
#include <map>
#include <sstream>
#include <thread>
#include <vector>

namespace odoo_prober::runners {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;

constexpr auto kIoTimeout = std::chrono::seconds(30);

void Fail(beast::error_code ec, const char* what) {
  // Peers closing connections is normal traffic for a test server; only odd errors are shown.
  if (ec == net::error::operation_aborted || ec == beast::error::timeout ||
      ec == http::error::end_of_stream || ec == net::error::eof ||
      ec == net::error::connection_reset || ec == ssl::error::stream_truncated) {
    return;
  }
  std::cerr << "http server: " << what << ": " << ec.message() << "\n";
}

template <class Stream>
class Session : public std::enable_shared_from_this<Session<Stream>> {
  static constexpr bool kTls = !std::is_same_v<Stream, beast::tcp_stream>;

 public:
  template <class... Args>
  Session(const HttpServer::Handler& handler, size_t body_limit, Args&&... args)
      : handler_(handler),
        body_limit_(body_limit),
        stream_(std::forward<Args>(args)...),
        timer_(stream_.get_executor()) {}

  void Run() {
    net::dispatch(stream_.get_executor(), [self = this->shared_from_this()] {
      if constexpr (kTls) {
        beast::get_lowest_layer(self->stream_).expires_after(kIoTimeout);
        self->stream_.async_handshake(ssl::stream_base::server, [self](beast::error_code ec) {
          if (ec) return Fail(ec, "handshake");
          self->Read();
        });
      } else {
        self->Read();
      }
    });
  }

 private:
  void Read() {
    parser_.emplace();
    parser_->body_limit(body_limit_);
    beast::get_lowest_layer(stream_).expires_after(kIoTimeout);
    http::async_read(
        stream_, buffer_, *parser_,
        [self = this->shared_from_this()](beast::error_code ec, size_t) { self->OnRead(ec); });
  }

  void OnRead(beast::error_code ec) {
    if (ec == http::error::end_of_stream) return Close();
    if (ec) return Fail(ec, "read");
    auto req = parser_->release();
    HttpRequest request;
    request.method = std::string(req.method_string());
    std::string target(req.target());
    request.path = target.substr(0, target.find('?'));
    if (auto q = target.find('?'); q != std::string::npos) request.query = target.substr(q + 1);
    request.content_type = std::string(req[http::field::content_type]);
    request.cookie = std::string(req[http::field::cookie]);
    request.authorization = std::string(req[http::field::authorization]);
    request.database = std::string(req["X-Odoo-Database"]);
    request.body = std::move(req.body());
    beast::error_code ignored;
    auto remote = beast::get_lowest_layer(stream_).socket().remote_endpoint(ignored);
    request.client_address = ignored ? "" : remote.address().to_string();
    HttpResponse answer = handler_(request);

    http::response<http::string_body> res{static_cast<http::status>(answer.status), req.version()};
    res.set(http::field::server, "odoo-emulator");
    res.set(http::field::content_type, answer.content_type);
    for (const auto& [name, value] : answer.headers) res.insert(name, value);
    res.keep_alive(req.keep_alive());
    res.body() = std::move(answer.body);
    res.prepare_payload();
    pending_.emplace(std::move(res));
    action_ = answer.action;
    if (answer.delay.count() > 0) {
      // A slow server: wait without holding a thread. Stop() cancels the timer.
      beast::get_lowest_layer(stream_).expires_never();
      timer_.expires_after(answer.delay);
      timer_.async_wait([self = this->shared_from_this()](beast::error_code wec) {
        if (wec) return;
        self->Act();
      });
    } else {
      Act();
    }
  }

  // Answers, or misbehaves as fault injection asks.
  void Act() {
    switch (action_) {
      case HttpResponse::Action::kRespond:
        return Write();
      case HttpResponse::Action::kHang:
        // Keep the session (and its socket) alive, silent, until the server stops.
        beast::get_lowest_layer(stream_).expires_never();
        timer_.expires_at(net::steady_timer::time_point::max());
        timer_.async_wait([self = this->shared_from_this()](beast::error_code) {});
        return;
      case HttpResponse::Action::kReset: {
        auto& socket = beast::get_lowest_layer(stream_).socket();
        beast::error_code ec;
        socket.set_option(net::socket_base::linger(true, 0), ec);  // close() sends RST
        socket.close(ec);
        return;
      }
      case HttpResponse::Action::kTruncate: {
        // The full Content-Length is announced, half the body is sent, then the connection
        // closes.
        std::ostringstream head;
        head << pending_->base();
        const std::string& body = pending_->body();
        truncated_ = head.str() + body.substr(0, body.size() / 2);
        beast::get_lowest_layer(stream_).expires_after(kIoTimeout);
        net::async_write(stream_, net::buffer(truncated_),
                         [self = this->shared_from_this()](beast::error_code, size_t) {
                           beast::error_code ec;
                           beast::get_lowest_layer(self->stream_)
                               .socket()
                               .shutdown(tcp::socket::shutdown_both, ec);
                           beast::get_lowest_layer(self->stream_).socket().close(ec);
                         });
        return;
      }
    }
  }

  void Write() {
    const bool keep_alive = pending_->keep_alive();
    beast::get_lowest_layer(stream_).expires_after(kIoTimeout);
    beast::async_write(stream_, http::message_generator(std::move(*pending_)),
                       [self = this->shared_from_this(), keep_alive](beast::error_code ec, size_t) {
                         if (ec) return Fail(ec, "write");
                         if (!keep_alive) return self->Close();
                         self->Read();
                       });
    pending_.reset();
  }

  void Close() {
    if constexpr (kTls) {
      beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(5));
      stream_.async_shutdown([self = this->shared_from_this()](beast::error_code) {});
    } else {
      beast::error_code ec;
      stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    }
  }

  const HttpServer::Handler& handler_;
  const size_t body_limit_;
  Stream stream_;
  net::steady_timer timer_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::optional<http::response<http::string_body>> pending_;
  HttpResponse::Action action_ = HttpResponse::Action::kRespond;
  std::string truncated_;
};

class Server final : public HttpServer {
 public:
  Server(Handler handler, CertificatePicker picker, int threads, size_t body_limit)
      : handler_(std::move(handler)),
        picker_(std::move(picker)),
        threads_(threads),
        body_limit_(body_limit) {}
  ~Server() override { Stop(); }

  prober::Status Init(const HttpServerOptions& o) {
    try {
      if (o.https) {
        auto certs = o.certificates;
        certs["trusted"] = {o.cert_file, o.key_file};
        for (const auto& [name, files] : certs) {
          auto ctx = std::make_unique<ssl::context>(ssl::context::tls_server);
          ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                           ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                           ssl::context::no_tlsv1_1);
          if (o.tls_security_level >= 0)
            SSL_CTX_set_security_level(ctx->native_handle(), o.tls_security_level);
          ctx->use_certificate_chain_file(files.first);
          ctx->use_private_key_file(files.second, ssl::context::pem);
          contexts_[name] = std::move(ctx);
        }
      }
      auto address = net::ip::make_address(o.bind);
      if (o.http) http_ = Listen(tcp::endpoint(address, o.http_port));
      if (o.https) https_ = Listen(tcp::endpoint(address, o.https_port));
    } catch (const std::exception& e) {
      return prober::Status::InvalidArgument(std::string("cannot start the emulator: ") + e.what());
    }
    if (http_) Accept<beast::tcp_stream>(*http_);
    if (https_) Accept<beast::ssl_stream<beast::tcp_stream>>(*https_);
    for (int i = 0; i < threads_; ++i) workers_.emplace_back([this] { ioc_.run(); });
    return prober::Status::Ok();
  }

  uint16_t http_port() const override { return http_ ? http_->local_endpoint().port() : 0; }
  uint16_t https_port() const override { return https_ ? https_->local_endpoint().port() : 0; }

  void Stop() override {
    if (stopped_) return;
    stopped_ = true;
    ioc_.stop();
    for (auto& t : workers_) t.join();
    workers_.clear();
  }

 private:
  std::unique_ptr<tcp::acceptor> Listen(const tcp::endpoint& ep) {
    auto a = std::make_unique<tcp::acceptor>(net::make_strand(ioc_));
    a->open(ep.protocol());
    a->set_option(net::socket_base::reuse_address(true));
    a->bind(ep);
    a->listen(net::socket_base::max_listen_connections);
    return a;
  }

  template <class Stream>
  void Accept(tcp::acceptor& acceptor) {
    acceptor.async_accept(net::make_strand(ioc_), [this, &acceptor](beast::error_code ec,
                                                                    tcp::socket socket) {
      if (ec == net::error::operation_aborted) return;
      if (ec) {
        Fail(ec, "accept");
      } else {
        beast::error_code ignored;
        socket.set_option(tcp::no_delay(true), ignored);  // answers leave at once, no Nagle wait
        if constexpr (std::is_same_v<Stream, beast::tcp_stream>) {
          std::make_shared<Session<Stream>>(handler_, body_limit_, std::move(socket))->Run();
        } else {
          // The certificate is chosen per connection, so a test can switch it at run time.
          auto it = contexts_.find(picker_ ? picker_() : std::string("trusted"));
          ssl::context& ctx = it != contexts_.end() ? *it->second : *contexts_.at("trusted");
          std::make_shared<Session<Stream>>(handler_, body_limit_, std::move(socket), ctx)->Run();
        }
      }
      Accept<Stream>(acceptor);
    });
  }

  const Handler handler_;
  const CertificatePicker picker_;
  const int threads_;
  const size_t body_limit_;
  // Destroyed after ioc_ (declared before it): sessions pending in ioc_ reference it.
  std::map<std::string, std::unique_ptr<ssl::context>> contexts_;
  net::io_context ioc_;
  std::unique_ptr<tcp::acceptor> http_, https_;
  std::vector<std::thread> workers_;
  bool stopped_ = false;
};

}  // namespace

prober::Result<std::unique_ptr<HttpServer>> HttpServer::Start(const HttpServerOptions& options,
                                                              Handler handler,
                                                              CertificatePicker picker) {
  if (!options.http && !options.https) {
    return prober::Status::InvalidArgument("enable at least one of http and https");
  }
  auto server = std::make_unique<Server>(std::move(handler), std::move(picker),
                                         std::max(1, options.threads), options.max_body_bytes);
  if (auto st = server->Init(options); !st.ok()) return st;
  return std::unique_ptr<HttpServer>(std::move(server));
}

}  // namespace odoo_prober::runners
