#include "runners/admin.h"

#include <cctype>

namespace odoo_prober::runners {
namespace {

// The value of `key` in a query string ("journey=login&target=lyon"), %XX and '+' decoded;
// "" when absent.
std::string QueryValue(const std::string& query, const std::string& key) {
  size_t at = 0;
  while (at <= query.size()) {
    size_t end = query.find('&', at);
    if (end == std::string::npos) end = query.size();
    const std::string part = query.substr(at, end - at);
    if (part.rfind(key + "=", 0) == 0) {
      std::string out;
      for (size_t i = key.size() + 1; i < part.size(); ++i) {
        if (part[i] == '+') {
          out += ' ';
        } else if (part[i] == '%' && i + 2 < part.size() &&
                   std::isxdigit(static_cast<unsigned char>(part[i + 1])) &&
                   std::isxdigit(static_cast<unsigned char>(part[i + 2]))) {
          out += static_cast<char>(std::stoi(part.substr(i + 1, 2), nullptr, 16));
          i += 2;
        } else {
          out += part[i];
        }
      }
      return out;
    }
    at = end + 1;
  }
  return "";
}

}  // namespace

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
  } else if (r.path == "/status/pair") {
    const std::string journey = QueryValue(r.query, "journey"),
                      target = QueryValue(r.query, "target");
    auto page = board_.RenderPairHtml(journey, target, clock_.Now(), instance_);
    if (page) {
      res.content_type = "text/html; charset=utf-8";
      res.body = std::move(*page);
    } else {
      res.status = 404;
      res.body = "no journey '" + journey + "' on target '" + target +
                 "' on this prober; /status lists the pairs it runs\n";
    }
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
