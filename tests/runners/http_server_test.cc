// The prober's own HTTP server over loopback: it answers as odoo-prober, refuses what it must,
// and reports a listener it cannot open in words a user can act on.
#include "runners/http/http_server.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <memory>

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

Answer Fetch(const std::string& url, const std::string& post = "", const std::string& header = "") {
  Answer a;
  CURL* c = curl_easy_init();
  curl_slist* headers = header.empty() ? nullptr : curl_slist_append(nullptr, header.c_str());
  if (headers) curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 5000L);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &Append);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &a.body);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, &Append);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &a.headers);
  if (!post.empty()) curl_easy_setopt(c, CURLOPT_POSTFIELDS, post.c_str());
  if (curl_easy_perform(c) == CURLE_OK) curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &a.status);
  curl_easy_cleanup(c);
  curl_slist_free_all(headers);
  return a;
}

// A raw TCP connection to 127.0.0.1:port, for clients curl would not be: slow, idle, pipelined.
struct Raw {
  explicit Raw(uint16_t port) : fd(::socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  }
  ~Raw() { ::close(fd); }
  bool Send(const std::string& bytes) const {
    return ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL) ==
           static_cast<ssize_t>(bytes.size());
  }
  // Waits up to `wait` for input; returns what came, and sets `closed` at end of stream.
  std::string Read(std::chrono::milliseconds wait) {
    pollfd p{fd, POLLIN, 0};
    std::string got;
    while (::poll(&p, 1, static_cast<int>(wait.count())) == 1) {
      char buf[4096];
      const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
      if (n <= 0) {
        closed = true;
        break;
      }
      got.append(buf, static_cast<size_t>(n));
    }
    return got;
  }
  int fd;
  bool connected = false;
  bool closed = false;
};

HttpResponse Ok(const HttpRequest& r) {
  HttpResponse res;
  res.content_type = "text/plain";
  res.body = r.path;
  return res;
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
  // A body over the limit never reaches the handler, nor does a head over its limit.
  const auto large = Fetch(base + "/echo", std::string(1000, 'x'));
  CHECK(large.status == 413);
  CHECK(large.body.find("POST") == std::string::npos);
  CHECK(Fetch(base + "/echo", "", "X-Large: " + std::string(20000, 'x')).status == 431);
  (*server)->Stop();
  (*server)->Stop();  // idempotent
}

TEST_CASE("http server: a client sending a byte a second is cut off and holds nobody up",
          "[http-server]") {
  HttpServerOptions o;
  o.threads = 1;
  o.read_timeout = std::chrono::seconds(2);
  std::atomic<int> slow_seen{0};
  auto server = HttpServer::Start(o, [&](const HttpRequest& r) {
    if (r.path == "/slow") ++slow_seen;
    return Ok(r);
  });
  REQUIRE(server.ok());
  const uint16_t port = (*server)->http_port();
  Raw slow(port);
  REQUIRE(slow.connected);
  const std::string request = "GET /slow HTTP/1.1\r\nHost: x\r\n\r\n";
  const auto start = std::chrono::steady_clock::now();
  size_t sent = 0;
  // One byte, then a second's wait for an answer or the close, and again.
  while (sent < request.size() && !slow.closed && slow.Send(request.substr(sent, 1))) {
    ++sent;
    if (sent == 1) {
      // The only I/O thread is not held: others are served while the slow one trickles.
      CHECK(Fetch("http://127.0.0.1:" + std::to_string(port) + "/fast").body == "/fast");
    }
    slow.Read(std::chrono::seconds(1));
  }
  const auto held = std::chrono::steady_clock::now() - start;
  CHECK(sent < request.size());  // cut off before its request was whole
  CHECK(held < std::chrono::seconds(6));
  CHECK(slow_seen == 0);
}

TEST_CASE("http server: connections beyond the limit are closed, and requests per connection",
          "[http-server]") {
  HttpServerOptions o;
  o.max_connections = 3;
  o.max_requests_per_connection = 2;
  auto server = HttpServer::Start(o, Ok);
  REQUIRE(server.ok());
  const uint16_t port = (*server)->http_port();
  SECTION("a fourth connection is closed unanswered; a freed slot serves again") {
    std::vector<std::unique_ptr<Raw>> idle;
    for (int i = 0; i < 3; ++i) idle.push_back(std::make_unique<Raw>(port));
    Raw fourth(port);
    REQUIRE(fourth.connected);
    fourth.Send("GET /fourth HTTP/1.1\r\nHost: x\r\n\r\n");
    CHECK(fourth.Read(std::chrono::seconds(5)).empty());
    CHECK(fourth.closed);
    idle.clear();
    CHECK(testing::Eventually([&] {
      return Fetch("http://127.0.0.1:" + std::to_string(port) + "/again").status == 200;
    }));
  }
  SECTION("three requests on one connection: two answers, the second closing it") {
    Raw c(port);
    const std::string req = "GET /a HTTP/1.1\r\nHost: x\r\n\r\n";
    REQUIRE(c.Send(req + req + req));
    std::string got;
    while (!c.closed) {
      const std::string more = c.Read(std::chrono::seconds(5));
      if (more.empty()) break;
      got += more;
    }
    CHECK(c.closed);
    size_t answers = 0;
    for (size_t at = got.find("HTTP/1.1 200"); at != std::string::npos;
         at = got.find("HTTP/1.1 200", at + 1))
      ++answers;
    CHECK(answers == 2);
    CHECK(Contains(got, "Connection: close"));
  }
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
