#include "runners/http/http_server.h"

#include "runners/http/http_core.h"

namespace odoo_prober::runners {
namespace {

using http_core::PlainStream;
using http_core::Session;
using http_core::TlsStream;

class Server final : public HttpServer {
 public:
  Server(const HttpServerOptions& o, Handler handler)
      : handler_(std::move(handler)),
        core_(o.bind, o.threads,
              {o.max_body_bytes, "odoo-prober", o.read_timeout, o.max_header_bytes,
               o.max_connections, o.max_requests_per_connection}) {}
  ~Server() override { Stop(); }

  prober::Status Init(const HttpServerOptions& o) {
    if (o.https) {
      auto ctx = http_core::ServerContext(o.cert_file, o.key_file);
      if (!ctx.ok()) return ctx.status();
      context_ = std::move(*ctx);
    }
    return core_.Start({o.http, o.http_port, o.https, o.https_port,
                        [this]() -> http_core::ssl::context& { return *context_; }},
                       plain_, tls_);
  }

  uint16_t http_port() const override { return core_.http_port(); }
  uint16_t https_port() const override { return core_.https_port(); }
  void Stop() override { core_.Stop(); }

 private:
  const Handler handler_;
  const Session<PlainStream>::Answerer plain_ = [this](auto session, HttpRequest request) {
    session->Send(handler_(request));
  };
  const Session<TlsStream>::Answerer tls_ = [this](auto session, HttpRequest request) {
    session->Send(handler_(request));
  };
  // Declared before core_: sessions pending in its io_context reference it.
  std::unique_ptr<http_core::ssl::context> context_;
  http_core::Core core_;
};

}  // namespace

prober::Result<std::unique_ptr<HttpServer>> HttpServer::Start(const HttpServerOptions& options,
                                                              Handler handler) {
  if (!options.http && !options.https) {
    return prober::Status::InvalidArgument("enable at least one of http and https");
  }
  auto server = std::make_unique<Server>(options, std::move(handler));
  if (auto st = server->Init(options); !st.ok()) return st;
  return std::unique_ptr<HttpServer>(std::move(server));
}

}  // namespace odoo_prober::runners
