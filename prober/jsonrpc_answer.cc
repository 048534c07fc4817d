#include "prober/jsonrpc_answer.h"

#include "prober/internal/excerpt.h"
#include "prober/internal/json_fields.h"

namespace odoo_prober::prober {
namespace {

using internal::Excerpt;
using internal::StringAt;
using nlohmann::json;

OdooError ParseError(const json& e, std::size_t max_debug_bytes) {
  OdooError err;
  if (!e.is_object()) {
    err.message = e.is_string() ? e.get<std::string>() : Excerpt(e.dump(), 500);
    return err;
  }
  if (auto code = e.find("code"); code != e.end() && code->is_number_integer()) {
    const auto value = code->get<int64_t>();
    err.code = value >= INT32_MIN && value <= INT32_MAX ? static_cast<int>(value) : 0;
  }
  err.message = StringAt(e, "message");
  if (auto d = e.find("data"); d != e.end() && d->is_object()) {
    err.name = StringAt(*d, "name");
    err.data_message = StringAt(*d, "message");
    err.debug = StringAt(*d, "debug");
    if (err.debug.size() > max_debug_bytes) {
      err.debug = "..." + err.debug.substr(err.debug.size() - max_debug_bytes);
    }
  }
  return err;
}

}  // namespace

RpcResult InterpretJsonRpcAnswer(long http_status, const std::string& body, const std::string& path,
                                 std::size_t max_debug_bytes) {
  RpcResult r;
  r.http_status = http_status;
  if (http_status != 200) {
    r.outcome = Outcome::kHttp;
    r.detail = "HTTP " + std::to_string(http_status) + " from " + path;
    if (!body.empty()) r.detail += ": " + Excerpt(body);
    return r;
  }
  json answer = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (answer.is_discarded() || !answer.is_object()) {
    r.outcome = Outcome::kHttp;
    r.detail = "answer from " + path + " is not a JSON-RPC object: " + Excerpt(body);
    return r;
  }
  if (auto it = answer.find("error"); it != answer.end() && !it->is_null()) {
    r.error = ParseError(*it, max_debug_bytes);
    const std::string& name = r.error->name;
    const bool auth = name == "odoo.exceptions.AccessDenied" ||
                      name == "odoo.http.SessionExpiredException" || r.error->code == 100;
    r.outcome = auth ? Outcome::kAuth : Outcome::kOdooError;
    r.detail = (name.empty() ? r.error->message : name) + ": " +
               (r.error->data_message.empty() ? r.error->message : r.error->data_message);
    return r;
  }
  // A method that returns None has no "result" member at all (docs/odoo-api.md, 2.4).
  if (auto it = answer.find("result"); it != answer.end()) r.result = std::move(*it);
  return r;
}

}  // namespace odoo_prober::prober
