// The migration comparison's judgement (results/compare.h): statistics, parity, fingerprint.
#include "results/compare.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <random>
#include <regex>
#include <sstream>

#include "prober/text.h"
#include "results/junit.h"
#include "results/markup.h"

namespace odoo_prober::results {

using nlohmann::json;

const std::vector<std::string>& FingerprintItems() {
  static const std::vector<std::string> items = {"server_version", "modules",   "currency",
                                                 "country",        "user_lang", "user_tz",
                                                 "tls_issuer",     "tls_key"};
  return items;
}

std::string_view VerdictName(Verdict v) {
  switch (v) {
    case Verdict::kPass:
      return "pass";
    case Verdict::kInconclusive:
      return "inconclusive";
    case Verdict::kRegression:
      return "regression";
    case Verdict::kNotComparable:
      return "not comparable";
  }
  return "pass";
}

double Quantile(const std::vector<double>& sorted, double q) {
  if (sorted.empty()) return 0;
  const double h = (static_cast<double>(sorted.size()) - 1) * std::clamp(q, 0.0, 1.0);
  const auto lo = static_cast<size_t>(std::floor(h));
  const size_t hi = std::min(lo + 1, sorted.size() - 1);
  return sorted[lo] + (h - static_cast<double>(lo)) * (sorted[hi] - sorted[lo]);
}

Interval BootstrapRatio(const std::vector<double>& baseline, const std::vector<double>& candidate,
                        double q, int resamples, uint64_t seed) {
  if (baseline.empty() || candidate.empty() || resamples <= 0) return {};
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<size_t> pick_b(0, baseline.size() - 1);
  std::uniform_int_distribution<size_t> pick_c(0, candidate.size() - 1);
  std::vector<double> ratios, b(baseline.size()), c(candidate.size());
  ratios.reserve(static_cast<size_t>(resamples));
  for (int i = 0; i < resamples; ++i) {
    for (auto& x : b) x = baseline[pick_b(rng)];
    for (auto& x : c) x = candidate[pick_c(rng)];
    std::sort(b.begin(), b.end());
    std::sort(c.begin(), c.end());
    const double qb = Quantile(b, q);
    ratios.push_back(qb > 0 ? Quantile(c, q) / qb : (Quantile(c, q) > 0 ? 1e9 : 1.0));
  }
  std::sort(ratios.begin(), ratios.end());
  return {Quantile(ratios, 0.025), Quantile(ratios, 0.975)};
}

namespace {

constexpr size_t kMinRuns = 5;

uint64_t Mix(uint64_t seed, const std::string& s) {
  return seed ^ (std::hash<std::string>{}(s)*0x9e3779b97f4a7c15ULL);
}

bool Failed(const JourneyResult& r) { return !r.ok() || !r.CleanedUp(); }

std::string Ms(double seconds) { return prober::FormatFixed(seconds * 1000, 1) + " ms"; }

// The verdict of a row with enough runs: its p95 ratio's interval against the budget, slowdowns
// below the noise floor ignored; an interval that straddles the budget says how many runs
// per side would settle it.
void Verdict95(LatencyRow& row, const Interval& i95, double budget, size_t runs,
               const CompareSettings& s) {
  const double slower = row.candidate_p95 - row.baseline_p95;
  const double floor = std::chrono::duration<double>(s.ignore_below).count();
  const std::string interval = "p95 ratio " + prober::FormatFixed(row.ratio_p95, 2) + " [" +
                               prober::FormatFixed(i95.low, 2) + ", " +
                               prober::FormatFixed(i95.high, 2) + "]";
  if (slower <= floor) {
    row.verdict = Verdict::kPass;
    row.why = "p95 " + (slower <= 0 ? "not slower" : "slower by only " + Ms(slower)) +
              " (at most " + Ms(floor) + " is ignored)";
  } else if (i95.high <= budget) {
    row.verdict = Verdict::kPass;
    row.why = interval + " within the budget " + prober::FormatFixed(budget, 2);
  } else if (i95.low > budget) {
    row.verdict = Verdict::kRegression;
    row.why =
        interval + " above the budget " + prober::FormatFixed(budget, 2) + ", p95 +" + Ms(slower);
  } else {
    row.verdict = Verdict::kInconclusive;
    const double half = (i95.high - i95.low) / 2;
    const double distance = std::max(std::abs(row.ratio_p95 - budget), 0.01 * budget);
    const double n = static_cast<double>(runs);
    const double needed = std::ceil(n * std::pow(half / distance, 2));
    row.runs_to_settle = static_cast<size_t>(std::clamp(needed, n + 1, 100000.0));
    row.why = interval + " straddles the budget " + prober::FormatFixed(budget, 2) + "; about " +
              std::to_string(row.runs_to_settle) + " runs per side would settle it";
  }
}

LatencyRow Judge(std::string journey, std::string step, std::vector<double> b,
                 std::vector<double> c, double budget, const CompareSettings& s) {
  LatencyRow row;
  row.journey = std::move(journey);
  row.step = std::move(step);
  row.budget = budget;
  std::sort(b.begin(), b.end());
  std::sort(c.begin(), c.end());
  row.baseline_runs = b.size();
  row.candidate_runs = c.size();
  row.baseline_p50 = Quantile(b, 0.5);
  row.baseline_p95 = Quantile(b, 0.95);
  row.baseline_p99 = Quantile(b, 0.99);
  row.candidate_p50 = Quantile(c, 0.5);
  row.candidate_p95 = Quantile(c, 0.95);
  row.candidate_p99 = Quantile(c, 0.99);
  auto ratio = [](double cand, double base) {
    return base > 0 ? cand / base : (cand > 0 ? 1e9 : 1.0);
  };
  row.ratio_p50 = ratio(row.candidate_p50, row.baseline_p50);
  row.ratio_p95 = ratio(row.candidate_p95, row.baseline_p95);
  row.baseline_samples = b;
  row.candidate_samples = c;
  if (b.empty() || c.empty()) {
    row.has_ratio = false;
    row.ratio_p50 = row.ratio_p95 = 0;
    row.verdict = Verdict::kInconclusive;
    row.why = b.empty() && c.empty() ? "no success on either side"
              : b.empty()            ? "no baseline success"
                                     : "no candidate success";
    row.runs_to_settle = kMinRuns;
    return row;
  }
  if (b.size() < kMinRuns || c.size() < kMinRuns) {
    row.verdict = Verdict::kInconclusive;
    row.why = "fewer than " + std::to_string(kMinRuns) + " successful runs on a side";
    row.runs_to_settle = kMinRuns;
    return row;
  }
  const uint64_t seed = Mix(s.seed, row.journey + "/" + row.step);
  const Interval i50 = BootstrapRatio(b, c, 0.5, s.resamples, seed);
  const Interval i95 = BootstrapRatio(b, c, 0.95, s.resamples, seed + 1);
  row.ratio_p50_low = i50.low;
  row.ratio_p50_high = i50.high;
  row.ratio_p95_low = i95.low;
  row.ratio_p95_high = i95.high;
  Verdict95(row, i95, budget, std::min(b.size(), c.size()), s);
  return row;
}

// Step latencies by step name, of the successful runs, in the order steps first appear.
std::vector<std::pair<std::string, std::vector<double>>> StepSamples(
    const std::vector<const JourneyResult*>& runs) {
  std::vector<std::pair<std::string, std::vector<double>>> out;
  for (const auto* r : runs) {
    for (const auto& s : r->steps) {
      auto it =
          std::find_if(out.begin(), out.end(), [&](const auto& e) { return e.first == s.name; });
      if (it == out.end()) it = out.insert(out.end(), {s.name, {}});
      it->second.push_back(static_cast<double>(s.timings.total_us) / 1e6);
    }
  }
  return out;
}

// Latency over different protocols says more about the protocols than the environments: the
// verdicts become "not comparable", with why and how to compare like with like, unless the
// config allows the change. `protocols` is "" when both sides spoke the same.
void JudgeLatency(const std::string& journey, const std::vector<const JourneyResult*>& b,
                  const std::vector<const JourneyResult*>& c, const CompareSettings& s,
                  const std::string& protocols, Comparison& out) {
  const size_t first = out.latency.size();
  const auto budget_it = s.budgets.find(journey);
  const double budget = budget_it != s.budgets.end() ? budget_it->second : s.budget;
  std::vector<double> bd, cd;
  for (const auto* r : b) bd.push_back(static_cast<double>(r->duration_us) / 1e6);
  for (const auto* r : c) cd.push_back(static_cast<double>(r->duration_us) / 1e6);
  out.latency.push_back(Judge(journey, "", bd, cd, budget, s));
  const auto bs = StepSamples(b), cs = StepSamples(c);
  for (const auto& [step, samples] : bs) {
    // An init-capture: clang 14 cannot capture a structured binding.
    auto it = std::find_if(cs.begin(), cs.end(),
                           [&name = step](const auto& e) { return e.first == name; });
    if (it == cs.end()) continue;  // a version variant's step: only on one side
    out.latency.push_back(Judge(journey, step, samples, it->second, budget, s));
  }
  if (protocols.empty() || s.allow_protocol_change) return;
  for (size_t i = first; i < out.latency.size(); ++i) {
    LatencyRow& row = out.latency[i];
    if (!row.has_ratio) continue;
    row.verdict = Verdict::kNotComparable;
    row.why = protocols +
              ": each protocol costs differently per call; give both targets the same protocol: "
              "(e.g. jsonrpc) to compare like with like, or set compare.allow_protocol_change: "
              "true to judge it anyway";
  }
}

// The protocols a side's runs spoke ("web", "jsonrpc+json2" when they changed), else what its
// fingerprint says.
std::string SideProtocol(const std::vector<JourneyResult>& runs, const Fingerprint& f) {
  std::set<std::string> seen;
  for (const auto& r : runs)
    if (!r.protocol.empty() && r.protocol != "auto") seen.insert(r.protocol);
  if (seen.empty()) return f.protocol;
  return prober::Join({seen.begin(), seen.end()}, "+");
}

std::string FailureKind(const JourneyResult& r) {
  if (!r.ok()) return std::string(prober::OutcomeName(r.outcome)) + " at " + r.failed_step;
  return "cleanup failed";
}

std::string OutcomeText(const std::vector<const JourneyResult*>& runs,
                        std::map<std::string, int>& kinds) {
  size_t ok = 0;
  for (const auto* r : runs) {
    if (Failed(*r)) {
      ++kinds[FailureKind(*r)];
    } else {
      ++ok;
    }
  }
  std::string text = std::to_string(ok) + "/" + std::to_string(runs.size()) + " ok";
  for (const auto& [kind, n] : kinds) text += ", " + std::to_string(n) + " " + kind;
  return text;
}

void JudgeOutcomes(const std::string& journey, const std::vector<const JourneyResult*>& b,
                   const std::vector<const JourneyResult*>& c, Comparison& out) {
  ParityRow row;
  row.journey = journey;
  row.check = "outcomes";
  std::map<std::string, int> bk, ck;
  row.baseline = OutcomeText(b, bk);
  row.candidate = OutcomeText(c, ck);
  auto failed = [](const std::map<std::string, int>& k) {
    int n = 0;
    for (const auto& [kind, count] : k) n += count;
    return n;
  };
  const double b_share = b.empty() ? 0 : failed(bk) / static_cast<double>(b.size());
  const double c_share = c.empty() ? 0 : failed(ck) / static_cast<double>(c.size());
  std::vector<std::string> new_kinds;
  for (const auto& [kind, n] : ck)
    if (!bk.count(kind)) new_kinds.push_back(kind);
  if (c.empty()) {
    row.status = ParityRow::Status::kNotCompared;
    row.detail = "the candidate made no run";
  } else if (!new_kinds.empty()) {
    row.status = ParityRow::Status::kDifferent;
    row.detail = "the candidate fails where the baseline does not: " + new_kinds.front();
  } else if (c_share > b_share) {
    row.status = ParityRow::Status::kDifferent;
    row.detail = "the candidate fails more often (" + prober::FormatPercent(c_share) + " vs " +
                 prober::FormatPercent(b_share) + ")";
  } else if (!bk.empty()) {
    row.detail = "the baseline fails too";
  }
  out.parity.push_back(std::move(row));
}

// A field's value as compared: x2many ids -> their count, many2one [id, name] -> the name.
json Normal(const json& v) {
  if (v.is_array()) {
    if (v.size() == 2 && v[0].is_number_integer() && v[1].is_string()) return v[1];
    return static_cast<int64_t>(v.size());
  }
  return v;
}

std::string Show(const json& v) {
  return v.is_string() ? v.get<std::string>() : prober::DumpJson(v);
}

struct SideValues {
  std::map<std::string, int> counts;  // Show(Normal(value)) -> runs
  std::vector<json> values;           // normalised, in run order
  int64_t example_id = 0;
};

SideValues Collect(const std::vector<const JourneyResult*>& runs, const FieldRule& rule,
                   int index) {
  SideValues out;
  for (const auto* r : runs) {
    for (const auto& f : r->fields) {
      if (f.model != rule.model || f.field != rule.field || f.index != index) continue;
      const json v = Normal(f.value);
      ++out.counts[Show(v)];
      out.values.push_back(v);
      if (out.example_id == 0) out.example_id = f.id;
    }
  }
  return out;
}

// The most frequent value of a side (the first seen among equals).
json Mode(const SideValues& s) {
  int best = 0;
  json mode;
  for (const auto& v : s.values) {
    const int n = s.counts.at(Show(v));
    if (n > best) {
      best = n;
      mode = v;
    }
  }
  return mode;
}

// A side's value for people: the most frequent, or an example when runs differ (names).
std::string WithVariants(const SideValues& s, const json& mode) {
  if (s.counts.size() <= 1) return Show(mode);
  return "e.g. " + Show(s.values.front()) + " (" + std::to_string(s.counts.size()) + " values)";
}

// Judges a field both sides read: by its pattern, within its tolerance (numbers), or equal.
void JudgeValues(const FieldRule& rule, const SideValues& bv, const SideValues& cv,
                 ParityRow& row) {
  const json bm = Mode(bv), cm = Mode(cv);
  row.baseline = WithVariants(bv, bm);
  row.candidate = WithVariants(cv, cm);
  const std::string ids =
      " (ids " + std::to_string(bv.example_id) + " and " + std::to_string(cv.example_id) + ")";
  if (!rule.pattern.empty()) {
    const std::regex re(rule.pattern);
    for (const auto* side : {&bv, &cv}) {
      for (const auto& v : side->values) {
        if (v.is_string() && std::regex_search(v.get<std::string>(), re)) continue;
        row.status = ParityRow::Status::kDifferent;
        row.detail = std::string(side == &bv ? "baseline" : "candidate") + " value " + Show(v) +
                     " does not match " + rule.pattern + ids;
        break;
      }
      if (row.status == ParityRow::Status::kDifferent) break;
    }
    if (row.status == ParityRow::Status::kSame) row.detail = "both match " + rule.pattern;
  } else if (bm.is_number() && cm.is_number()) {
    const double x = bm.get<double>(), y = cm.get<double>();
    const double allowed = rule.relative ? rule.tolerance * std::abs(x) : rule.tolerance;
    if (std::abs(x - y) > allowed + 1e-12) {
      row.status = ParityRow::Status::kDifferent;
      row.detail = "differs by " + prober::FormatFixed(std::abs(x - y), 4) + " (tolerance " +
                   (rule.relative ? prober::FormatPercent(rule.tolerance)
                                  : prober::FormatFixed(rule.tolerance, 4)) +
                   ")" + ids;
    }
  } else if (Show(bm) != Show(cm)) {
    row.status = ParityRow::Status::kDifferent;
    row.detail = "differs" + ids;
  }
}

void JudgeFields(const std::string& journey, const std::vector<FieldRule>& rules,
                 const std::vector<const JourneyResult*>& b,
                 const std::vector<const JourneyResult*>& c, Comparison& out) {
  // Records are numbered per model within a run; compare as many as either side created.
  std::map<std::string, int> records;
  for (const auto* side : {&b, &c})
    for (const auto* r : *side)
      for (const auto& f : r->fields) records[f.model] = std::max(records[f.model], f.index);
  for (const auto& rule : rules) {
    for (int index = 1; index <= std::max(1, records[rule.model]); ++index) {
      ParityRow row;
      row.journey = journey;
      row.record = rule.model + " #" + std::to_string(index);
      row.field = rule.field;
      row.check = row.record + " " + rule.field;
      const SideValues bv = Collect(b, rule, index), cv = Collect(c, rule, index);
      if (bv.values.empty() || cv.values.empty()) {
        row.status = ParityRow::Status::kNotCompared;
        row.baseline = bv.values.empty() ? "-" : Show(Mode(bv));
        row.candidate = cv.values.empty() ? "-" : Show(Mode(cv));
        row.detail = std::string("no value read on the ") +
                     (bv.values.empty() ? "baseline" : "candidate") +
                     " (no successful run created the record)";
        out.parity.push_back(std::move(row));
        continue;
      }
      JudgeValues(rule, bv, cv, row);
      out.parity.push_back(std::move(row));
    }
  }
}

std::string Expiry(const Fingerprint& f) {
  return f.tls_expiry ? prober::FormatUtc(*f.tls_expiry, "%Y-%m-%d") : "";
}

std::string Installed(const Fingerprint& f) {
  return std::to_string(f.modules.size()) + " installed";
}

// The fingerprint's rows, each judged: not compared when a side does not know the item,
// expected when the config says so (compare.expect_different), else same or different.
class FingerprintRows {
 public:
  FingerprintRows(const Fingerprint& b, const Fingerprint& c, const CompareSettings& s,
                  Comparison& out)
      : b_(b), c_(c), s_(s), out_(out) {}

  void Add(const std::string& item, const std::string& key, const std::string& bv,
           const std::string& cv, bool compare = true, std::string detail = "") {
    FingerprintRow row{item, bv, cv, FingerprintRow::Status::kSame, std::move(detail)};
    const auto bu = b_.unknown.find(key), cu = c_.unknown.find(key);
    if (!compare || bu != b_.unknown.end() || cu != c_.unknown.end()) {
      row.status = FingerprintRow::Status::kNotCompared;
      if (bu != b_.unknown.end()) row.detail = "baseline: " + bu->second;
      if (cu != c_.unknown.end()) row.detail = "candidate: " + cu->second;
    } else if (bv != cv) {
      const bool expected =
          s_.expect_different.count(key) > 0 ||
          (key == "modules" && (s_.expect_all_modules || s_.expect_modules.count(item.substr(7))));
      row.status =
          expected ? FingerprintRow::Status::kExpected : FingerprintRow::Status::kDifferent;
      if (row.detail.empty()) row.detail = expected ? "expected (compare.expect_different)" : "";
    }
    out_.fingerprint.push_back(std::move(row));
  }

  // One row per module that differs (versions only within one server version: an upgrade
  // changes every module's), then the summary, as bad as the worst module row.
  void Modules(bool same_series) {
    std::set<std::string> names;
    for (const auto& [m, v] : b_.modules) names.insert(m);
    for (const auto& [m, v] : c_.modules) names.insert(m);
    size_t alike = 0;
    for (const auto& m : names) {
      const auto bi = b_.modules.find(m), ci = c_.modules.find(m);
      const std::string bv = bi == b_.modules.end() ? "not installed" : bi->second;
      const std::string cv = ci == c_.modules.end() ? "not installed" : ci->second;
      const bool presence_differs = (bi == b_.modules.end()) != (ci == c_.modules.end());
      if (bv == cv || (!presence_differs && !same_series)) {
        ++alike;
        continue;
      }
      Add("module " + m, "modules", bv, cv);
    }
    auto status = FingerprintRow::Status::kSame;
    for (const auto& r : out_.fingerprint) {
      if (r.item.rfind("module ", 0) != 0) continue;
      if (r.status == FingerprintRow::Status::kDifferent) status = r.status;
      if (r.status == FingerprintRow::Status::kExpected && status == FingerprintRow::Status::kSame)
        status = r.status;
    }
    out_.fingerprint.push_back(
        {"modules", Installed(b_), Installed(c_), status,
         std::to_string(alike) + " alike" +
             (same_series ? "" : " (versions not compared across server versions)")});
  }

 private:
  const Fingerprint& b_;
  const Fingerprint& c_;
  const CompareSettings& s_;
  Comparison& out_;
};

void JudgeFingerprint(const Fingerprint& b, const Fingerprint& c, const CompareSettings& s,
                      Comparison& out) {
  FingerprintRows rows(b, c, s, out);
  // The protocol each side's calls went over: a change is allowed only when the config says so,
  // and then latency is judged across it.
  FingerprintRow protocol{"protocol", b.protocol.empty() ? "-" : b.protocol,
                          c.protocol.empty() ? "-" : c.protocol, FingerprintRow::Status::kSame, ""};
  if (b.protocol.empty() || c.protocol.empty()) {
    protocol.status = FingerprintRow::Status::kNotCompared;
    protocol.detail = "unknown on a side";
  } else if (b.protocol != c.protocol && s.allow_protocol_change) {
    protocol.status = FingerprintRow::Status::kExpected;
    protocol.detail = "allowed (compare.allow_protocol_change): latency judged across protocols";
  } else if (b.protocol != c.protocol) {
    protocol.status = FingerprintRow::Status::kDifferent;
    protocol.detail =
        "latency not comparable; give both targets the same protocol:, or set "
        "compare.allow_protocol_change: true";
  }
  out.fingerprint.push_back(std::move(protocol));
  if (!b.error.empty() || !c.error.empty()) {
    out.fingerprint.push_back(
        {"fingerprint", b.error.empty() ? "read" : "not read",
         c.error.empty() ? "read" : "not read", FingerprintRow::Status::kDifferent,
         !c.error.empty() ? "candidate: " + c.error : "baseline: " + b.error});
  }
  if (b.error.empty() && c.error.empty()) {
    const std::string& series_b = b.server_version;
    const std::string& series_c = c.server_version;
    // From history only the major version is known: compare that much.
    rows.Add("server_version", "server_version", series_b,
             b.unknown.count("server_version_minor") ? series_c.substr(0, series_c.find('.'))
                                                     : series_c);
    if (b.unknown.count("modules") || c.unknown.count("modules")) {
      rows.Add("modules", "modules", b.unknown.count("modules") ? "-" : Installed(b),
               c.unknown.count("modules") ? "-" : Installed(c));
    } else {
      rows.Modules(series_b == series_c);
    }
    rows.Add("currency", "currency", b.currency, c.currency);
    rows.Add("country", "country", b.country, c.country);
    rows.Add("user_lang", "user_lang", b.lang, c.lang);
    rows.Add("user_tz", "user_tz", b.tz, c.tz);
  }
  rows.Add("tls_issuer", "tls_issuer", b.https ? b.tls_issuer : "(http)",
           c.https ? c.tls_issuer : "(http)");
  rows.Add("tls_key", "tls_key", b.https ? b.tls_key : "(http)", c.https ? c.tls_key : "(http)");
  rows.Add("tls_expiry", "tls_expiry", Expiry(b), Expiry(c), false, "shown, not compared");
}

}  // namespace

Comparison Compare(const CompareInput& in, const CompareSettings& s) {
  Comparison out;
  out.baseline = in.baseline;
  out.candidate = in.candidate;
  out.baseline_from_history = in.baseline_from_history;
  out.seed = s.seed;
  out.rounds = in.rounds;
  out.started_at = in.started_at;
  out.finished_at = in.finished_at;
  out.journeys = in.journeys;
  Fingerprint bf = in.baseline_fingerprint, cf = in.candidate_fingerprint;
  bf.protocol = SideProtocol(in.baseline_runs, bf);
  cf.protocol = SideProtocol(in.candidate_runs, cf);
  const bool protocols_differ =
      !bf.protocol.empty() && !cf.protocol.empty() && bf.protocol != cf.protocol;
  const std::string protocols =
      protocols_differ ? "the baseline spoke " + bf.protocol + ", the candidate " + cf.protocol
                       : "";
  for (const auto& journey : in.journeys) {
    std::vector<const JourneyResult*> b, c, b_ok, c_ok;
    for (const auto& r : in.baseline_runs) {
      if (r.journey != journey) continue;
      b.push_back(&r);
      if (!Failed(r)) b_ok.push_back(&r);
    }
    for (const auto& r : in.candidate_runs) {
      if (r.journey != journey) continue;
      c.push_back(&r);
      if (!Failed(r)) c_ok.push_back(&r);
    }
    JudgeOutcomes(journey, b, c, out);
    const auto rules = in.rules.find(journey);
    if (rules != in.rules.end() && !rules->second.empty()) {
      if (in.baseline_from_history) {
        std::string fields;
        for (const auto& r : rules->second)
          fields += (fields.empty() ? "" : ", ") + r.model + " " + r.field;
        out.left_out.push_back(journey + ": field parity (" + fields +
                               "): the history keeps no record fields");
      } else {
        JudgeFields(journey, rules->second, b_ok, c_ok, out);
      }
    }
    JudgeLatency(journey, b_ok, c_ok, s, protocols, out);
  }
  JudgeFingerprint(bf, cf, s, out);
  for (const auto* side : {&in.baseline_fingerprint, &in.candidate_fingerprint}) {
    for (const auto& [item, why] : side->unknown) {
      out.left_out.push_back((side == &in.baseline_fingerprint ? "baseline " : "candidate ") +
                             item + ": " + why);
    }
  }
  return out;
}

bool Comparison::LatencyRegressed() const {
  return std::any_of(latency.begin(), latency.end(),
                     [](const auto& r) { return r.verdict == Verdict::kRegression; });
}

bool Comparison::ParityFailed() const {
  return std::any_of(parity.begin(), parity.end(),
                     [](const auto& r) { return r.status == ParityRow::Status::kDifferent; }) ||
         std::any_of(fingerprint.begin(), fingerprint.end(),
                     [](const auto& r) { return r.status == FingerprintRow::Status::kDifferent; });
}

bool Comparison::FingerprintDiffers() const {
  return std::any_of(fingerprint.begin(), fingerprint.end(),
                     [](const auto& r) { return r.status == FingerprintRow::Status::kDifferent; });
}

bool Comparison::Inconclusive() const {
  return std::any_of(latency.begin(), latency.end(),
                     [](const auto& r) { return r.verdict == Verdict::kInconclusive; });
}

bool Comparison::NotComparable() const {
  return std::any_of(latency.begin(), latency.end(),
                     [](const auto& r) { return r.verdict == Verdict::kNotComparable; });
}

std::string Comparison::Summary() const {
  std::vector<std::string> failed;
  if (LatencyRegressed()) failed.push_back("regression");
  if (std::any_of(parity.begin(), parity.end(),
                  [](const auto& r) { return r.status == ParityRow::Status::kDifferent; }))
    failed.push_back("parity failure");
  if (FingerprintDiffers()) failed.push_back("fingerprint difference");
  if (!failed.empty()) {
    std::string text = failed.back();  // "a", "a and b", "a, b and c"
    if (failed.size() > 1) {
      failed.pop_back();
      text = prober::Join(failed, ", ") + " and " + text;
    }
    if (NotComparable()) text += "; latency not comparable";
    return text;
  }
  if (NotComparable()) return "not comparable";
  if (Inconclusive()) return "inconclusive";
  return "pass";
}

std::string_view StatusName(ParityRow::Status s) {
  switch (s) {
    case ParityRow::Status::kSame:
      return "same";
    case ParityRow::Status::kDifferent:
      return "different";
    case ParityRow::Status::kNotCompared:
      return "not_compared";
  }
  return "same";
}

std::string_view StatusName(FingerprintRow::Status s) {
  switch (s) {
    case FingerprintRow::Status::kSame:
      return "same";
    case FingerprintRow::Status::kDifferent:
      return "different";
    case FingerprintRow::Status::kExpected:
      return "expected";
    case FingerprintRow::Status::kNotCompared:
      return "not_compared";
  }
  return "same";
}

namespace {

std::string Iso(std::chrono::system_clock::time_point t) {
  return prober::FormatUtc(t, "%Y-%m-%dT%H:%M:%SZ");
}

// `s` left-aligned in `width` columns, at least one space after it.
std::string Pad(std::string s, size_t width) {
  s.append(s.size() < width ? width - s.size() : 1, ' ');
  return s;
}

}  // namespace

json CompareJson(const Comparison& c) {
  json latency = json::array();
  for (const auto& r : c.latency) {
    json row = {{"journey", r.journey},
                {"step", r.step.empty() ? json() : json(r.step)},
                {"runs", {{"baseline", r.baseline_runs}, {"candidate", r.candidate_runs}}},
                {"baseline_seconds",
                 {{"p50", r.baseline_p50}, {"p95", r.baseline_p95}, {"p99", r.baseline_p99}}},
                {"candidate_seconds",
                 {{"p50", r.candidate_p50}, {"p95", r.candidate_p95}, {"p99", r.candidate_p99}}},
                {"ratio_p50", r.has_ratio ? json{{"value", r.ratio_p50},
                                                 {"ci95", {r.ratio_p50_low, r.ratio_p50_high}}}
                                          : json()},
                {"ratio_p95", r.has_ratio ? json{{"value", r.ratio_p95},
                                                 {"ci95", {r.ratio_p95_low, r.ratio_p95_high}}}
                                          : json()},
                {"budget", r.budget},
                {"verdict", VerdictName(r.verdict)},
                {"why", r.why}};
    if (r.verdict == Verdict::kInconclusive) row["runs_to_settle"] = r.runs_to_settle;
    latency.push_back(std::move(row));
  }
  json parity = json::array();
  for (const auto& r : c.parity) {
    json row = {{"journey", r.journey},           {"check", r.check},
                {"baseline", r.baseline},         {"candidate", r.candidate},
                {"status", StatusName(r.status)}, {"detail", r.detail}};
    if (!r.record.empty()) {
      row["record"] = r.record;
      row["field"] = r.field;
    }
    parity.push_back(std::move(row));
  }
  json fingerprint = json::array();
  for (const auto& r : c.fingerprint) {
    fingerprint.push_back({{"item", r.item},
                           {"baseline", r.baseline},
                           {"candidate", r.candidate},
                           {"status", StatusName(r.status)},
                           {"detail", r.detail}});
  }
  return {{"baseline", c.baseline},
          {"baseline_from_history", c.baseline_from_history},
          {"candidate", c.candidate},
          {"seed", c.seed},
          {"rounds", c.rounds},
          {"started_at", Iso(c.started_at)},
          {"finished_at", Iso(c.finished_at)},
          {"verdict", c.Summary()},
          {"journeys", c.journeys},
          {"latency", std::move(latency)},
          {"parity", std::move(parity)},
          {"fingerprint", std::move(fingerprint)},
          {"left_out", c.left_out}};
}

std::string CompareTable(const Comparison& c) {
  std::ostringstream o;
  o << "compare " << c.baseline << (c.baseline_from_history ? " (history)" : "") << " -> "
    << c.candidate << ": " << c.rounds << " rounds, seed " << c.seed << "\n\n";
  o << Pad("LATENCY", 44) << Pad("runs", 9) << Pad("p50 base/cand ms", 19)
    << Pad("p95 base/cand ms", 19) << Pad("p95 ratio [95% CI]", 22) << "verdict\n";
  for (const auto& r : c.latency) {
    const std::string name = r.step.empty() ? r.journey : "  " + r.step;
    const auto ms = [](double s) { return prober::FormatFixed(s * 1000, 1); };
    o << Pad(name, 44)
      << Pad(std::to_string(r.baseline_runs) + "/" + std::to_string(r.candidate_runs), 9)
      << Pad(ms(r.baseline_p50) + "/" + ms(r.candidate_p50), 19)
      << Pad(ms(r.baseline_p95) + "/" + ms(r.candidate_p95), 19)
      << Pad(r.has_ratio ? prober::FormatFixed(r.ratio_p95, 2) + " [" +
                               prober::FormatFixed(r.ratio_p95_low, 2) + ", " +
                               prober::FormatFixed(r.ratio_p95_high, 2) + "]"
                         : "-",
             22)
      << VerdictName(r.verdict);
    if (r.verdict != Verdict::kPass) o << ": " << r.why;
    o << "\n";
  }
  o << "\n" << Pad("PARITY", 58) << Pad("baseline", 24) << Pad("candidate", 24) << "status\n";
  for (const auto& r : c.parity) {
    o << Pad(r.journey + ": " + r.check, 58) << Pad(r.baseline, 24) << Pad(r.candidate, 24)
      << StatusName(r.status);
    if (r.status != ParityRow::Status::kSame && !r.detail.empty()) o << ": " << r.detail;
    o << "\n";
  }
  o << "\n" << Pad("FINGERPRINT", 30) << Pad("baseline", 30) << Pad("candidate", 30) << "status\n";
  for (const auto& r : c.fingerprint) {
    o << Pad(r.item, 30) << Pad(r.baseline, 30) << Pad(r.candidate, 30) << StatusName(r.status);
    if ((r.status != FingerprintRow::Status::kSame || r.item == "modules") && !r.detail.empty())
      o << ": " << r.detail;
    o << "\n";
  }
  if (!c.left_out.empty()) {
    o << "\nNOT CHECKED\n";
    for (const auto& l : c.left_out) o << "  " << l << "\n";
  }
  o << "\nverdict: " << c.Summary() << "\n";
  return o.str();
}

namespace {

// A case of the comparison: failed with `failure` (its first line the message), else skipped
// with `skipped`'s first line, else passed.
JUnitCase CompareCase(const std::string& name, const std::string& failure,
                      const std::string& skipped) {
  JUnitCase k{"compare", name, std::nullopt, {}, std::nullopt, std::nullopt};
  if (!failure.empty()) {
    k.failures.push_back({"", failure.substr(0, failure.find('\n')), failure});
  } else if (!skipped.empty()) {
    k.skipped = skipped.substr(0, skipped.find('\n'));
  }
  return k;
}

// A journey's cases: its outcomes, its fields (when it has some), its latency.
void JourneyCases(const Comparison& c, const std::string& journey, std::vector<JUnitCase>& cases) {
  std::string outcomes, fields, latency, inconclusive;
  bool has_fields = false;
  for (const auto& r : c.parity) {
    if (r.journey != journey) continue;
    has_fields = has_fields || !r.record.empty();
    if (r.status != ParityRow::Status::kDifferent) continue;
    (r.record.empty() ? outcomes : fields) +=
        r.check + ": baseline " + r.baseline + ", candidate " + r.candidate +
        (r.detail.empty() ? "" : " (" + r.detail + ")") + "\n";
  }
  for (const auto& r : c.latency) {
    if (r.journey != journey || r.verdict == Verdict::kPass) continue;
    (r.verdict == Verdict::kRegression ? latency : inconclusive) +=
        (r.step.empty() ? "journey" : "step " + r.step) + ": " + r.why + "\n";
  }
  cases.push_back(CompareCase(journey + ": outcomes", outcomes, ""));
  if (has_fields) cases.push_back(CompareCase(journey + ": fields", fields, ""));
  cases.push_back(CompareCase(journey + ": latency", latency, inconclusive));
}

}  // namespace

std::string CompareJUnit(const Comparison& c) {
  JUnitReport report;
  report.name = "odoo-prober compare";
  report.suite = c.baseline + " vs " + c.candidate;
  report.timestamp = Iso(c.started_at);
  report.skipped_on_testsuites = true;
  for (const auto& journey : c.journeys) JourneyCases(c, journey, report.cases);
  for (const auto& r : c.fingerprint) {
    if (r.status == FingerprintRow::Status::kNotCompared) continue;
    if (r.item == "modules" && r.status != FingerprintRow::Status::kSame) continue;  // its rows
    std::string failure;
    if (r.status == FingerprintRow::Status::kDifferent)
      failure = "baseline " + r.baseline + ", candidate " + r.candidate +
                (r.detail.empty() ? "" : " (" + r.detail + ")");
    report.cases.push_back(CompareCase("environment: " + r.item, failure, ""));
  }
  return WriteJUnit(report);
}

}  // namespace odoo_prober::results
