// How an answer of Odoo 19's JSON-2 API (/json/2/<model>/<method>) becomes an RpcResult.
//
// JSON-2 answers the bare return value with HTTP 200 (a method that returns None answers
// `null`), and an error as a JSON object {name, message, arguments, context, debug} with a real
// status. As the recordings of a real Odoo 19 show them:
//   401 (bad or missing API key)                               -> kAuth
//   403 (AccessError), 404 (unknown model or method, MissingError),
//   422 (UserError, ValidationError, arguments that do not bind),
//   500 (any other exception, ValueError for an unknown field)  -> kOdooError
//   400 (a body Odoo could not parse), 415 (wrong content type, an HTML page), any answer that
//   is not a JSON error object                                   -> kHttp
// Odoo's error class and message stay in RpcResult::error (name, data_message, debug).
//
// Thread-safety: a pure function.
#pragma once

#include <cstddef>
#include <string>

#include "prober/odoo_client.h"

namespace odoo_prober::prober {

// `path` names the route in details; `max_debug_bytes` bounds the kept traceback (its tail);
// `single_create`: the call was create() with one dict, whose id is unwrapped from JSON-2's
// list so journeys see what /jsonrpc answers.
RpcResult InterpretJson2Answer(long http_status, const std::string& body, const std::string& path,
                               std::size_t max_debug_bytes, bool single_create);

}  // namespace odoo_prober::prober
