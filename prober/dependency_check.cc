// The dependency checks (dependency_check.h): http and tcp over libcurl, dns over glibc's
// asynchronous getaddrinfo_a, so that every one has a deadline.
#include "prober/dependency_check.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netdb.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <memory>
#include <regex>
#include <thread>

#include "prober/internal/curl_util.h"
#include "prober/internal/excerpt.h"

namespace odoo_prober::prober {

std::string_view DependencyKindName(DependencyKind kind) {
  switch (kind) {
    case DependencyKind::kHttp:
      return "http";
    case DependencyKind::kTcp:
      return "tcp";
    case DependencyKind::kDns:
      return "dns";
  }
  return "http";
}

std::optional<DependencyKind> ParseDependencyKind(std::string_view name) {
  for (auto k : {DependencyKind::kHttp, DependencyKind::kTcp, DependencyKind::kDns})
    if (DependencyKindName(k) == name) return k;
  return std::nullopt;
}

std::optional<nlohmann::json::json_pointer> JsonPathPointer(const std::string& path) {
  std::string p = path;
  if (p.rfind("$.", 0) == 0) p = p.substr(2);
  if (p == "$" || p.empty()) return nlohmann::json::json_pointer("");
  if (p[0] == '/') {
    try {
      return nlohmann::json::json_pointer(p);
    } catch (const nlohmann::json::exception&) {
      return std::nullopt;
    }
  }
  std::string out;
  std::string token;
  auto flush = [&]() -> bool {
    if (token.empty()) return false;
    out += "/";
    for (char ch : token) out += ch == '~' ? "~0" : ch == '/' ? "~1" : std::string(1, ch);
    token.clear();
    return true;
  };
  for (size_t i = 0; i < p.size(); ++i) {
    const char ch = p[i];
    if (ch == '.') {
      if (!flush()) return std::nullopt;
    } else if (ch == '[') {
      const size_t end = p.find(']', i);
      if (end == std::string::npos || end == i + 1) return std::nullopt;
      if (!token.empty() && !flush()) return std::nullopt;
      token = p.substr(i + 1, end - i - 1);
      if (!std::all_of(token.begin(), token.end(), [](char c) { return c >= '0' && c <= '9'; }))
        return std::nullopt;
      flush();
      i = end;
      if (i + 1 < p.size() && p[i + 1] == '.') ++i;
    } else {
      token += ch;
    }
  }
  if (!token.empty()) flush();
  return nlohmann::json::json_pointer(out);
}

std::string Describe(const DependencyProbe& probe) {
  std::string out;
  switch (probe.kind) {
    case DependencyKind::kHttp: {
      out = probe.method + " " + probe.url + " expecting ";
      if (probe.expect_status.empty()) {
        out += "2xx";
      } else {
        for (size_t i = 0; i < probe.expect_status.size(); ++i)
          out += (i ? "|" : "") + std::to_string(probe.expect_status[i]);
      }
      if (!probe.expect_body.empty()) out += ", body matching /" + probe.expect_body + "/";
      if (!probe.expect_json_path.empty())
        out += ", " + probe.expect_json_path +
               (probe.expect_json_value ? " = " + probe.expect_json_value->dump() : " present");
      if (!probe.headers.empty()) {
        out += ", headers";
        for (const auto& h : probe.headers) out += " " + h.name;
      }
      break;
    }
    case DependencyKind::kTcp:
      out = "connect " + probe.host + ":" + std::to_string(probe.port);
      break;
    case DependencyKind::kDns:
      out = probe.host +
            (probe.expect_address.empty() ? " resolves" : " resolves to " + probe.expect_address);
      break;
  }
  return out;
}

namespace {

using internal::CurlHandle;
using internal::CurlList;

struct Body {
  std::string text;
  std::size_t limit = 0;
  bool too_large = false;
};

size_t WriteBody(char* data, size_t size, size_t nmemb, void* user) {
  auto* body = static_cast<Body*>(user);
  const size_t n = size * nmemb;
  if (body->text.size() + n > body->limit) {
    body->too_large = true;
    return 0;
  }
  body->text.append(data, n);
  return n;
}

// A failed transfer's outcome, as a journey's call would have it.
void Failed(CURLcode code, const char* errbuf, bool too_large, const DependencyProbe& probe,
            DependencyOutcome& out) {
  const std::string why = errbuf[0] != '\0' ? errbuf : curl_easy_strerror(code);
  if (too_large || code == CURLE_FILESIZE_EXCEEDED) {
    out.outcome = Outcome::kHttp;
    out.detail = "answer larger than max_response_bytes (" +
                 std::to_string(probe.max_response_bytes) + " bytes)";
  } else if (code == CURLE_OPERATION_TIMEDOUT) {
    out.outcome = Outcome::kTimeout;
    out.detail =
        "no answer within the timeout (" + std::to_string(probe.timeout.count()) + " ms): " + why;
  } else if (code == CURLE_ABORTED_BY_CALLBACK) {
    out.outcome = Outcome::kTransport;
    out.detail = "cancelled: the prober is shutting down";
  } else if (internal::IsTlsFailure(code)) {
    out.outcome = Outcome::kTls;
    out.detail = "TLS failure: " + why;
  } else {
    out.outcome = Outcome::kTransport;
    out.detail = std::string(curl_easy_strerror(code)) + ": " + why;
  }
}

CurlHandle NewHandle(const DependencyProbe& probe, const CancelFlag& cancel, char* errbuf) {
  CurlHandle c(curl_easy_init());
  if (!c) return c;
  CURL* h = c.get();
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(probe.timeout.count()));
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(probe.timeout.count()));
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(h, CURLOPT_USERAGENT, "odoo-prober");
  if (cancel) {
    curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, &internal::CancelProgress);
    curl_easy_setopt(h, CURLOPT_XFERINFODATA, const_cast<std::atomic<bool>*>(cancel.get()));
  }
  return c;
}

// What the body must hold: the regex and the JSON value. Sets out's failure when it does not.
void CheckBody(const DependencyProbe& probe, const std::string& body, DependencyOutcome& out) {
  if (!probe.expect_body.empty()) {
    bool found = false;
    try {
      found = std::regex_search(body, std::regex(probe.expect_body, std::regex::ECMAScript));
    } catch (const std::regex_error& e) {
      out.outcome = Outcome::kAssertion;
      out.detail = std::string("expect_body is not a valid regex: ") + e.what();
      return;
    }
    if (!found) {
      out.outcome = Outcome::kAssertion;
      out.detail =
          "the body does not match /" + probe.expect_body + "/: " + internal::Excerpt(body, 200);
      return;
    }
  }
  if (probe.expect_json_path.empty()) return;
  const auto doc = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) {
    out.outcome = Outcome::kAssertion;
    out.detail = "the body is not JSON, so " + probe.expect_json_path +
                 " cannot be read: " + internal::Excerpt(body, 200);
    return;
  }
  const auto pointer = JsonPathPointer(probe.expect_json_path);
  if (!pointer || !doc.contains(*pointer)) {
    out.outcome = Outcome::kAssertion;
    out.detail = "the JSON body has no " + probe.expect_json_path;
    return;
  }
  const auto& value = doc.at(*pointer);
  if (probe.expect_json_value && value != *probe.expect_json_value) {
    out.outcome = Outcome::kAssertion;
    out.detail = probe.expect_json_path + " is " + internal::Excerpt(value.dump(), 120) +
                 ", expected " + probe.expect_json_value->dump();
  }
}

// The request's options: method, body, headers, the body's bound and TLS.
void SetRequest(CURL* h, const DependencyProbe& probe, curl_slist* headers, Body* body) {
  curl_easy_setopt(h, CURLOPT_URL, probe.url.c_str());
  curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, probe.method.c_str());
  if (probe.method == "HEAD") curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
  if (!probe.body.empty()) {
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, probe.body.Reveal().data());
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
                     static_cast<curl_off_t>(probe.body.Reveal().size()));
  }
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(probe.max_response_bytes));
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &WriteBody);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, body);
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, probe.tls.verify ? 1L : 0L);
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, probe.tls.verify ? 2L : 0L);
  if (!probe.tls.ca_file.empty()) curl_easy_setopt(h, CURLOPT_CAINFO, probe.tls.ca_file.c_str());
  if (!probe.tls.client_cert_file.empty()) {
    curl_easy_setopt(h, CURLOPT_SSLCERT, probe.tls.client_cert_file.c_str());
    curl_easy_setopt(h, CURLOPT_SSLKEY, probe.tls.client_key_file.c_str());
  }
}

DependencyOutcome NoHandle() {
  DependencyOutcome out;
  out.outcome = Outcome::kTransport;
  out.detail = "libcurl could not make a handle";
  return out;
}

DependencyOutcome CheckHttp(const DependencyProbe& probe, const CancelFlag& cancel) {
  DependencyOutcome out;
  char errbuf[CURL_ERROR_SIZE] = {0};
  auto handle = NewHandle(probe, cancel, errbuf);
  if (!handle) return NoHandle();
  CURL* h = handle.get();
  CurlList headers;
  for (const auto& header : probe.headers) {
    headers.reset(
        curl_slist_append(headers.release(), (header.name + ": " + header.value.Reveal()).c_str()));
  }
  Body body{{}, probe.max_response_bytes};
  SetRequest(h, probe, headers.get(), &body);
  const CURLcode code = curl_easy_perform(h);
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &out.http_status);
  internal::ReadPhases(h, out.timings, out.connection);
  if (code != CURLE_OK) {
    Failed(code, errbuf, body.too_large, probe, out);
    return out;
  }
  const long status = out.http_status;
  const bool expected = probe.expect_status.empty()
                            ? status >= 200 && status < 300
                            : std::find(probe.expect_status.begin(), probe.expect_status.end(),
                                        status) != probe.expect_status.end();
  if (!expected) {
    out.outcome = Outcome::kHttp;
    out.detail = "HTTP " + std::to_string(status) + ", expected " +
                 (probe.expect_status.empty() ? std::string("2xx") : "one of expect_status");
    char* location = nullptr;
    if (status >= 300 && status < 400 &&
        curl_easy_getinfo(h, CURLINFO_REDIRECT_URL, &location) == CURLE_OK && location) {
      out.detail += " (redirects to " + internal::Excerpt(location, 300) +
                    "; redirects are not followed: check the url, or list the status in "
                    "expect_status when the redirect is the answer)";
    } else if (!body.text.empty()) {
      out.detail += ": " + internal::Excerpt(body.text, 200);
    }
    return out;
  }
  CheckBody(probe, body.text, out);
  return out;
}

DependencyOutcome CheckTcp(const DependencyProbe& probe, const CancelFlag& cancel) {
  DependencyOutcome out;
  char errbuf[CURL_ERROR_SIZE] = {0};
  auto handle = NewHandle(probe, cancel, errbuf);
  if (!handle) return NoHandle();
  CURL* h = handle.get();
  const bool v6 = probe.host.find(':') != std::string::npos;
  const std::string url =
      "http://" + (v6 ? "[" + probe.host + "]" : probe.host) + ":" + std::to_string(probe.port);
  curl_easy_setopt(h, CURLOPT_URL, url.c_str());
  curl_easy_setopt(h, CURLOPT_CONNECT_ONLY, 1L);
  const CURLcode code = curl_easy_perform(h);
  internal::ReadPhases(h, out.timings, out.connection);
  if (code != CURLE_OK) Failed(code, errbuf, false, probe, out);
  return out;
}

// The distinct addresses of a getaddrinfo answer, as text, in its order.
std::vector<std::string> Addresses(const addrinfo* list) {
  std::vector<std::string> out;
  for (const addrinfo* ai = list; ai; ai = ai->ai_next) {
    char text[INET6_ADDRSTRLEN] = {0};
    const void* addr =
        ai->ai_family == AF_INET6
            ? static_cast<const void*>(&reinterpret_cast<sockaddr_in6*>(ai->ai_addr)->sin6_addr)
            : static_cast<const void*>(&reinterpret_cast<sockaddr_in*>(ai->ai_addr)->sin_addr);
    if (inet_ntop(ai->ai_family, addr, text, sizeof text) &&
        std::find(out.begin(), out.end(), text) == out.end())
      out.emplace_back(text);
  }
  return out;
}

// Waits for the lookup until `deadline` or a cancel; its gai_error (EAI_INPROGRESS: not done).
int AwaitLookup(gaicb* cb, std::chrono::steady_clock::time_point deadline,
                const CancelFlag& cancel) {
  int status = EAI_INPROGRESS;
  while ((status = gai_error(cb)) == EAI_INPROGRESS) {
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline || (cancel && cancel->load())) break;
    const auto step = std::min<std::chrono::steady_clock::duration>(deadline - now,
                                                                    std::chrono::milliseconds(50));
    const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(step).count();
    timespec wait{static_cast<time_t>(ns / 1000000000), static_cast<long>(ns % 1000000000)};
    const gaicb* waiting[1] = {cb};
    gai_suspend(waiting, 1, &wait);
  }
  return status;
}

// Resolves with getaddrinfo_a, waiting at most the timeout (and ending at a cancel).
DependencyOutcome CheckDns(const DependencyProbe& probe, const CancelFlag& cancel) {
  DependencyOutcome out;
  const auto start = std::chrono::steady_clock::now();
  // The request lives on the heap: a lookup that cannot be cancelled past its deadline (glibc
  // may be inside the resolver) keeps using it; it is then left to finish on its own.
  struct Request {
    std::string host;
    addrinfo hints{};
    gaicb cb{};
  };
  auto* req = new Request;
  req->host = probe.host;
  req->hints.ai_socktype = SOCK_STREAM;
  req->cb.ar_name = req->host.c_str();
  req->cb.ar_request = &req->hints;
  gaicb* list[1] = {&req->cb};
  if (getaddrinfo_a(GAI_NOWAIT, list, 1, nullptr) != 0) {
    delete req;
    out.outcome = Outcome::kTransport;
    out.detail = "could not start resolving " + probe.host;
    return out;
  }
  const int status = AwaitLookup(&req->cb, start + probe.timeout, cancel);
  out.timings.dns_us = std::chrono::duration_cast<std::chrono::microseconds>(
                           std::chrono::steady_clock::now() - start)
                           .count();
  out.timings.total_us = out.timings.dns_us;
  if (status == EAI_INPROGRESS) {
    if (gai_cancel(&req->cb) == EAI_CANCELED) {
      delete req;
    }  // else: still running in glibc's thread; it owns the request now (a bounded leak)
    const bool cancelled = cancel && cancel->load();
    out.outcome = cancelled ? Outcome::kTransport : Outcome::kTimeout;
    out.detail = cancelled ? "cancelled: the prober is shutting down"
                           : probe.host + " did not resolve within the timeout (" +
                                 std::to_string(probe.timeout.count()) + " ms)";
    return out;
  }
  if (status != 0) {
    out.outcome = Outcome::kTransport;
    out.detail = probe.host + " does not resolve: " + gai_strerror(status);
    delete req;
    return out;
  }
  out.addresses = Addresses(req->cb.ar_result);
  freeaddrinfo(req->cb.ar_result);
  delete req;
  if (!probe.expect_address.empty() && std::find(out.addresses.begin(), out.addresses.end(),
                                                 probe.expect_address) == out.addresses.end()) {
    std::string got;
    for (const auto& a : out.addresses) got += (got.empty() ? "" : ", ") + a;
    out.outcome = Outcome::kAssertion;
    out.detail = probe.host + " resolves to " + got + ", not to " + probe.expect_address;
  }
  return out;
}

}  // namespace

DependencyOutcome CheckDependency(const DependencyProbe& probe, CancelFlag cancel) {
  switch (probe.kind) {
    case DependencyKind::kHttp:
      return CheckHttp(probe, cancel);
    case DependencyKind::kTcp:
      return CheckTcp(probe, cancel);
    case DependencyKind::kDns:
      return CheckDns(probe, cancel);
  }
  return {};
}

}  // namespace odoo_prober::prober
