// The stock guard: a probe must never move or reserve real stock.
//
// Odoo reserves goods that arrive for the deliveries already waiting for them: a probe's goods
// receipt of a product that keeps stock hands the goods to a customer's delivery, and the probe's
// return then has nothing to take back. A probe sales order reserves real stock while it lives,
// and a probe manufacturing order its components. So before a journey's first write (and in
// `validate --online`), every product of the journey's `stock:` list (scenarios/journey.h) is
// read, with the components of its bill of materials for `production`, and one that keeps stock
// (`is_storable` from Odoo 18 on, `type: product` before) is refused, naming the parameter, the
// product, what the journey would do to it and the moves already waiting for it, unless the
// config's journey entry says `stock_moves: allowed`.
//
// Only reads: one product search per entry, the bill of materials' lines for production, and,
// when refusing, the moves waiting for the product. Every call carries the target's probe
// company and the run's deadline.
//
// Thread-safety: a pure function of its arguments; the client is the caller's.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "config/config.h"
#include "prober/odoo_client.h"
#include "prober/outcome.h"
#include "scenarios/journey.h"

namespace odoo_prober::runners {

struct StockGuardResult {
  bool ok = true;
  // kAssertion when a product keeps stock; the outcome of a call that failed otherwise.
  prober::Outcome outcome = prober::Outcome::kOk;
  std::string param;           // the parameter naming the refused product
  std::string detail;          // why, and how to fix it
  prober::RpcTimings timings;  // the calls' time, summed
};

// Checks the products of `journey.stock` named by `params` (name -> value) on `client`, logged
// in. A product the parameters do not find is left to the journey's own lookup. Returns ok when
// none keeps stock.
StockGuardResult CheckStockUse(prober::OdooClient& client, const scenarios::Journey& journey,
                               const nlohmann::json& params, const config::TargetConfig& target,
                               prober::Deadline deadline);

}  // namespace odoo_prober::runners
