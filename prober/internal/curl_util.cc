#include "prober/internal/curl_util.h"

#include <atomic>

namespace odoo_prober::prober::internal {
namespace {

int64_t Micros(CURL* c, CURLINFO info) {
  curl_off_t v = 0;
  if (curl_easy_getinfo(c, info, &v) != CURLE_OK) return 0;
  return static_cast<int64_t>(v);
}

std::string Endpoint(CURL* c, CURLINFO ip_info, CURLINFO port_info) {
  char* ip = nullptr;
  long port = 0;
  if (curl_easy_getinfo(c, ip_info, &ip) != CURLE_OK || ip == nullptr || *ip == '\0') return "";
  curl_easy_getinfo(c, port_info, &port);
  const std::string address = ip;
  const bool v6 = address.find(':') != std::string::npos;
  return (v6 ? "[" + address + "]" : address) + ":" + std::to_string(port);
}

}  // namespace

void ReadPhases(CURL* c, RpcTimings& timings, Connection& connection) {
  const int64_t dns = Micros(c, CURLINFO_NAMELOOKUP_TIME_T);
  const int64_t connect = Micros(c, CURLINFO_CONNECT_TIME_T);
  const int64_t tls = Micros(c, CURLINFO_APPCONNECT_TIME_T);
  const int64_t pre = Micros(c, CURLINFO_PRETRANSFER_TIME_T);
  const int64_t first = Micros(c, CURLINFO_STARTTRANSFER_TIME_T);
  timings.dns_us = dns;
  timings.connect_us = connect > dns ? connect - dns : 0;
  timings.tls_us = tls > connect ? tls - connect : 0;
  timings.first_byte_us = first > pre ? first - pre : 0;
  timings.total_us = Micros(c, CURLINFO_TOTAL_TIME_T);
  connection = {Endpoint(c, CURLINFO_LOCAL_IP, CURLINFO_LOCAL_PORT),
                Endpoint(c, CURLINFO_PRIMARY_IP, CURLINFO_PRIMARY_PORT)};
}

bool IsTlsFailure(CURLcode code) {
  switch (code) {
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_ENGINE_INITFAILED:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_SHUTDOWN_FAILED:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_USE_SSL_FAILED:
      return true;
    default:
      return false;
  }
}

int CancelProgress(void* cancel, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  return static_cast<const std::atomic<bool>*>(cancel)->load() ? 1 : 0;
}

}  // namespace odoo_prober::prober::internal
