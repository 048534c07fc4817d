#include "results/status_board.h"

#include <algorithm>
#include <ctime>
#include <iomanip>
#include <sstream>

#include "prober/text.h"
#include "results/markup.h"

namespace odoo_prober::results {

namespace {

std::string Html(const std::string& s) { return EscapeMarkup(s); }

std::string When(std::chrono::system_clock::time_point tp) {
  if (tp.time_since_epoch().count() == 0) return "never";
  return prober::FormatUtc(tp, "%Y-%m-%d %H:%M:%S UTC");
}

std::string Ms(double seconds) {
  std::ostringstream o;
  o << std::fixed << std::setprecision(1) << seconds * 1000 << " ms";
  return o.str();
}

}  // namespace

void StatusBoard::Declare(const std::string& journey, const std::string& target,
                          bool in_maintenance) {
  std::lock_guard lock(mu_);
  pairs_[{journey, target}].in_maintenance = in_maintenance;
}

void StatusBoard::RecordTls(const TlsReport& r) {
  std::lock_guard lock(mu_);
  tls_[r.endpoint] = r;
}

void StatusBoard::Record(const JourneyResult& r) {
  std::lock_guard lock(mu_);
  Pair& p = pairs_[{r.journey, r.target}];
  const std::string outcome =
      r.ok() && !r.CleanedUp() ? "cleanup" : std::string(prober::OutcomeName(r.outcome));
  p.runs.push_back({r.started_at, static_cast<double>(r.duration_us) / 1e6, outcome});
  if (p.runs.size() > kKeep) p.runs.pop_front();
  if (r.ok()) p.last_success = r.started_at;
  p.last_detail = r.ok() ? "" : "step " + r.failed_step + ": " + r.detail;
}

std::string StatusBoard::RenderHtml(std::chrono::system_clock::time_point now,
                                    const std::string& instance) const {
  std::ostringstream h;
  h << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
    << "<title>odoo-prober status</title><style>"
    << "body{font-family:sans-serif;margin:1.5em;color:#222}table{border-collapse:collapse}"
    << "th,td{padding:.35em .8em;border-bottom:1px solid "
       "#ddd;text-align:left;vertical-align:middle}"
    << ".ok{color:#1a7f37;font-weight:bold}.fail{color:#cf222e;font-weight:bold}.maint{color:#"
       "9a6700}"
    << "small{color:#666}</style></head><body>\n"
    << "<h1>odoo-prober</h1><p><small>instance " << Html(instance) << " &middot; " << When(now)
    << "</small></p>\n<table><thead><tr><th>journey</th><th>target</th><th>last outcome</th>"
    << "<th>last success</th><th>p50 (1h)</th><th>p95 (1h)</th><th>recent "
       "runs</th></tr></thead><tbody>\n";
  std::lock_guard lock(mu_);
  for (const auto& [key, p] : pairs_) {
    std::vector<double> hour;
    for (const auto& run : p.runs) {
      if (now - run.at <= std::chrono::hours(1)) hour.push_back(run.seconds);
    }
    std::sort(hour.begin(), hour.end());
    auto pct = [&](double q) {
      return hour.empty()
                 ? std::string("&ndash;")
                 : Ms(hour[std::min(hour.size() - 1, static_cast<size_t>(q * hour.size()))]);
    };
    std::string outcome = p.in_maintenance ? "in maintenance"
                          : p.runs.empty() ? "pending"
                                           : p.runs.back().outcome;
    const char* cls = p.in_maintenance       ? "maint"
                      : outcome == "ok"      ? "ok"
                      : outcome == "pending" ? ""
                                             : "fail";
    h << "<tr><td>" << Html(key.first) << "</td><td>" << Html(key.second) << "</td><td class=\""
      << cls << "\" title=\"" << Html(p.last_detail) << "\">" << Html(outcome) << "</td><td>"
      << When(p.last_success) << "</td><td>" << pct(0.5) << "</td><td>" << pct(0.95) << "</td><td>";
    // Sparkline: the last 40 runs, bar height by duration, colour by outcome.
    const size_t n = std::min<size_t>(40, p.runs.size());
    double longest = 0.001;
    for (size_t i = p.runs.size() - n; i < p.runs.size(); ++i)
      longest = std::max(longest, p.runs[i].seconds);
    h << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"160\" height=\"24\" role=\"img\" "
         "aria-label=\"recent runs\">";
    for (size_t i = 0; i < n; ++i) {
      const auto& run = p.runs[p.runs.size() - n + i];
      const int height = std::max(2, static_cast<int>(22 * run.seconds / longest));
      h << "<rect x=\"" << i * 4 << "\" y=\"" << 24 - height << "\" width=\"3\" height=\"" << height
        << "\" fill=\"" << (run.outcome == "ok" ? "#2da44e" : "#cf222e") << "\"><title>"
        << Html(run.outcome) << " " << Ms(run.seconds) << "</title></rect>";
    }
    h << "</svg></td></tr>\n";
  }
  h << "</tbody></table>\n";
  if (!tls_.empty()) {
    h << "<h2>TLS</h2>\n<table><thead><tr><th>endpoint</th><th>target</th><th>chain "
         "expires</th><th>checked</th>"
      << "<th>findings</th></tr></thead><tbody>\n";
    for (const auto& [endpoint, r] : tls_) {
      const int64_t expiry = ChainExpiry(r.inspection);
      std::string findings;
      for (const auto& f : r.findings) {
        findings += std::string(f.severity == Severity::kCritical ? "<span class=\"fail\">"
                                                                  : "<span class=\"maint\">") +
                    Html(std::string(SeverityName(f.severity)) + " " + f.kind) + "</span> ";
      }
      h << "<tr><td>" << Html(endpoint) << "</td><td>" << Html(r.target) << "</td><td>"
        << (expiry > 0 ? When(std::chrono::system_clock::from_time_t(expiry)) : "&ndash;")
        << "</td><td>" << When(r.checked_at) << "</td><td>"
        << (findings.empty() ? "<span class=\"ok\">none</span>" : findings) << "</td></tr>\n";
    }
    h << "</tbody></table>\n";
  }
  h << "<p><small><a href=\"/metrics\">/metrics</a> &middot; <a "
       "href=\"/healthz\">/healthz</a>"
    << " &middot; <a href=\"/readyz\">/readyz</a></small></p></body></html>\n";
  return h.str();
}

namespace {

class StatusSink final : public ResultSink {
 public:
  explicit StatusSink(StatusBoard& b) : board_(b) {}
  prober::Status Write(const JourneyResult& r) override {
    board_.Record(r);
    return prober::Status::Ok();
  }
  prober::Status WriteTls(const TlsReport& r) override {
    board_.RecordTls(r);
    return prober::Status::Ok();
  }
  std::string name() const override { return "status"; }

 private:
  StatusBoard& board_;
};

}  // namespace

std::unique_ptr<ResultSink> CreateStatusSink(StatusBoard& board) {
  return std::make_unique<StatusSink>(board);
}

}  // namespace odoo_prober::results
