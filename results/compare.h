// The migration comparison (`odoo-prober compare`): the same journeys run against a baseline and
// a candidate environment, judged on three counts.
//
//   Functional parity  per journey, the candidate fails no more often than the baseline and in
//                      no new way; the business fields a journey declares (`compare:`) agree:
//                      numbers within a tolerance, names by pattern, x2many fields by count,
//                      many2one fields by display name. A failure names journey, record
//                      ("sale.order #1": the run's first order), field and both values.
//   Fingerprint        server version, installed modules and their versions, company currency
//                      and country, the probe user's language and time zone, the TLS chain's
//                      issuer and key. A difference fails unless the config expects it. Module
//                      versions are compared only between equal server versions (an upgrade
//                      changes them all); modules installed on one side only always count.
//   Latency            per journey and per step, over the successful runs: p50/p95/p99 on each
//                      side (linear interpolation between order statistics), the ratios of the
//                      candidate's to the baseline's p50 and p95, each with a percentile
//                      bootstrap 95 % interval (2,000 resamples of each side, seeded).
//                      Verdict against the budget B (default: candidate p95 <= 1.2 x baseline):
//                        regression    the interval's lower end is above B and the p95 grew by
//                                      more than `ignore_below` (default 5 ms)
//                        pass          the interval's upper end is at most B, or the p95 grew
//                                      by no more than `ignore_below`
//                        inconclusive  otherwise, with the runs per side likely to settle it
//                                      (the interval narrows as 1/sqrt(runs)).
//
// False positives: a check says "regression" only when the whole interval lies above the budget.
// At a true ratio equal to the budget that happens in about 2.5 % of comparisons (one side of a
// 95 % interval; the percentile bootstrap of a p95 from 20 runs is a little optimistic: 3.5 %
// measured); with no difference at all (ratio 1, 20 % below the budget) it is far rarer. The
// design's rate for a whole comparison without an injected difference is at most 5 % (one in
// 20), which tests/results/compare_test.cc checks over 200 synthetic comparisons (0.5 %
// measured) and tests/runners/compare_test.cc over 20 seeds against two emulators.
#pragma once

#include <chrono>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "prober/status.h"
#include "results/journey_result.h"

namespace odoo_prober::results {

// One business field a journey declares for comparison (scenarios' CompareField, as results
// sees it).
struct FieldRule {
  std::string model, field;
  double tolerance = 0;
  bool relative = false;
  std::string pattern;
};

// What one environment is, as far as an RPC user and a TLS handshake can tell.
struct Fingerprint {
  std::string error;           // why it could not be read (then only `tls` may be set)
  std::string server_version;  // "17.0", "saas~17.4+e"
  std::map<std::string, std::string> modules;  // installed: name -> version
  std::string currency, country, lang, tz;
  // TLS: "" for plain HTTP.
  std::string tls_issuer, tls_key;
  std::optional<std::chrono::system_clock::time_point> tls_expiry;
  std::string tls_leaf;  // the leaf certificate's SHA-256: a rotation changes it (not compared)
  bool https = false;
  // The Odoo API the side's calls went over ("web", "jsonrpc", "json2"; `auto` resolved): one
  // costs more per call than another, so latency is compared only over the same one.
  std::string protocol;
  // Items this fingerprint cannot tell, and why (a baseline from history, a list the probe user
  // may not read): not compared, and said so.
  std::map<std::string, std::string> unknown;
};

// The fingerprint items, as `compare.expect_different` names them.
const std::vector<std::string>& FingerprintItems();

struct CompareSettings {
  double budget = 1.2;                           // candidate p95 <= budget x baseline p95
  std::map<std::string, double> budgets;         // per journey
  std::chrono::microseconds ignore_below{5000};  // p95 slowdowns at most this never regress
  std::set<std::string> expect_different;        // fingerprint items
  std::set<std::string> expect_modules;          // modules whose difference is expected
  bool expect_all_modules = false;               // `modules` listed without names
  bool allow_protocol_change = false;            // judge latency across different protocols
  uint64_t seed = 1;                             // the bootstrap's (and the run order's)
  int resamples = 2000;
};

// kNotComparable: the sides spoke different protocols (see Fingerprint::protocol).
enum class Verdict { kPass, kInconclusive, kRegression, kNotComparable };
std::string_view VerdictName(Verdict v);

struct LatencyRow {
  std::string journey;
  std::string step;  // "" for the whole journey
  size_t baseline_runs = 0, candidate_runs = 0;
  double baseline_p50 = 0, baseline_p95 = 0, baseline_p99 = 0;  // seconds
  double candidate_p50 = 0, candidate_p95 = 0, candidate_p99 = 0;
  double ratio_p50 = 0, ratio_p50_low = 0, ratio_p50_high = 0;
  double ratio_p95 = 0, ratio_p95_low = 0, ratio_p95_high = 0;
  bool has_ratio = true;  // false when a side has no successful run: no ratio to show
  double budget = 1.2;
  Verdict verdict = Verdict::kPass;
  std::string why;
  size_t runs_to_settle = 0;  // inconclusive: runs per side likely to settle it
  std::vector<double> baseline_samples, candidate_samples;  // seconds, sorted
};

struct ParityRow {
  std::string journey;
  std::string check;   // "outcomes", or the field: "sale.order #1 amount_tax"
  std::string record;  // "sale.order #1" ("" for outcomes)
  std::string field;
  std::string baseline, candidate;  // the values, for people
  enum class Status { kSame, kDifferent, kNotCompared } status = Status::kSame;
  std::string detail;
};

struct FingerprintRow {
  std::string item;  // "server_version", "module sale_stock", "currency", ...
  std::string baseline, candidate;
  enum class Status { kSame, kDifferent, kExpected, kNotCompared } status = Status::kSame;
  std::string detail;
};

// "same", "different", "not_compared" (and "expected"): JSON values and HTML classes.
std::string_view StatusName(ParityRow::Status s);
std::string_view StatusName(FingerprintRow::Status s);

struct Comparison {
  std::string baseline, candidate;  // target names (the baseline's "from history" when so)
  bool baseline_from_history = false;
  uint64_t seed = 0;
  int rounds = 0;
  std::chrono::system_clock::time_point started_at, finished_at;
  std::vector<std::string> journeys;
  std::vector<LatencyRow> latency;  // per journey: the journey row, then its steps
  std::vector<ParityRow> parity;
  std::vector<FingerprintRow> fingerprint;
  std::vector<std::string> left_out;  // checks not made, and why

  bool LatencyRegressed() const;
  bool ParityFailed() const;        // a parity or fingerprint difference
  bool FingerprintDiffers() const;  // a fingerprint difference (not expected)
  bool Inconclusive() const;
  bool NotComparable() const;  // latency over different protocols, not allowed
  // What failed, as "a, b and c": "regression", "parity failure" (outcomes or fields),
  // "fingerprint difference"; then "latency not comparable" when so. Without a failure:
  // "not comparable", "inconclusive" or "pass".
  std::string Summary() const;
};

struct CompareInput {
  std::string baseline, candidate;
  bool baseline_from_history = false;
  std::vector<std::string> journeys;                    // in the order to report them
  std::map<std::string, std::vector<FieldRule>> rules;  // per journey
  std::vector<JourneyResult> baseline_runs, candidate_runs;
  Fingerprint baseline_fingerprint, candidate_fingerprint;
  int rounds = 0;
  std::chrono::system_clock::time_point started_at, finished_at;
};

Comparison Compare(const CompareInput& input, const CompareSettings& settings);

// The statistics underneath, for tests: the q-quantile (0..1) of sorted samples by linear
// interpolation between order statistics; the bootstrap interval of quantile ratio q.
double Quantile(const std::vector<double>& sorted, double q);
struct Interval {
  double low = 0, high = 0;
};
Interval BootstrapRatio(const std::vector<double>& baseline, const std::vector<double>& candidate,
                        double q, int resamples, uint64_t seed);

// A baseline from the SQLite history `run` writes: the runs of `target` (of `journeys`; all
// when empty) started at or after `since`, at most the latest `max_runs` of each journey, with
// their steps' latencies, and what the history tells of that environment: the major server version
// and the latest TLS check's expiry. The rest of the fingerprint is marked unknown. Fails
// (InvalidArgument, naming the file) when the file is not a history or holds no run of the target.
struct HistoryBaseline {
  std::vector<JourneyResult> runs;
  Fingerprint fingerprint;
};
prober::Result<HistoryBaseline> ReadHistoryBaseline(const std::string& path,
                                                    const std::string& target,
                                                    const std::vector<std::string>& journeys,
                                                    std::chrono::system_clock::time_point since,
                                                    size_t max_runs = 1000);

nlohmann::json CompareJson(const Comparison& c);
std::string CompareTable(const Comparison& c);
// JUnit XML: one test case per journey x check (outcomes, fields, latency) and one per
// fingerprint item; an inconclusive latency check is "skipped".
std::string CompareJUnit(const Comparison& c);
// One self-contained HTML page (inline CSS and SVG, no script, nothing fetched): the verdict,
// both latency distributions overlaid per journey, the parity diff and the fingerprints side by
// side.
std::string CompareHtml(const Comparison& c);

}  // namespace odoo_prober::results
