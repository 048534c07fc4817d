// JourneyResult: everything one run of one journey against one target produced.
//
// It is the single value that flows from the runner to every sink and report; it holds no
// secret (details are written by the client and runner, which never put credentials in them).
//
// Thread-safety: a value; copy it across threads.
#pragma once

#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "config/config.h"
#include "prober/odoo_client.h"
#include "prober/outcome.h"

namespace odoo_prober::results {

struct StepResult {
  std::string name;
  prober::Outcome outcome = prober::Outcome::kOk;
  prober::RpcTimings timings;
  // Why it failed; empty on success.
  std::string detail;
  // Odoo's exception class when Odoo answered with an error ("odoo.exceptions.UserError").
  std::string odoo_error;
  long http_status = 0;
  int attempts = 1;  // more than 1 with retry_until
  // The last call's connection: this prober's egress address and the server address.
  prober::Connection connection;
};

// A record the run created, and what its cleanup did. A cleanup is "ok" only when the record,
// read back afterwards, is gone or in one of its recipe's final states and passes the recipe's
// checks of related records.
struct RecordCleanup {
  std::string model;
  int64_t id = 0;
  std::string status;  // "ok", "failed", "not_run"
  std::string detail;  // the failing cleanup step and why
  std::string state;   // the state read back after the cleanup ("deleted" when gone; "" unknown)
};

// A probe record whose cleanup failed, which the daemon keeps and retries until it is read back
// final (runners/engine/leftovers.h): what /metrics and /status show of it.
struct LeftoverRecord {
  std::string target;
  config::Labels labels;  // the target's
  std::string model;
  int64_t id = 0;
  std::string journey, run_id;                  // the run that created it
  std::chrono::system_clock::time_point since;  // when its cleanup first failed
  int attempts = 0;                             // cleanups tried, the run's own included
  std::string detail;                           // why the last one failed
  std::chrono::system_clock::time_point next_try;
};

// A business field of a record the run created, read before its cleanup (`compare` asks for
// them; other runs read none). `index` numbers the run's records of one model from 1, in the
// order they were created, so that two environments' records pair up although their ids differ.
struct FieldValue {
  std::string model;
  int index = 1;
  int64_t id = 0;
  std::string field;
  nlohmann::json value;  // as Odoo answered it
};

struct JourneyResult {
  std::string run_id;
  std::string journey;     // the probe's id (journeys[].id, by default the definition's name)
  std::string definition;  // the journey definition's name; "" when it is `journey`
  std::string service;     // the business service the journey proves; "" when none
  std::string target;
  config::Labels labels;
  std::string instance;  // the prober instance that ran it (metric label `instance`)
  std::chrono::system_clock::time_point started_at;
  int64_t duration_us = 0;
  prober::Outcome outcome = prober::Outcome::kOk;
  // The step that failed; empty on success.
  std::string failed_step;
  std::string detail;
  // The API used ("jsonrpc", "web") and the server's major version (0 if unknown).
  std::string protocol;
  int server_major = 0;
  std::vector<StepResult> steps;
  std::vector<RecordCleanup> records;
  std::vector<FieldValue> fields;  // read for `compare` only
  // Stopped by the prober's own stop (SIGTERM, SIGINT): never started, or its steps cut short
  // (its records then still cleaned up, within the grace). The outcome says how it ended.
  bool cancelled = false;

  bool ok() const { return outcome == prober::Outcome::kOk; }
  // True when every record was cleaned up.
  bool CleanedUp() const;
  // The sum of the steps' phase timings.
  prober::RpcTimings TotalTimings() const;
  // The distinct connections of the steps, in order of first use: where the run egressed and
  // which server addresses it reached.
  std::vector<prober::Connection> Connections() const;
};

// One JSON object per result; the shape of `--output json` lines and the JSON-lines sink.
nlohmann::json ToJson(const JourneyResult& result);
// The inverse of ToJson. Fails on a malformed object.
prober::Result<JourneyResult> FromJson(const nlohmann::json& json);

// A human table: one line per journey × target, then one indented line per step.
std::string FormatTable(const std::vector<JourneyResult>& results);

}  // namespace odoo_prober::results
