#include "runners/http/http_core.h"

#include <spdlog/spdlog.h>

namespace odoo_prober::runners::http_core {

void LogIoError(beast::error_code ec, const char* what) {
  if (ec == net::error::operation_aborted || ec == beast::error::timeout ||
      ec == http::error::end_of_stream || ec == net::error::eof ||
      ec == net::error::connection_reset || ec == ssl::error::stream_truncated) {
    return;
  }
  spdlog::debug("http server: {}: {}", what, ec.message());
}

HttpRequest ToRequest(http::request<http::string_body>&& req, const tcp::socket& socket) {
  HttpRequest request;
  request.method = std::string(req.method_string());
  const std::string target(req.target());
  const auto q = target.find('?');
  request.path = target.substr(0, q);
  if (q != std::string::npos) request.query = target.substr(q + 1);
  request.content_type = std::string(req[http::field::content_type]);
  request.cookie = std::string(req[http::field::cookie]);
  request.authorization = std::string(req[http::field::authorization]);
  request.database = std::string(req["X-Odoo-Database"]);
  request.accept_encoding = std::string(req[http::field::accept_encoding]);
  request.body = std::move(req.body());
  beast::error_code ec;
  const auto remote = socket.remote_endpoint(ec);
  request.client_address = ec ? "" : remote.address().to_string();
  return request;
}

http::response<http::string_body> ToBeast(HttpResponse&& answer, unsigned version, bool keep_alive,
                                          const std::string& server_name) {
  http::response<http::string_body> res{static_cast<http::status>(answer.status), version};
  res.set(http::field::server, server_name);
  res.set(http::field::content_type, answer.content_type);
  for (const auto& [name, value] : answer.headers) res.insert(name, value);
  res.keep_alive(keep_alive);
  res.body() = std::move(answer.body);
  res.prepare_payload();
  return res;
}

namespace {

// What to do about a listener that cannot be opened, for people.
std::string BindHint(const boost::system::error_code& ec) {
  if (ec == net::error::address_in_use)
    return "another process listens there; stop it or choose another port (port 0 picks a free "
           "one)";
  if (ec == net::error::access_denied)
    return "ports below 1024 need privileges; choose a port above 1023";
  if (ec == boost::system::errc::address_not_available)
    return "the address is not one of this machine's; use 127.0.0.1, 0.0.0.0 or a local address";
  return "check the address and port";
}

}  // namespace

Core::Core(std::string bind, int threads, SessionSettings settings)
    : bind_(std::move(bind)), threads_(std::max(1, threads)), settings_(std::move(settings)) {}

prober::Result<std::unique_ptr<tcp::acceptor>> Core::Bind(uint16_t port) {
  const std::string where = bind_ + ":" + std::to_string(port);
  boost::system::error_code ec;
  const auto address = net::ip::make_address(bind_, ec);
  if (ec) {
    return prober::Status::InvalidArgument("cannot listen on " + where + ": '" + bind_ +
                                           "' is not an IP address; give one, e.g. 127.0.0.1");
  }
  const tcp::endpoint endpoint(address, port);
  auto acceptor = std::make_unique<tcp::acceptor>(net::make_strand(ioc_));
  acceptor->open(endpoint.protocol(), ec);
  if (!ec) acceptor->set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) acceptor->bind(endpoint, ec);
  if (!ec) acceptor->listen(net::socket_base::max_listen_connections, ec);
  if (ec) {
    return prober::Status::InvalidArgument("cannot listen on " + where + ": " + ec.message() +
                                           "; " + BindHint(ec));
  }
  return acceptor;
}

prober::Status Core::Start(const Listeners& l, const Session<PlainStream>::Answerer& plain,
                           const Session<TlsStream>::Answerer& tls) {
  if (l.http) {
    auto acceptor = Bind(l.http_port);
    if (!acceptor.ok()) return acceptor.status();
    http_ = std::move(*acceptor);
  }
  if (l.https) {
    auto acceptor = Bind(l.https_port);
    if (!acceptor.ok()) return acceptor.status();
    https_ = std::move(*acceptor);
    context_ = l.context;
  }
  if (http_) Accept<PlainStream>(*http_, plain);
  if (https_) Accept<TlsStream>(*https_, tls);
  for (int i = 0; i < threads_; ++i) workers_.emplace_back([this] { ioc_.run(); });
  return prober::Status::Ok();
}

template <class Stream>
void Core::Accept(tcp::acceptor& acceptor, const typename Session<Stream>::Answerer& answer) {
  acceptor.async_accept(net::make_strand(ioc_), [this, &acceptor, &answer](beast::error_code ec,
                                                                           tcp::socket socket) {
    if (ec == net::error::operation_aborted) return;
    if (ec) {
      LogIoError(ec, "accept");
    } else {
      beast::error_code ignored;
      if (settings_.max_connections > 0 && live_.load() >= settings_.max_connections) {
        // Full: refused at once rather than queued, so that the open ones keep their pace.
        spdlog::debug("http server: {} connections open; one more refused", live_.load());
        socket.close(ignored);
      } else {
        socket.set_option(tcp::no_delay(true), ignored);  // answers leave at once, no Nagle
        if constexpr (Session<Stream>::kTls) {
          std::make_shared<Session<Stream>>(answer, settings_, live_, std::move(socket), context_())
              ->Start();
        } else {
          std::make_shared<Session<Stream>>(answer, settings_, live_, std::move(socket))->Start();
        }
      }
    }
    Accept<Stream>(acceptor, answer);
  });
}

void Core::Stop() {
  if (stopped_) return;
  stopped_ = true;
  ioc_.stop();
  for (auto& t : workers_) t.join();
  workers_.clear();
}

prober::Result<std::unique_ptr<ssl::context>> ServerContext(const std::string& cert_file,
                                                            const std::string& key_file) {
  auto ctx = std::make_unique<ssl::context>(ssl::context::tls_server);
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                   ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
  boost::system::error_code ec;
  ctx->use_certificate_chain_file(cert_file, ec);
  if (ec) {
    return prober::Status::InvalidArgument("cannot use the certificate chain " + cert_file + ": " +
                                           ec.message() +
                                           "; give a PEM file with the server "
                                           "certificate first, then its intermediates");
  }
  ctx->use_private_key_file(key_file, ssl::context::pem, ec);
  if (ec) {
    return prober::Status::InvalidArgument("cannot use the private key " + key_file + ": " +
                                           ec.message() +
                                           "; give the PEM key that matches the certificate");
  }
  return ctx;
}

}  // namespace odoo_prober::runners::http_core
