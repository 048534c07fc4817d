// How an answer of Odoo's JSON-RPC routes (/jsonrpc, /web/dataset/call_kw, /web/session/*)
// becomes an RpcResult: the envelope {"jsonrpc", "id", "result" | "error"}.
//
//   a status other than 200, a body that is not a JSON object        -> kHttp
//   "error" with odoo.exceptions.AccessDenied, a session expiry
//   (odoo.http.SessionExpiredException, code 100)                    -> kAuth
//   any other "error"                                                -> kOdooError
//   otherwise "result" (absent when the method returned None)        -> kOk
// Whatever the body holds (wrong types, huge or deep values), the answer is classified, never
// thrown: a server's answer is input, not trusted structure.
//
// Thread-safety: a pure function.
#pragma once

#include <cstddef>
#include <string>

#include "prober/odoo_client.h"

namespace odoo_prober::prober {

// `path` names the route in details; `max_debug_bytes` bounds the kept traceback (its tail).
RpcResult InterpretJsonRpcAnswer(long http_status, const std::string& body, const std::string& path,
                                 std::size_t max_debug_bytes);

}  // namespace odoo_prober::prober
