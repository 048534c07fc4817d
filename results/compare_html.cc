// The migration comparison as one self-contained HTML page (results/compare.h): inline CSS and
// SVG, no script and nothing fetched, so that it can be attached to a cutover review.
#include <algorithm>
#include <sstream>

#include "prober/text.h"
#include "results/compare.h"
#include "results/markup.h"

namespace odoo_prober::results {
namespace {

std::string Html(const std::string& s) { return EscapeMarkup(s); }
std::string Ms(double seconds) { return prober::FormatFixed(seconds * 1000, 1); }

constexpr const char* kBaselineColour = "#1f77b4";
constexpr const char* kCandidateColour = "#e6550d";

// Both latency distributions of a row as overlaid empirical CDFs: x the latency (ms), y the
// share of runs at most that fast.
std::string Distributions(const LatencyRow& r) {
  constexpr double kW = 560, kH = 170, kL = 48, kR = 10, kT = 10, kB = 28;
  const double hi = std::max(r.baseline_samples.empty() ? 0 : r.baseline_samples.back(),
                             r.candidate_samples.empty() ? 0 : r.candidate_samples.back());
  const double top = hi > 0 ? hi * 1.05 : 1e-3;
  auto x = [&](double s) { return kL + (kW - kL - kR) * s / top; };
  auto y = [&](double share) { return kT + (kH - kT - kB) * (1 - share); };
  const std::string title = (r.step.empty() ? r.journey : r.journey + " / " + r.step) +
                            ": latency distribution, baseline and candidate";
  std::ostringstream h;
  h << "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" width=\"" << kW << "\" height=\""
    << kH << "\" viewBox=\"0 0 " << kW << " " << kH << "\" role=\"img\" aria-label=\""
    << Html(title) << "\"><title>" << Html(title) << "</title><rect x=\"" << kL << "\" y=\"" << kT
    << "\" width=\"" << kW - kL - kR << "\" height=\"" << kH - kT - kB
    << "\" fill=\"#fafafa\" stroke=\"#ccc\"/>";
  auto text = [&](double tx, double ty, const char* anchor, const std::string& s) {
    h << "<text x=\"" << tx << "\" y=\"" << ty << "\" text-anchor=\"" << anchor
      << "\" font-size=\"10\">" << Html(s) << "</text>";
  };
  text(kL - 4, y(1) + 4, "end", "100%");
  text(kL - 4, y(0.5) + 4, "end", "50%");
  text(kL - 4, y(0), "end", "0%");
  text(kL, kH - 8, "start", "0 ms");
  text(kW - kR, kH - 8, "end", Ms(top) + " ms");
  for (double q : {0.5, 0.95}) {
    h << "<line x1=\"" << kL << "\" x2=\"" << kW - kR << "\" y1=\"" << y(q) << "\" y2=\"" << y(q)
      << "\" stroke=\"#bbb\" stroke-dasharray=\"3 3\"/>";
  }
  auto curve = [&](const std::vector<double>& s, const char* colour, const char* name) {
    if (s.empty()) return;
    std::ostringstream pts;
    pts << x(0) << "," << y(0);
    for (size_t i = 0; i < s.size(); ++i) {
      const double before = static_cast<double>(i) / static_cast<double>(s.size());
      const double after = static_cast<double>(i + 1) / static_cast<double>(s.size());
      pts << " " << x(s[i]) << "," << y(before) << " " << x(s[i]) << "," << y(after);
    }
    pts << " " << x(top) << "," << y(1);
    h << "<polyline fill=\"none\" stroke=\"" << colour << "\" stroke-width=\"1.5\" points=\""
      << pts.str() << "\"><title>" << name << ": " << s.size() << " runs</title></polyline>";
  };
  curve(r.baseline_samples, kBaselineColour, "baseline");
  curve(r.candidate_samples, kCandidateColour, "candidate");
  h << "</svg>";
  return h.str();
}

std::string Cls(Verdict v) {
  std::string name(VerdictName(v));
  std::replace(name.begin(), name.end(), ' ', '_');
  return name;
}

// "1.23 [1.10, 1.40]", or "-" without a ratio (a side had no success).
std::string RatioText(const LatencyRow& r, double value, double low, double high) {
  if (!r.has_ratio) return "-";
  return prober::FormatFixed(value, 2) + " [" + prober::FormatFixed(low, 2) + ", " +
         prober::FormatFixed(high, 2) + "]";
}

}  // namespace

namespace {

// The latency section: per journey, the distributions worth a look and the table of its rows.
void LatencyHtml(std::ostringstream& h, const Comparison& c) {
  h << "<h2>Latency</h2><p class=\"key\">Distributions:<span style=\"background:" << kBaselineColour
    << "\"></span>baseline<span style=\"background:" << kCandidateColour
    << "\"></span>candidate (share of runs at most that fast; dashed: p50 and p95).</p>\n";
  for (const auto& journey : c.journeys) {
    h << "<h3>" << Html(journey) << "</h3>\n";
    for (const auto& r : c.latency) {
      if (r.journey != journey) continue;
      if (r.step.empty() || r.verdict != Verdict::kPass) h << Distributions(r) << "\n";
    }
    h << "<table><tr><th>step</th><th>runs</th><th>p50 ms</th><th>p95 ms</th><th>p99 ms</th>"
         "<th>p50 ratio [95% CI]</th><th>p95 ratio [95% CI]</th><th>verdict</th></tr>\n";
    for (const auto& r : c.latency) {
      if (r.journey != journey) continue;
      h << "<tr><td>" << Html(r.step.empty() ? "(whole journey)" : r.step) << "</td><td class=num>"
        << r.baseline_runs << " / " << r.candidate_runs << "</td><td class=num>"
        << Ms(r.baseline_p50) << " / " << Ms(r.candidate_p50) << "</td><td class=num>"
        << Ms(r.baseline_p95) << " / " << Ms(r.candidate_p95) << "</td><td class=num>"
        << Ms(r.baseline_p99) << " / " << Ms(r.candidate_p99) << "</td><td class=num>"
        << RatioText(r, r.ratio_p50, r.ratio_p50_low, r.ratio_p50_high) << "</td><td class=num>"
        << RatioText(r, r.ratio_p95, r.ratio_p95_low, r.ratio_p95_high) << "</td><td class=\""
        << Cls(r.verdict) << "\">" << VerdictName(r.verdict) << "<br><small>" << Html(r.why)
        << "</small></td></tr>\n";
    }
    h << "</table>\n";
  }
}

// The parity and fingerprint tables.
void ParityHtml(std::ostringstream& h, const Comparison& c) {
  h << "<h2>Functional parity</h2><table><tr><th>journey</th><th>check</th><th>baseline</th>"
       "<th>candidate</th><th>status</th></tr>\n";
  for (const auto& r : c.parity) {
    const std::string cls(StatusName(r.status));
    h << "<tr><td>" << Html(r.journey) << "</td><td>" << Html(r.check) << "</td><td>"
      << Html(r.baseline) << "</td><td>" << Html(r.candidate) << "</td><td class=\"" << cls << "\">"
      << cls << (r.detail.empty() ? "" : "<br><small>" + Html(r.detail) + "</small>")
      << "</td></tr>\n";
  }
  h << "</table>\n<h2>Environment fingerprint</h2><table><tr><th>item</th><th>baseline</th>"
       "<th>candidate</th><th>status</th></tr>\n";
  for (const auto& r : c.fingerprint) {
    const std::string cls(StatusName(r.status));
    h << "<tr><td>" << Html(r.item) << "</td><td>" << Html(r.baseline) << "</td><td>"
      << Html(r.candidate) << "</td><td class=\"" << cls << "\">" << cls
      << (r.detail.empty() ? "" : "<br><small>" + Html(r.detail) + "</small>") << "</td></tr>\n";
  }
}

}  // namespace

std::string CompareHtml(const Comparison& c) {
  std::ostringstream h;
  const std::string title =
      "odoo-prober compare: " + c.baseline + " \xe2\x86\x92 " + c.candidate + ": " + c.Summary();
  h << "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>" << Html(title)
    << "</title><style>"
       "body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222}"
       "table{border-collapse:collapse;margin:.5em 0 1.5em}"
       "td,th{border:1px solid #ddd;padding:.25em .5em;text-align:left;vertical-align:top}"
       "th{background:#f3f3f3}td.num{text-align:right}"
       ".pass,.same{color:#2a7d2a}.regression,.different{color:#b00020;font-weight:bold}"
       ".inconclusive,.not_comparable,.expected,.not_compared{color:#8a6d00}"
       ".key span{display:inline-block;width:1em;height:.6em;margin:0 .3em 0 1em}"
       "</style></head><body>\n";
  h << "<h1>" << Html(title) << "</h1>\n<p>Baseline <b>" << Html(c.baseline) << "</b>"
    << (c.baseline_from_history ? " (runs from the history)" : "") << ", candidate <b>"
    << Html(c.candidate) << "</b>; " << c.rounds << " rounds, seed " << c.seed << ", "
    << Html(prober::FormatUtc(c.started_at, "%Y-%m-%d %H:%M:%S UTC")) << " to "
    << Html(prober::FormatUtc(c.finished_at, "%H:%M:%S UTC")) << ".</p>\n";
  if (!c.left_out.empty()) {
    h << "<h2>Not checked</h2><ul>";
    for (const auto& l : c.left_out) h << "<li>" << Html(l) << "</li>";
    h << "</ul>\n";
  }
  LatencyHtml(h, c);
  ParityHtml(h, c);
  h << "</table>\n</body></html>\n";
  return h.str();
}

}  // namespace odoo_prober::results
