// AdminHandler: the daemon's admin endpoints as a pure function from request to response, so
// they are tested without a socket. GET only:
//   /metrics   Prometheus text format
//   /healthz   200 while the process serves
//   /readyz    200 when the scheduler runs and every sink writes; 503 with the reason otherwise
//   /status, / the HTML status board
//   /status/pair?journey=J&target=T   one pair's last run, steps, phases and last failure
//
// Thread-safety: called from the HTTP server's threads; the metrics, board and readiness
// function must be thread-safe and outlive the handler.
#pragma once

#include <functional>
#include <string>

#include "prober/clock.h"
#include "results/metrics.h"
#include "results/status_board.h"
#include "runners/http/http_server.h"

namespace odoo_prober::runners {

struct Readiness {
  bool scheduling = false;     // the schedule runs (false while starting and stopping)
  bool sinks_healthy = false;  // every sink's last write succeeded
};

class AdminHandler {
 public:
  AdminHandler(const results::Metrics& metrics, const results::StatusBoard& board,
               const prober::Clock& clock, std::string instance,
               std::function<Readiness()> readiness)
      : metrics_(metrics),
        board_(board),
        clock_(clock),
        instance_(std::move(instance)),
        readiness_(std::move(readiness)) {}

  HttpResponse operator()(const HttpRequest& request) const;

 private:
  HttpResponse Ready() const;

  const results::Metrics& metrics_;
  const results::StatusBoard& board_;
  const prober::Clock& clock_;
  const std::string instance_;
  const std::function<Readiness()> readiness_;
};

}  // namespace odoo_prober::runners
