// Fault injection for the emulator: what can go wrong between a prober and an Odoo server,
// on demand. Set at start (odoo-emulator --faults FILE, or flags) and at run time through the
// emulator-only control endpoint POST /__emulator/faults (the same JSON document).
//
// The document (JSON, or YAML with the same keys):
//   {"latency": "50ms" | {"min": "10ms", "max": "80ms"},          every answer
//    "method_latency": {"sale.order.action_confirm": "2s", ...},   by model.method, service.method
//                                                                   or route path
//    "client_latency": {"127.0.0.2": "120ms"},                     by client source address
//    "rules": [{"match": "*", "kind": "http_503", "rate": 0.5}],   see FaultKind; kind wizard
//                                                                   takes "wizard": "<model>";
//                                                                   "after": N spares the first N
//    "session_expiry_after": 5,                                    web sessions die after N calls
//    "certificate": "trusted",                                     trusted | self-signed |
//                                                                   expired | wrong-host | rotated
//    "oversized_bytes": 33554432,
//    "seed": 1}
//
// Thread-safety: values.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "prober/status.h"

namespace odoo_prober::emulator {

// A delay drawn uniformly from [min, max] (fixed when they are equal).
struct Latency {
  std::chrono::milliseconds min{0};
  std::chrono::milliseconds max{0};
};

enum class FaultKind {
  kHttp502,         // "502 Bad Gateway" with an HTML body, as a reverse proxy answers
  kHttp503,         // "503 Service Unavailable", HTML
  kHttp504,         // "504 Gateway Time-out", HTML
  kHang,            // read the request, never answer (until the server stops)
  kReset,           // read the request, then reset the connection (TCP RST)
  kMalformedJson,   // HTTP 200 with a body that is not JSON
  kTruncated,       // announce the full Content-Length, send half, close
  kOversized,       // HTTP 200 with a valid but huge JSON-RPC answer (oversized_bytes)
  kOdooError,       // Odoo's error envelope: a transient database serialization failure
  kWizard,          // the call is not carried out; Odoo answers a dialog (an act_window with
                    // target "new") for the rule's `wizard` model, as a customised Odoo might
  kNoop,            // the call is not carried out, yet answers success (result true): what a
                    // cleanup must not take for done
  kAccessDenied,    // odoo.exceptions.AccessDenied, as when the probe user's password or API key
                    // was changed or revoked between two calls
  kUserError,       // odoo.exceptions.UserError from the business method (a rule of the
                    // customer's, a locked period): the call is not carried out
  kSessionExpired,  // Odoo's "Session Expired" (code 100) to a web-session call, the session
                    // itself left alive: a re-login does not help
  kRedirect,        // "301 Moved Permanently" to https://odoo.example.com<path>, as a proxy
                    // sends plain HTTP to its HTTPS name
};

struct FaultRule {
  std::string match = "*";  // "*", "model.method", "model.*", "service.method" or a route path
  FaultKind kind = FaultKind::kHttp503;
  double rate = 1.0;                         // probability per matching request
  std::string wizard = "confirm.stock.sms";  // kWizard: the dialog's res_model
  int after = 0;  // the first `after` matching requests pass untouched ("AccessDenied after N")
};

struct Faults {
  Latency latency;
  std::map<std::string, Latency> method_latency;
  std::map<std::string, Latency> client_latency;
  std::vector<FaultRule> rules;
  int session_expiry_after = 0;  // 0: sessions never expire
  std::string certificate = "trusted";
  std::size_t oversized_bytes = 32u << 20;
  uint64_t seed = 1;
};

// The names of the certificates an HTTPS listener can serve.
const std::vector<std::string>& CertificateNames();

// Parses the document above; errors name the key and say what is expected.
prober::Result<Faults> ParseFaults(const nlohmann::json& document);
// The document for `faults` (ParseFaults(ToJson(f)) == f).
nlohmann::json ToJson(const Faults& faults);
// "http_503" <-> FaultKind.
std::optional<FaultKind> ParseFaultKind(const std::string& name);
std::string FaultKindName(FaultKind kind);

}  // namespace odoo_prober::emulator
