#include "runners/admin.h"

namespace odoo_prober::runners {

HttpResponse AdminHandler::operator()(const HttpRequest& r) const {
  HttpResponse res;
  res.content_type = "text/plain; charset=utf-8";
  if (r.method != "GET") {
    res.status = 405;
    res.headers.push_back({"Allow", "GET"});
    res.body = "GET only\n";
  } else if (r.path == "/metrics") {
    res.content_type = "text/plain; version=0.0.4; charset=utf-8";
    res.body = metrics_.Serialize();
  } else if (r.path == "/healthz") {
    res.body = "ok\n";
  } else if (r.path == "/readyz") {
    return Ready();
  } else if (r.path == "/status" || r.path == "/") {
    res.content_type = "text/html; charset=utf-8";
    res.body = board_.RenderHtml(clock_.Now(), instance_);
  } else {
    res.status = 404;
    res.body = "not found; try /status, /metrics, /healthz, /readyz\n";
  }
  return res;
}

HttpResponse AdminHandler::Ready() const {
  const Readiness ready = readiness_();
  HttpResponse res;
  res.content_type = "text/plain; charset=utf-8";
  if (!ready.scheduling) {
    res.status = 503;
    res.body = "not ready: the scheduler is not running\n";
  } else if (!ready.sinks_healthy) {
    res.status = 503;
    res.body = "not ready: a result sink is failing\n";
  } else {
    res.body = "ready\n";
  }
  return res;
}

}  // namespace odoo_prober::runners
