// Fuzz target: what a server answers, through the JSON-RPC and the JSON-2 interpreters. The
// first byte picks the HTTP status; the rest is the body. Classified, never thrown.
#include <cstddef>
#include <cstdint>
#include <string>

#include "prober/json2_answer.h"
#include "prober/jsonrpc_answer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  static constexpr long kStatuses[] = {200, 200, 200, 200, 400, 401, 403, 404,
                                       415, 422, 500, 502, 503, 504, 301, 0};
  const long status = kStatuses[data[0] % (sizeof kStatuses / sizeof kStatuses[0])];
  const std::string body(reinterpret_cast<const char*>(data + 1), size - 1);
  using namespace odoo_prober::prober;
  const RpcResult a = InterpretJsonRpcAnswer(status, body, "/jsonrpc", 64);
  if (a.error && a.error->debug.size() > 64 + 3) __builtin_trap();  // the traceback is bounded
  const RpcResult b =
      InterpretJson2Answer(status, body, "/json/2/res.partner/read", 64, (data[0] & 0x80) != 0);
  (void)OutcomeName(a.outcome);
  (void)OutcomeName(b.outcome);
  return 0;
}
