// The SLO report as one self-contained HTML page (results/report.h): inline CSS and SVG charts,
// no script and nothing fetched, so that it reads offline and can be attached to a review.
#include <algorithm>
#include <cmath>
#include <iomanip>
#include <sstream>

#include "prober/text.h"
#include "results/markup.h"
#include "results/report.h"

namespace odoo_prober::results {
namespace {

using Clock = std::chrono::system_clock;

std::string Html(const std::string& s) { return EscapeMarkup(s); }

std::string Day(Clock::time_point t) { return prober::FormatUtc(t, "%Y-%m-%d %H:%M UTC"); }

// A slice's length for people: "1 day", "6 h", "51 min".
std::string SliceLength(const Report& r) {
  const double s = std::chrono::duration<double>(r.until - r.since).count() / kReportSlices;
  if (s >= 86400 && std::fmod(s, 86400) < 1)
    return prober::FormatFixed(s / 86400, 0) + (s < 2 * 86400 ? " day" : " days");
  if (s >= 3600) return prober::FormatFixed(s / 3600, 1) + " h";
  return prober::FormatFixed(s / 60, 1) + " min";
}

// A chart's plotting area: kReportSlices columns across, values from `lo` to `hi` upwards.
class Plot {
 public:
  static constexpr double kWidth = 560, kHeight = 150, kLeft = 58, kRight = 8, kTop = 10,
                          kBottom = 22;
  Plot(double lo, double hi) : lo_(lo), hi_(hi > lo ? hi : lo + 1) {}
  double X(double slice) const {
    return kLeft + (kWidth - kLeft - kRight) * slice / static_cast<double>(kReportSlices);
  }
  double Y(double v) const {
    const double share = (std::clamp(v, lo_, hi_) - lo_) / (hi_ - lo_);
    return kTop + (kHeight - kTop - kBottom) * (1 - share);
  }
  // Opens the <svg> with its title, the frame, the y labels and the window's dates below.
  void Open(std::ostringstream& h, const std::string& title, const std::string& lo_label,
            const std::string& hi_label, const Report& r) const {
    h << "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" width=\"" << kWidth
      << "\" height=\"" << kHeight << "\" viewBox=\"0 0 " << kWidth << " " << kHeight
      << "\" role=\"img\" aria-label=\"" << Html(title) << "\"><title>" << Html(title)
      << "</title><rect x=\"" << kLeft << "\" y=\"" << kTop << "\" width=\""
      << kWidth - kLeft - kRight << "\" height=\"" << kHeight - kTop - kBottom
      << "\" fill=\"#fafafa\" stroke=\"#ccc\"/>" << Text(kLeft - 4, Y(hi_) + 4, "end", hi_label)
      << Text(kLeft - 4, Y(lo_), "end", lo_label) << Text(kLeft, kHeight - 6, "start", Day(r.since))
      << Text(kWidth - kRight, kHeight - 6, "end", Day(r.until));
  }
  // A dashed horizontal line at `v`, labelled.
  std::string Rule(double v, const std::string& colour, const std::string& label) const {
    std::ostringstream o;
    o << "<line x1=\"" << X(0) << "\" x2=\"" << X(kReportSlices) << "\" y1=\"" << Y(v) << "\" y2=\""
      << Y(v) << "\" stroke=\"" << colour << "\" stroke-dasharray=\"4 3\"><title>" << Html(label)
      << "</title></line>";
    return o.str();
  }
  static std::string Text(double x, double y, const char* anchor, const std::string& text) {
    std::ostringstream o;
    o << "<text x=\"" << x << "\" y=\"" << y << "\" text-anchor=\"" << anchor
      << "\" font-size=\"10\" fill=\"#555\">" << Html(text) << "</text>";
    return o.str();
  }

 private:
  double lo_, hi_;
};

// Availability per slice as bars, the objective dashed; a slice without runs is marked grey.
std::string AvailabilityChart(const Report& r, const ReportRow& p) {
  double lowest = p.objective.availability;
  for (const auto& t : p.timeline) {
    if (t.runs > 0) lowest = std::min(lowest, 1 - static_cast<double>(t.failed) / t.runs);
  }
  const double lo = std::max(0.0, std::floor((lowest - 0.005) * 20) / 20);
  const Plot plot(lo, 1);
  std::ostringstream h;
  plot.Open(h, "availability over time: " + p.journey + " at " + p.target,
            prober::FormatPercent(lo), "100%", r);
  for (size_t i = 0; i < p.timeline.size(); ++i) {
    const auto& t = p.timeline[i];
    const double x = plot.X(static_cast<double>(i)) + 1;
    const double w = plot.X(1) - plot.X(0) - 2;
    if (t.runs == 0) {
      h << "<rect x=\"" << x << "\" y=\"" << plot.Y(1) << "\" width=\"" << w << "\" height=\""
        << plot.Y(lo) - plot.Y(1) << "\" fill=\"#eee\"><title>" << Day(t.start)
        << ": no counted run</title></rect>";
      continue;
    }
    const double a = 1 - static_cast<double>(t.failed) / t.runs;
    h << "<rect x=\"" << x << "\" y=\"" << plot.Y(a) << "\" width=\"" << w << "\" height=\""
      << plot.Y(lo) - plot.Y(a) << "\" fill=\""
      << (a >= p.objective.availability ? "#2da44e" : "#cf222e") << "\"><title>" << Day(t.start)
      << ": " << prober::FormatPercent(a) << " of " << t.runs << " runs</title></rect>";
  }
  h << plot.Rule(p.objective.availability, "#9a6700",
                 "objective " + prober::FormatPercent(p.objective.availability))
    << "</svg>";
  return h.str();
}

// p50, p95 and p99 per slice as lines, the latency objective dashed.
std::string LatencyChart(const Report& r, const ReportRow& p) {
  const double under = std::chrono::duration<double>(p.objective.latency_under).count();
  double hi = under;
  for (const auto& t : p.timeline) hi = std::max(hi, t.p99);
  hi *= 1.1;
  const Plot plot(0, hi);
  std::ostringstream h;
  plot.Open(h, "latency percentiles over time: " + p.journey + " at " + p.target, "0 s",
            prober::FormatFixed(hi, 2) + " s", r);
  const std::pair<const char*, double TimeSlice::*> lines[] = {
      {"p50", &TimeSlice::p50}, {"p95", &TimeSlice::p95}, {"p99", &TimeSlice::p99}};
  const char* colours[] = {"#0969da", "#8250df", "#bc4c00"};
  for (size_t l = 0; l < 3; ++l) {
    std::ostringstream points;
    for (size_t i = 0; i < p.timeline.size(); ++i) {
      if (p.timeline[i].runs == 0) continue;
      points << plot.X(static_cast<double>(i) + 0.5) << ","
             << plot.Y(p.timeline[i].*(lines[l].second)) << " ";
    }
    h << "<polyline fill=\"none\" stroke-width=\"1.5\" stroke=\"" << colours[l] << "\" points=\""
      << points.str() << "\"><title>" << lines[l].first << "</title></polyline>";
  }
  h << plot.Rule(under, "#9a6700",
                 "objective: " + prober::FormatPercent(p.objective.latency_ratio) + " under " +
                     prober::FormatFixed(under, 2) + " s")
    << "</svg>";
  return h.str();
}

// The error budget left at the end of each slice, from 100% at the window's start.
std::string BurnDownChart(const Report& r, const ReportRow& p) {
  double lowest = 0;
  for (const auto& t : p.timeline) lowest = std::min(lowest, t.budget_remaining);
  const Plot plot(lowest, 1);
  std::ostringstream h;
  plot.Open(h, "error budget burn-down: " + p.journey + " at " + p.target,
            prober::FormatPercent(lowest), "100%", r);
  std::ostringstream points;
  points << plot.X(0) << "," << plot.Y(1) << " ";
  for (size_t i = 0; i < p.timeline.size(); ++i) {
    points << plot.X(static_cast<double>(i + 1)) << "," << plot.Y(p.timeline[i].budget_remaining)
           << " ";
  }
  h << plot.Rule(0, "#cf222e", "budget exhausted") << "<polyline fill=\"none\" stroke-width=\"2\" "
    << "stroke=\"" << (p.budget_remaining >= 0 ? "#2da44e" : "#cf222e") << "\" points=\""
    << points.str() << "\"><title>budget remaining</title></polyline></svg>";
  return h.str();
}

std::string Cell(bool known, const std::string& text) {
  return "<td class=\"n\">" + (known ? text : std::string("&ndash;")) + "</td>";
}

void PairsTable(std::ostringstream& h, const Report& r) {
  h << "<h2>Journeys</h2>\n<table><thead><tr><th>journey</th><th>service</th><th>target</th>"
       "<th>region</th><th>plant</th><th>runs</th><th>availability</th><th>objective</th>"
       "<th>latency SLI</th><th>p50 s</th><th>p95 s</th><th>p99 s</th><th>budget left</th>"
       "<th>burn 1h</th><th>6h</th><th>24h</th><th>3d</th><th>coverage</th><th>unmonitored</th>"
       "<th>not counted</th><th>top failures</th></tr></thead><tbody>\n";
  for (size_t i = 0; i < r.pairs.size(); ++i) {
    const auto& p = r.pairs[i];
    const bool any = p.runs > 0;
    const bool met = any && p.availability >= p.objective.availability;
    h << "<tr><td><a href=\"#pair-" << i << "\">" << Html(p.journey) << "</a></td><td>"
      << Html(p.service) << "</td><td>" << Html(p.target) << "</td><td>" << Html(p.region)
      << "</td><td>" << Html(p.plant) << "</td><td class=\"n\">" << p.runs << "</td>"
      << "<td class=\"n " << (any ? (met ? "ok" : "fail") : "") << "\">"
      << (any ? prober::FormatPercent(p.availability) : "&ndash;") << "</td>"
      << Cell(true, prober::FormatPercent(p.objective.availability))
      << Cell(any, prober::FormatPercent(p.latency_sli)) << Cell(any, prober::FormatFixed(p.p50, 3))
      << Cell(any, prober::FormatFixed(p.p95, 3)) << Cell(any, prober::FormatFixed(p.p99, 3))
      << Cell(any, prober::FormatPercent(p.budget_remaining));
    for (const char* w : {"1h", "6h", "24h", "3d"}) {
      auto it = p.burn_rate.find(w);
      h << Cell(it != p.burn_rate.end(),
                it == p.burn_rate.end() ? "" : prober::FormatFixed(it->second, 2));
    }
    h << Cell(p.coverage.has_value(), p.coverage ? prober::FormatPercent(*p.coverage) : "")
      << Cell(p.counted_seconds > 0,
              p.counted_seconds > 0
                  ? prober::FormatPercent(p.maintenance_seconds / p.counted_seconds)
                  : "")
      << "<td class=\"n\">" << p.outside_business_hours + p.in_maintenance << "</td><td>";
    for (const auto& [reason, n] : p.top_reasons) h << Html(reason) << " (" << n << ") ";
    h << "</td></tr>\n";
  }
  h << "</tbody></table>\n";
}

void ServicesTable(std::ostringstream& h, const Report& r) {
  h << "<h2>Business services</h2>\n<table><thead><tr><th>service</th><th>runs</th>"
       "<th>failed</th><th>availability</th><th>latency SLI</th></tr></thead><tbody>\n";
  for (const auto& s : r.services) {
    h << "<tr><td>" << Html(s.service) << "</td><td class=\"n\">" << s.runs
      << "</td><td class=\"n\">" << s.failed << "</td>"
      << Cell(s.runs > 0, prober::FormatPercent(s.availability))
      << Cell(s.runs > 0, prober::FormatPercent(s.latency_sli)) << "</tr>\n";
  }
  h << "</tbody></table>\n";
}

void ChangesTable(std::ostringstream& h, const Report& r) {
  if (r.changes.empty()) return;
  h << "<h2>Changes on the targets</h2>\n<p><small>Releases, modules, certificates and company "
       "settings the fingerprint readings saw change: a regression that starts with one is likely "
       "its.</small></p>\n<table><thead><tr><th>when</th><th>target</th><th>kind</th>"
       "<th>change</th></tr></thead><tbody>\n";
  for (const auto& c : r.changes) {
    h << "<tr><td>" << Day(c.at) << "</td><td>" << Html(c.target) << "</td><td>" << Html(c.kind)
      << "</td><td>" << Html(c.summary) << "</td></tr>\n";
  }
  h << "</tbody></table>\n";
}

void DependencyTable(std::ostringstream& h, const Report& r) {
  if (r.dependencies.empty()) return;
  h << "<h2>Dependencies</h2>\n<p><small>What the plants' ERPs need besides Odoo: a failed "
       "dependency explains the failures of the services that use it.</small></p>\n<table><thead>"
       "<tr><th>dependency</th><th>kind</th><th>region</th><th>used by</th><th>checks</th>"
       "<th>availability</th><th>p95 s</th><th>last failure</th></tr></thead><tbody>\n";
  for (const auto& d : r.dependencies) {
    h << "<tr><td>" << Html(d.dependency) << "</td><td>" << Html(d.kind) << "</td><td>"
      << Html(d.region) << "</td><td>" << Html(d.used_by) << "</td><td class=\"n\">" << d.checks
      << "</td><td class=\"n " << (d.failed ? "fail" : "ok") << "\">"
      << prober::FormatPercent(d.availability) << "</td><td class=\"n\">"
      << prober::FormatFixed(d.p95, 3) << "</td><td>"
      << (d.last_failure ? Day(*d.last_failure) + " " + Html(d.last_detail) : "&ndash;")
      << "</td></tr>\n";
  }
  h << "</tbody></table>\n";
}

void TlsTable(std::ostringstream& h, const Report& r) {
  h << "<h2>Open TLS findings</h2>\n";
  if (r.tls.empty()) {
    h << "<p class=\"ok\">None: the latest check of each endpoint found nothing.</p>\n";
    return;
  }
  h << "<table><thead><tr><th>severity</th><th>endpoint</th><th>target</th><th>finding</th>"
       "<th>certificate</th><th>chain expires</th><th>checked</th></tr></thead><tbody>\n";
  for (const auto& f : r.tls) {
    h << "<tr><td class=\"" << (f.severity == "critical" ? "fail" : "warn") << "\">"
      << Html(f.severity) << "</td><td>" << Html(f.endpoint) << "</td><td>" << Html(f.target)
      << "</td><td>" << Html(f.kind) << (f.detail.empty() ? "" : ": " + Html(f.detail))
      << "</td><td>" << Html(f.certificate) << "</td><td>"
      << (f.chain_expiry ? Day(*f.chain_expiry) : "&ndash;") << "</td><td>" << Day(f.checked_at)
      << "</td></tr>\n";
  }
  h << "</tbody></table>\n";
}

}  // namespace

std::string ReportHtml(const Report& r) {
  std::ostringstream h;
  h << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
    << "<title>Odoo SLO report " << Day(r.since) << " to " << Day(r.until) << "</title><style>"
    << "body{font-family:sans-serif;margin:1.5em;color:#222}table{border-collapse:collapse;font-"
       "size:.9em;"
       "margin-bottom:1em}th,td{padding:.3em .6em;border-bottom:1px solid #ddd;text-align:left}"
       "td.n{text-align:right;font-variant-numeric:tabular-nums}.ok{color:#1a7f37}"
       ".fail{color:#cf222e;font-weight:bold}.warn{color:#9a6700}section{margin:1.5em 0}"
       ".charts{display:flex;flex-wrap:wrap;gap:1em}figure{margin:0}figcaption{font-size:.85em;"
       "color:#555}small{color:#666}</style></head><body>\n"
    << "<h1>Odoo SLO report</h1>\n<p>" << Day(r.since) << " to " << Day(r.until) << "</p>\n";
  if (r.pairs.empty()) h << "<p>No runs in this window.</p>\n";
  ServicesTable(h, r);
  PairsTable(h, r);
  for (size_t i = 0; i < r.pairs.size(); ++i) {
    const auto& p = r.pairs[i];
    h << "<section id=\"pair-" << i << "\"><h3>" << Html(p.journey) << " at " << Html(p.target)
      << "</h3>";
    if (p.has_business_hours || p.outside_business_hours + p.in_maintenance > 0) {
      h << "<p><small>" << p.outside_business_hours << " runs outside business hours and "
        << p.in_maintenance << " in maintenance are not counted.</small></p>";
    }
    h << "<div class=\"charts\"><figure>" << AvailabilityChart(r, p)
      << "<figcaption>Availability per " << SliceLength(r)
      << "; the objective dashed</figcaption></figure><figure>" << LatencyChart(r, p)
      << "<figcaption>Latency p50 (blue), p95 (violet), p99 (orange)</figcaption></figure>"
      << "<figure>" << BurnDownChart(r, p)
      << "<figcaption>Error budget remaining</figcaption></figure></div></section>\n";
  }
  ChangesTable(h, r);
  DependencyTable(h, r);
  TlsTable(h, r);
  h << "<p><small>Availability: successful runs (cleanup included) over counted runs. Latency "
       "SLI: runs under the objective's time. Budget: failed runs allowed by the objective over "
       "the window. Burn rate: failure ratio over the objective's allowance. Coverage: counted "
       "runs over those the interval would make outside maintenance. Unmonitored: the share of "
       "counted time in maintenance. Runs outside business hours or in maintenance are not "
       "counted.</small></p>\n</body></html>\n";
  return h.str();
}

}  // namespace odoo_prober::results
