#include "tests/emulator/server.h"

#include <sstream>

#include "runners/http/http_core.h"

namespace odoo_prober::emulator {
namespace {

namespace hc = runners::http_core;
using hc::beast::error_code;

// Delivers one answer as the emulator decided: at once, after a delay, never, as a reset, or cut.
template <class Stream>
void Deliver(std::shared_ptr<hc::Session<Stream>> session, Delivery d);

template <class Stream>
void Act(std::shared_ptr<hc::Session<Stream>> session, Delivery d) {
  switch (d.action) {
    case Delivery::Action::kRespond:
      return session->Send(std::move(d.response));
    case Delivery::Action::kHang: {
      // The session (and its socket) stays alive, silent, until the server stops.
      session->tcp().expires_never();
      auto timer = std::make_shared<hc::net::steady_timer>(session->executor());
      timer->expires_at(hc::net::steady_timer::time_point::max());
      timer->async_wait([session, timer](error_code) {});
      return;
    }
    case Delivery::Action::kReset: {
      auto& socket = session->tcp().socket();
      error_code ec;
      socket.set_option(hc::net::socket_base::linger(true, 0), ec);  // close() sends RST
      socket.close(ec);
      return;
    }
    case Delivery::Action::kTruncate: {
      // The full Content-Length is announced, half the body is sent, then the connection closes.
      const auto res = session->Prepare(std::move(d.response));
      std::ostringstream head;
      head << res.base();
      auto bytes =
          std::make_shared<std::string>(head.str() + res.body().substr(0, res.body().size() / 2));
      session->tcp().expires_after(hc::kIoTimeout);
      hc::net::async_write(session->stream(), hc::net::buffer(*bytes),
                           [session, bytes](error_code, size_t) {
                             error_code ec;
                             session->tcp().socket().shutdown(hc::tcp::socket::shutdown_both, ec);
                             session->tcp().socket().close(ec);
                           });
      return;
    }
  }
}

template <class Stream>
void Deliver(std::shared_ptr<hc::Session<Stream>> session, Delivery d) {
  if (d.delay.count() <= 0) return Act(std::move(session), std::move(d));
  // A slow server: wait on a timer, not a blocked thread. Stop() cancels it.
  session->tcp().expires_never();
  auto timer = std::make_shared<hc::net::steady_timer>(session->executor(), d.delay);
  timer->async_wait([session, timer, d = std::move(d)](error_code ec) mutable {
    if (!ec) Act(std::move(session), std::move(d));
  });
}

class Server final : public EmulatorServer {
 public:
  Server(const ServerOptions& o, OdooEmulator& emulator)
      : emulator_(emulator), core_(o.bind, o.threads, {o.max_body_bytes, "odoo-emulator"}) {}
  ~Server() override { Stop(); }

  prober::Status Init(const ServerOptions& o) {
    if (o.https) {
      auto certs = o.certificates;
      certs["trusted"] = {o.cert_file, o.key_file};
      for (const auto& [name, files] : certs) {
        auto ctx = Context(files.first, files.second, o.tls_security_level);
        if (!ctx.ok()) return ctx.status();
        contexts_[name] = std::move(*ctx);
      }
    }
    return core_.Start({o.http, o.http_port, o.https, o.https_port,
                        [this]() -> hc::ssl::context& { return Pick(); }},
                       plain_, tls_);
  }

  uint16_t http_port() const override { return core_.http_port(); }
  uint16_t https_port() const override { return core_.https_port(); }
  void Stop() override { core_.Stop(); }

 private:
  static prober::Result<std::unique_ptr<hc::ssl::context>> Context(const std::string& cert,
                                                                   const std::string& key,
                                                                   int level) {
    auto ctx = std::make_unique<hc::ssl::context>(hc::ssl::context::tls_server);
    // Lowered before the certificate is loaded: OpenSSL checks the key size at load time.
    if (level >= 0) SSL_CTX_set_security_level(ctx->native_handle(), level);
    error_code ec;
    ctx->use_certificate_chain_file(cert, ec);
    if (!ec) ctx->use_private_key_file(key, hc::ssl::context::pem, ec);
    if (ec) return prober::Status::InvalidArgument(cert + ": " + ec.message());
    return ctx;
  }

  // The certificate each new connection gets: the emulator's current choice.
  hc::ssl::context& Pick() {
    auto it = contexts_.find(emulator_.certificate());
    return it != contexts_.end() ? *it->second : *contexts_.at("trusted");
  }

  OdooEmulator& emulator_;
  const hc::Session<hc::PlainStream>::Answerer plain_ = [this](auto session, HttpRequest r) {
    Deliver(std::move(session), emulator_.Serve(r));
  };
  const hc::Session<hc::TlsStream>::Answerer tls_ = [this](auto session, HttpRequest r) {
    Deliver(std::move(session), emulator_.Serve(r));
  };
  // Declared before core_: sessions pending in its io_context reference them.
  std::map<std::string, std::unique_ptr<hc::ssl::context>> contexts_;
  hc::Core core_;
};

}  // namespace

prober::Result<std::unique_ptr<EmulatorServer>> EmulatorServer::Start(const ServerOptions& options,
                                                                      OdooEmulator& emulator) {
  if (!options.http && !options.https) {
    return prober::Status::InvalidArgument("enable at least one of http and https");
  }
  auto server = std::make_unique<Server>(options, emulator);
  if (auto st = server->Init(options); !st.ok()) return st;
  return std::unique_ptr<EmulatorServer>(std::move(server));
}

}  // namespace odoo_prober::emulator
