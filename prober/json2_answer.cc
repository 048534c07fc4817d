#include "prober/json2_answer.h"

#include "prober/internal/excerpt.h"
#include "prober/internal/json_fields.h"

namespace odoo_prober::prober {

using internal::Excerpt;
using internal::StringAt;
using nlohmann::json;

RpcResult InterpretJson2Answer(long http_status, const std::string& body, const std::string& path,
                               std::size_t max_debug_bytes, bool single_create) {
  RpcResult r;
  r.http_status = http_status;
  json answer = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (http_status == 200) {
    if (answer.is_discarded()) {
      r.outcome = Outcome::kHttp;
      r.detail = "answer from " + path + " is not JSON: " + Excerpt(body);
      return r;
    }
    r.result = single_create && answer.is_array() && answer.size() == 1 ? answer[0] : answer;
    return r;
  }
  // An early saas-18.x draft answered a bare string; 19 answers an object.
  const bool odoo_error = !answer.is_discarded() && (answer.is_object() || answer.is_string());
  if (!odoo_error) {
    r.outcome = Outcome::kHttp;
    r.detail = "HTTP " + std::to_string(http_status) + " from " + path + ": " + Excerpt(body);
    return r;
  }
  OdooError err;
  err.code = static_cast<int>(http_status);
  err.message = "HTTP " + std::to_string(http_status);
  if (answer.is_string()) {
    err.data_message = answer.get<std::string>();
  } else {
    err.name = StringAt(answer, "name");
    err.data_message = StringAt(answer, "message");
    err.debug = StringAt(answer, "debug");
    if (err.debug.size() > max_debug_bytes) {
      err.debug = "..." + err.debug.substr(err.debug.size() - max_debug_bytes);
    }
  }
  r.outcome = http_status == 401   ? Outcome::kAuth
              : http_status == 400 ? Outcome::kHttp
                                   : Outcome::kOdooError;
  r.detail = "HTTP " + std::to_string(http_status) + " " +
             (err.name.empty() ? std::string("error") : err.name) + ": " + err.data_message;
  r.error = std::move(err);
  return r;
}

}  // namespace odoo_prober::prober
