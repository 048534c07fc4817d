// Internal to prober/: what the libcurl users of this folder (the Odoo client, the dependency
// checks) share: handle owners, the phases and ends of a transfer, which errors are TLS ones, and
// the progress callback that cancels.
#pragma once

#include <curl/curl.h>

#include <cstdint>
#include <memory>
#include <string>

#include "prober/odoo_client.h"

namespace odoo_prober::prober::internal {

struct CurlDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct SlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};
using CurlHandle = std::unique_ptr<CURL, CurlDeleter>;
using CurlList = std::unique_ptr<curl_slist, SlistDeleter>;

// The transfer's phases as durations (libcurl's times are offsets from its start) and the two
// ends of its connection ("address:port", "[v6]:port"; "" when none was made).
void ReadPhases(CURL* c, RpcTimings& timings, Connection& connection);

// Whether a transfer failed in TLS (handshake, certificate, trust store).
bool IsTlsFailure(CURLcode code);

// CURLOPT_XFERINFOFUNCTION with a `const std::atomic<bool>*` as its data: a set flag aborts the
// transfer (CURLE_ABORTED_BY_CALLBACK).
int CancelProgress(void* cancel, curl_off_t, curl_off_t, curl_off_t, curl_off_t);

}  // namespace odoo_prober::prober::internal
