// The prober's own HTTP server over loopback: it answers as odoo-prober, refuses what it must,
// and reports a listener it cannot open in words a user can act on.
#include "runners/http_server.h"

#include <curl/curl.h>

#include <catch2/catch.hpp>

#include "tests/support/support.h"

namespace odoo_prober::runners {
namespace {

using testing::Contains;

struct Answer {
  long status = 0;
  std::string headers, body;
};

size_t Append(char* data, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

Answer Fetch(const std::string& url, const std::string& post = "") {
  Answer a;
  CURL* c = curl_easy_init();
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 5000L);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &Append);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &a.body);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, &Append);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &a.headers);
  if (!post.empty()) curl_easy_setopt(c, CURLOPT_POSTFIELDS, post.c_str());
  if (curl_easy_perform(c) == CURLE_OK) curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &a.status);
  curl_easy_cleanup(c);
  return a;
}

TEST_CASE("http server: answers as odoo-prober, with the handler's status and body",
          "[http-server]") {
  HttpServerOptions o;
  o.max_body_bytes = 16;
  auto server = HttpServer::Start(o, [](const HttpRequest& r) {
    HttpResponse res;
    res.status = r.path == "/teapot" ? 418 : 200;
    res.content_type = "text/plain";
    res.body = r.method + " " + r.path + " " + r.query + " " + r.body;
    return res;
  });
  REQUIRE(server.ok());
  const std::string base = "http://127.0.0.1:" + std::to_string((*server)->http_port());
  const auto a = Fetch(base + "/metrics?x=1");
  CHECK(a.status == 200);
  CHECK(a.body == "GET /metrics x=1 ");
  CHECK(Contains(a.headers, "Server: odoo-prober\r\n"));
  CHECK(Fetch(base + "/teapot").status == 418);
  CHECK(Fetch(base + "/echo", "small").body == "POST /echo  small");
  // A body over the limit never reaches the handler.
  CHECK(Fetch(base + "/echo", std::string(1000, 'x')).body.find("POST") == std::string::npos);
  (*server)->Stop();
  (*server)->Stop();  // idempotent
}

TEST_CASE("http server: a listener it cannot open is explained, without library internals",
          "[http-server]") {
  auto first = HttpServer::Start({}, [](const HttpRequest&) { return HttpResponse{}; });
  REQUIRE(first.ok());
  HttpServerOptions busy;
  busy.http_port = (*first)->http_port();
  auto second = HttpServer::Start(busy, [](const HttpRequest&) { return HttpResponse{}; });
  REQUIRE_FALSE(second.ok());
  const std::string where = "127.0.0.1:" + std::to_string(busy.http_port);
  CHECK(second.status().message() ==
        "cannot listen on " + where +
            ": Address already in use; another process listens there; stop it or choose another "
            "port (port 0 picks a free one)");
  HttpServerOptions bad_address;
  bad_address.bind = "localhost-ish";
  auto third = HttpServer::Start(bad_address, [](const HttpRequest&) { return HttpResponse{}; });
  REQUIRE_FALSE(third.ok());
  CHECK(Contains(third.status().message(), "'localhost-ish' is not an IP address"));
  testing::TempDir dir;
  HttpServerOptions tls;
  tls.https = true;
  tls.cert_file = dir.Write("cert.pem", "not a certificate");
  tls.key_file = dir.path() + "/key.pem";
  auto fourth = HttpServer::Start(tls, [](const HttpRequest&) { return HttpResponse{}; });
  REQUIRE_FALSE(fourth.ok());
  CHECK(Contains(fourth.status().message(), "cannot use the certificate chain " + tls.cert_file));
  for (const auto& st : {second.status(), third.status(), fourth.status()}) {
    CHECK_FALSE(Contains(st.message(), "/usr/include"));
    CHECK_FALSE(Contains(st.message(), "emulator"));
  }
}

}  // namespace
}  // namespace odoo_prober::runners
