#include "runners/engine/push.h"

#include <curl/curl.h>
#include <openssl/evp.h>

#include <map>
#include <memory>
#include <set>

#include "results/metrics.h"

namespace odoo_prober::runners {
namespace {

std::string Base64Url(const std::string& in) {
  std::string out(4 * ((in.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(in.data()),
                                static_cast<int>(in.size()));
  out.resize(static_cast<size_t>(n));
  for (char& c : out) {
    if (c == '+') c = '-';
    if (c == '/') c = '_';
  }
  return out.empty() ? "=" : out;  // the gateway reads "=" as the empty value
}

struct CurlClose {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};

size_t Collect(char* data, size_t size, size_t n, void* out) {
  auto* text = static_cast<std::string*>(out);
  if (text->size() < 4096) text->append(data, std::min(size * n, 4096 - text->size()));
  return size * n;
}

// PUT `body` at `url`; the error says what went wrong.
prober::Status Put(const std::string& url, const std::string& body,
                   std::chrono::milliseconds timeout) {
  std::unique_ptr<CURL, CurlClose> curl(curl_easy_init());
  if (!curl) return prober::Status::Internal("cannot create a libcurl handle");
  std::string answer;
  curl_slist* headers =
      curl_slist_append(nullptr, "Content-Type: text/plain; version=0.0.4; charset=utf-8");
  CURL* c = curl.get();
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, "PUT");
  curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.data());
  curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(timeout.count()));
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, Collect);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &answer);
  const CURLcode rc = curl_easy_perform(c);
  curl_slist_free_all(headers);
  if (rc != CURLE_OK) return prober::Status::Unavailable(curl_easy_strerror(rc));
  long status = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  if (status < 200 || status >= 300) {
    while (!answer.empty() && (answer.back() == '\n' || answer.back() == '\r')) answer.pop_back();
    return prober::Status::Unavailable("HTTP " + std::to_string(status) +
                                       (answer.empty() ? "" : ": " + answer));
  }
  return prober::Status::Ok();
}

}  // namespace

std::string GroupingPath(const std::vector<std::pair<std::string, std::string>>& key) {
  std::string path = "/metrics";
  for (const auto& [label, value] : key) path += "/" + label + "@base64/" + Base64Url(value);
  return path;
}

prober::Status PushMetrics(const PushOptions& options, const config::ProberConfig& config,
                           const std::vector<results::JourneyResult>& results,
                           const std::vector<results::TlsReport>& tls) {
  std::set<std::string> regions;
  for (const auto& r : results) regions.insert(r.labels.region);
  for (const auto& t : tls) regions.insert(t.labels.region);
  std::string base = options.url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  for (const auto& region : regions) {
    results::Metrics metrics(options.instance, options.version);
    for (const auto& r : results) {
      if (r.labels.region != region) continue;
      metrics.DeclarePair({r.journey, r.target, r.labels, r.service,
                           config.objectives.For(r.journey), std::chrono::milliseconds(0), false,
                           r.definition});
      metrics.Observe(r);
    }
    for (const auto& t : tls) {
      if (t.labels.region == region) metrics.ObserveTls(t);
    }
    const std::string group =
        GroupingPath({{"job", "odoo-prober"}, {"instance", options.instance}, {"region", region}});
    if (auto st = Put(base + group, metrics.Serialize(), options.timeout); !st.ok()) {
      return prober::Status::Unavailable("pushgateway " + base + ": cannot push the group " +
                                         "instance=" + options.instance + ", region=" + region +
                                         ": " + st.message());
    }
  }
  return prober::Status::Ok();
}

}  // namespace odoo_prober::runners
