// JourneyRunner: interprets one Journey against one target and returns one JourneyResult.
//
// A run never throws and never returns a Status: whatever the target does (refuses the login,
// times out, answers garbage) ends up as an outcome in the result, with the failing step and a
// reason. Steps run in order under the journey's deadline (and their own); the first failing
// step ends the run. Then, always, every record the run registered is cleaned up in reverse
// order by its model's recipe, each with its own outcome in the result. Before the first step
// that writes, the products the journey moves or reserves (its `stock:` list) go through the
// stock guard (stock_guard.h): one that keeps stock ends the run, recorded as the step
// `stock_guard`, unless the config allows it.
//
// Thread-safety: Run() may be called from several threads at once; each call builds its own
// client. The clock, the catalog and the factory must outlive the runner.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "config/config.h"
#include "prober/clock.h"
#include "prober/odoo_client.h"
#include "prober/system.h"
#include "results/journey_result.h"
#include "scenarios/journey.h"

namespace odoo_prober::runners {

// What the config's journeys[] entry says about how its runs go.
struct RunSettings {
  // Overrides the journey's own timeout (the config's journeys[].timeout).
  std::optional<std::chrono::milliseconds> timeout;
  // `stock_moves: allowed`: the stock guard lets products that keep stock through.
  bool stock_moves_allowed = false;
  // The probe's id (journeys[].id) when it is not the journey's name: the result's `journey`.
  std::string id{};
};

class JourneyRunner {
 public:
  using ClientFactory = std::function<prober::Result<std::unique_ptr<prober::OdooClient>>(
      const prober::ClientOptions&)>;

  // `factory` builds one client per run (CreateCurlOdooClient in production).
  JourneyRunner(const prober::Clock& clock, const scenarios::Catalog& catalog,
                ClientFactory factory);

  // Runs `journey` against `target` with the journey's parameters resolved (`params`: name ->
  // value, defaults included). `run_id` identifies the run; records are tagged probe-<run_id>.
  results::JourneyResult Run(const scenarios::Journey& journey, const config::TargetConfig& target,
                             const nlohmann::json& params, const std::string& run_id,
                             const RunSettings& settings = {}) const;

  // With `on`, each run reads the journey's `compare:` fields of the records it created, after
  // its steps and before their cleanup, into JourneyResult::fields (one `read` per model, not
  // timed as a step). `compare` turns it on; scheduled runs read nothing more.
  void ReadCompareFields(bool on) { read_compare_fields_ = on; }

  // How a stop cuts runs short: `stop` is the cancel flag of the factory's clients (set, their
  // calls end at once: a hung step does not hold the stop up). A run whose steps failed with
  // `stop` set is `cancelled`, and its records are cleaned up over a fresh client from
  // `cleanup_factory` (logged in again), so that stopping leaves nothing behind.
  void SetStop(prober::CancelFlag stop, ClientFactory cleanup_factory) {
    stop_ = std::move(stop);
    cleanup_factory_ = std::move(cleanup_factory);
  }

  // Neutralises one record with its model's recipe, as cleanup and `sweep` do, then reads it
  // back: "ok" only when it is gone, or in one of the recipe's final states and passes the
  // recipe's verify steps; otherwise "failed" with the failing step or the state seen.
  results::RecordCleanup Neutralise(prober::OdooClient& client, const config::TargetConfig& target,
                                    const std::string& model, int64_t id, int odoo_version) const;

  // What `validate --online` learns from a journey without changing anything: its steps run on
  // `client` (logged in) up to the first one that would write, then the stock guard (unless
  // `stock_moves_allowed`); the first that fails names the parameters it depends on (directly
  // or through variables saved from them).
  struct Preflight {
    bool ok = true;
    std::string step;                 // the failing step
    std::string detail;               // why
    std::vector<std::string> params;  // the parameters it depends on
  };
  Preflight RunPreflight(const scenarios::Journey& journey, const config::TargetConfig& target,
                         const nlohmann::json& params, prober::OdooClient& client,
                         bool stock_moves_allowed = false) const;

  // The read-back alone: whether a record needs nothing more ("ok") or would need its recipe
  // ("failed", with why). `sweep` uses it on records that look final.
  results::RecordCleanup CheckCleanedUp(prober::OdooClient& client,
                                        const config::TargetConfig& target,
                                        const std::string& model, int64_t id,
                                        int odoo_version) const;

 private:
  // depth: how deep in recipes' cleanup steps this record is (bounded, against loops).
  results::RecordCleanup NeutraliseAt(prober::OdooClient& client,
                                      const config::TargetConfig& target, const std::string& model,
                                      int64_t id, int odoo_version, int depth,
                                      bool run_steps) const;

  // A run whose steps a stop cut short is marked cancelled; returns the client its cleanup
  // goes over (nullptr: the steps' own).
  std::unique_ptr<prober::OdooClient> WhenStopped(const config::TargetConfig& target,
                                                  bool has_records,
                                                  results::JourneyResult& result) const;

  // The journey's compare fields of the run's records (model, id in creation order).
  std::vector<results::FieldValue> ReadFields(
      prober::OdooClient& client, const scenarios::Journey& journey,
      const config::TargetConfig& target,
      const std::vector<std::pair<std::string, int64_t>>& records) const;

  const prober::Clock& clock_;
  const scenarios::Catalog& catalog_;
  ClientFactory factory_;
  bool read_compare_fields_ = false;
  prober::CancelFlag stop_;
  ClientFactory cleanup_factory_;
};

// A fresh run id: 12 lower-case hex digits.
std::string NewRunId(const prober::System& system = prober::RealSystem());

// The journey's parameters for one target: defaults, then the config's journeys[] entry, then
// the target's plant, then the target itself.
nlohmann::json ResolveParams(const scenarios::Journey& journey, const config::ProberConfig& config,
                             const config::JourneySelection& selection,
                             const config::TargetConfig& target);

}  // namespace odoo_prober::runners
