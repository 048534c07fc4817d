#include "runners/admin/admin.h"

#include <zlib.h>

#include <cctype>
#include <cstdlib>
#include <optional>

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

// Whether an Accept-Encoding header takes gzip: listed, and not with q=0.
bool AcceptsGzip(const std::string& accept) {
  size_t at = 0;
  while (at < accept.size()) {
    size_t end = accept.find(',', at);
    if (end == std::string::npos) end = accept.size();
    std::string item;
    for (size_t i = at; i < end; ++i) {
      if (!std::isspace(static_cast<unsigned char>(accept[i])))
        item += static_cast<char>(std::tolower(static_cast<unsigned char>(accept[i])));
    }
    const std::string coding = item.substr(0, item.find(';'));
    if (coding == "gzip") {
      const auto q = item.find(";q=");
      return q == std::string::npos || std::strtod(item.c_str() + q + 3, nullptr) > 0;
    }
    at = end + 1;
  }
  return false;
}

// `text` in gzip format (RFC 1952), at zlib's fastest level: Prometheus' text exposition shrinks
// about tenfold even so, and a large instance's scrape stays cheap. nullopt if zlib fails.
std::optional<std::string> Gzip(const std::string& text) {
  if (text.size() > (1u << 30)) return std::nullopt;  // zlib counts in 32 bits: sent as it is
  z_stream z{};
  // 15 + 16: a 32 KiB window with a gzip header and trailer rather than zlib's.
  if (deflateInit2(&z, Z_BEST_SPEED, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    return std::nullopt;
  std::string out(deflateBound(&z, static_cast<uLong>(text.size())), '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
  z.avail_in = static_cast<uInt>(text.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  const int rc = deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  if (rc != Z_STREAM_END) return std::nullopt;
  return out;
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
    // Prometheus asks for gzip: a 5,000-pair instance's scrape is tens of MB as text.
    res.headers.push_back({"Vary", "Accept-Encoding"});
    if (AcceptsGzip(r.accept_encoding)) {
      if (auto packed = Gzip(res.body)) {
        res.body = std::move(*packed);
        res.headers.push_back({"Content-Encoding", "gzip"});
      }
    }
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
