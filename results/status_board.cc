#include "results/status_board.h"

#include <algorithm>
#include <iomanip>
#include <sstream>

#include "prober/text.h"
#include "results/markup.h"

namespace odoo_prober::results {

namespace {

using Clock = std::chrono::system_clock;

std::string Html(const std::string& s) { return EscapeMarkup(s); }

// "23 min ago", "2 h ago", "3 d ago".
std::string Ago(Clock::time_point now, Clock::time_point at) {
  const auto s = std::chrono::duration_cast<std::chrono::seconds>(now - at).count();
  if (s < 60) return "just now";
  if (s < 3600) return std::to_string(s / 60) + " min ago";
  if (s < 86400) return std::to_string(s / 3600) + " h ago";
  return std::to_string(s / 86400) + " d ago";
}

std::string When(Clock::time_point tp) {
  if (tp.time_since_epoch().count() == 0) return "never";
  return prober::FormatUtc(tp, "%Y-%m-%d %H:%M:%S UTC");
}

std::string Ms(double seconds) {
  std::ostringstream o;
  o << std::fixed << std::setprecision(1) << seconds * 1000 << " ms";
  return o.str();
}

// `text` for a URL's query: unreserved characters as they are, every other byte as %XX.
std::string UrlEncode(const std::string& text) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

// The start of both pages: title, self-refresh, styles.
void Head(std::ostream& h, const std::string& title, const std::string& instance,
          Clock::time_point now) {
  h << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
    << "<meta http-equiv=\"refresh\" content=\"" << StatusBoard::kRefreshSeconds << "\">"
    << "<title>" << Html(title) << "</title><style>"
    << "body{font-family:sans-serif;margin:1.5em;color:#222}table{border-collapse:collapse;"
       "margin-bottom:1em}th,td{padding:.35em .7em;border-bottom:1px solid #ddd;text-align:left;"
       "vertical-align:middle}td.n{text-align:right;font-variant-numeric:tabular-nums;"
       "white-space:nowrap}"
       "tr.group th{background:#f3f4f6;font-size:1.05em}.ok{color:#1a7f37;font-weight:bold}"
       ".fail{color:#cf222e;font-weight:bold}.maint{color:#9a6700}small{color:#666}"
       "</style></head><body>\n"
    << "<h1>" << Html(title) << "</h1><p><small>instance " << Html(instance) << " &middot; "
    << When(now) << " &middot; refreshes every " << StatusBoard::kRefreshSeconds
    << " s</small></p>\n";
}

void Foot(std::ostream& h) {
  h << "<p><small><a href=\"/status\">/status</a> &middot; <a href=\"/metrics\">/metrics</a> "
       "&middot; <a href=\"/healthz\">/healthz</a> &middot; <a href=\"/readyz\">/readyz</a>"
       "</small></p></body></html>\n";
}

// The last run's steps with their phases, and the records it created with their cleanup.
void LastRun(std::ostream& h, const JourneyResult& r) {
  h << "<p>" << When(r.started_at) << " &middot; " << Ms(static_cast<double>(r.duration_us) / 1e6)
    << " &middot; " << Html(std::string(OutcomeName(r.outcome))) << " &middot; " << Html(r.protocol)
    << (r.server_major ? " &middot; Odoo " + std::to_string(r.server_major) : "")
    << "</p>\n<table><thead><tr><th>step</th><th>outcome</th><th>total</th><th>DNS</th>"
       "<th>connect</th><th>TLS</th><th>server</th><th>HTTP</th><th>Odoo error</th>"
       "<th>from &rarr; to</th><th>detail</th></tr></thead><tbody>\n";
  auto us = [](int64_t v) {
    return "<td class=\"n\">" + Ms(static_cast<double>(v) / 1e6) + "</td>";
  };
  for (const auto& s : r.steps) {
    h << "<tr><td>" << Html(s.name) << "</td><td class=\""
      << (s.outcome == prober::Outcome::kOk ? "ok" : "fail") << "\">"
      << Html(std::string(OutcomeName(s.outcome))) << "</td>" << us(s.timings.total_us)
      << us(s.timings.dns_us) << us(s.timings.connect_us) << us(s.timings.tls_us)
      << us(s.timings.first_byte_us) << "<td>"
      << (s.http_status ? std::to_string(s.http_status) : "") << "</td><td>" << Html(s.odoo_error)
      << "</td><td>"
      << (s.connection.server.empty()
              ? std::string("&ndash;")
              : Html(s.connection.local) + " &rarr; " + Html(s.connection.server))
      << "</td><td>" << Html(s.detail) << "</td></tr>\n";
  }
  h << "</tbody></table>\n";
  if (!r.records.empty()) {
    h << "<h3>Records and their cleanup</h3>\n<table><thead><tr><th>model</th><th>id</th>"
         "<th>cleanup</th><th>state read back</th><th>detail</th></tr></thead><tbody>\n";
    for (const auto& rec : r.records) {
      h << "<tr><td>" << Html(rec.model) << "</td><td class=\"n\">" << rec.id << "</td><td class=\""
        << (rec.status == "ok" ? "ok" : "fail") << "\">" << Html(rec.status) << "</td><td>"
        << Html(rec.state) << "</td><td>" << Html(rec.detail) << "</td></tr>\n";
    }
    h << "</tbody></table>\n";
  }
}

}  // namespace

std::string StatusBoard::Run::Name() const {
  return outcome == prober::Outcome::kOk && cleanup_failed ? "cleanup"
                                                           : std::string(OutcomeName(outcome));
}

void StatusBoard::DeclarePairs(const std::vector<PairInfo>& pairs) {
  prober::MutexLock lock(mu_);
  std::map<std::pair<std::string, std::string>, Pair> next;
  for (const auto& info : pairs) {
    const std::pair<std::string, std::string> key{info.journey, info.target};
    auto old = pairs_.find(key);
    Pair& p = next[key] = old == pairs_.end() ? Pair{} : std::move(old->second);
    p.info = info;
    retired_.erase(key);
  }
  for (const auto& [key, p] : pairs_) {
    if (!next.count(key)) retired_.insert(key);
  }
  pairs_ = std::move(next);
}

void StatusBoard::SetInMaintenance(const std::string& journey, const std::string& target, bool in) {
  prober::MutexLock lock(mu_);
  auto it = pairs_.find({journey, target});
  if (it != pairs_.end()) it->second.in_maintenance = in;
}

void StatusBoard::RecordTls(const TlsReport& r) {
  prober::MutexLock lock(mu_);
  tls_[r.endpoint] = r;
}

void StatusBoard::Record(const JourneyResult& r) {
  prober::MutexLock lock(mu_);
  if (retired_.count({r.journey, r.target})) return;  // a run that ended after its reload
  auto [it, fresh] = pairs_.try_emplace({r.journey, r.target});
  Pair& p = it->second;
  if (fresh) p.info = {r.journey, r.target, r.service, r.labels, {}};
  const Run run{r.started_at, static_cast<float>(static_cast<double>(r.duration_us) / 1e6),
                r.outcome, !r.CleanedUp()};
  p.runs.push_back(run);
  if (p.runs.size() > kRecent) p.runs.pop_front();
  const int64_t hour =
      std::chrono::duration_cast<std::chrono::hours>(r.started_at.time_since_epoch()).count();
  Hour& slot = p.hours[static_cast<size_t>(hour % 24)];
  if (slot.hour != hour) slot = {hour, 0, 0};
  ++slot.runs;
  slot.failed += run.failed() ? 1 : 0;
  if (!run.failed()) p.last_success = r.started_at;
  p.last_run = r;
  if (run.failed()) {
    Failure f{r.started_at, r.failed_step, run.Name(), "", r.detail, 0};
    for (const auto& s : r.steps) {
      if (s.name != r.failed_step) continue;
      f.odoo_error = s.odoo_error;
      f.http_status = s.http_status;
    }
    if (r.ok()) {  // the cleanup failed: say which record
      for (const auto& rec : r.records) {
        if (rec.status != "ok")
          f.detail = rec.model + " " + std::to_string(rec.id) + ": " + rec.detail;
      }
      f.step = "cleanup";
    }
    p.last_failure = std::move(f);
  }
}

std::pair<int64_t, int64_t> StatusBoard::Day(const Pair& p, Clock::time_point now) {
  const int64_t hour =
      std::chrono::duration_cast<std::chrono::hours>(now.time_since_epoch()).count();
  int64_t runs = 0, failed = 0;
  for (const Hour& h : p.hours) {
    if (h.hour > hour - 24 && h.hour <= hour) {
      runs += h.runs;
      failed += h.failed;
    }
  }
  return {runs, failed};
}

void StatusBoard::RenderRow(std::ostream& h, const Pair& p, Clock::time_point now) {
  std::vector<double> hour;
  for (const auto& run : p.runs) {
    if (now - run.at <= std::chrono::hours(1)) hour.push_back(run.seconds);
  }
  std::sort(hour.begin(), hour.end());
  auto pct = [&](double q) {
    return hour.empty() ? std::string("&ndash;")
                        : Ms(hour[std::min(hour.size() - 1, static_cast<size_t>(q * hour.size()))]);
  };
  const std::string outcome = p.in_maintenance ? "in maintenance"
                              : p.runs.empty() ? "pending"
                                               : p.runs.back().Name();
  const char* cls = p.in_maintenance       ? "maint"
                    : outcome == "ok"      ? "ok"
                    : outcome == "pending" ? ""
                                           : "fail";
  const auto [runs, failed] = Day(p, now);
  const double allowed = (1 - p.info.objective.availability) * static_cast<double>(runs);
  const std::string link =
      "/status/pair?journey=" + UrlEncode(p.info.journey) + "&target=" + UrlEncode(p.info.target);
  h << "<tr><td><a href=\"" << Html(link) << "\">" << Html(p.info.journey) << "</a></td><td>"
    << Html(p.info.service) << "</td><td>" << Html(p.info.target) << "</td><td class=\"" << cls
    << "\" title=\""
    << Html(p.last_failure ? "last failure: " + p.last_failure->step + ": " + p.last_failure->detail
                           : "")
    << "\">" << Html(outcome) << "</td><td>" << When(p.last_success) << "</td>";
  if (runs == 0) {
    h << "<td class=\"n\">&ndash;</td><td class=\"n\">&ndash;</td>";
  } else {
    const double availability = 1 - static_cast<double>(failed) / static_cast<double>(runs);
    const double left = allowed > 0 ? 1 - static_cast<double>(failed) / allowed : 1;
    h << "<td class=\"n " << (availability >= p.info.objective.availability ? "ok" : "fail")
      << "\">" << prober::FormatPercent(availability) << "</td><td class=\"n "
      << (left < 0 ? "fail" : "") << "\">" << prober::FormatPercent(left) << "</td>";
  }
  h << "<td class=\"n\">" << pct(0.5) << "</td><td class=\"n\">" << pct(0.95) << "</td><td>";
  // Sparkline: the last 40 runs, bar height by duration, colour by outcome.
  const size_t n = std::min<size_t>(40, p.runs.size());
  double longest = 0.001;
  for (size_t i = p.runs.size() - n; i < p.runs.size(); ++i)
    longest = std::max(longest, static_cast<double>(p.runs[i].seconds));
  h << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"160\" height=\"24\" role=\"img\" "
       "aria-label=\"recent runs\">";
  for (size_t i = 0; i < n; ++i) {
    const auto& run = p.runs[p.runs.size() - n + i];
    const int height = std::max(2, static_cast<int>(22 * run.seconds / longest));
    h << "<rect x=\"" << i * 4 << "\" y=\"" << 24 - height << "\" width=\"3\" height=\"" << height
      << "\" fill=\"" << (run.failed() ? "#cf222e" : "#2da44e") << "\"><title>" << When(run.at)
      << " " << Html(run.Name()) << " " << Ms(run.seconds) << "</title></rect>";
  }
  h << "</svg></td></tr>\n";
}

std::string StatusBoard::RenderHtml(Clock::time_point now, const std::string& instance) const {
  std::ostringstream h;
  Head(h, "odoo-prober", instance, now);
  prober::MutexLock lock(mu_);
  std::vector<const Pair*> rows;
  int failing = 0, maintenance = 0;
  for (const auto& [key, p] : pairs_) {
    rows.push_back(&p);
    maintenance += p.in_maintenance ? 1 : 0;
    failing += !p.in_maintenance && !p.runs.empty() && p.runs.back().failed() ? 1 : 0;
  }
  std::sort(rows.begin(), rows.end(), [](const Pair* a, const Pair* b) {
    return std::tie(a->info.labels.region, a->info.labels.plant, a->info.journey, a->info.target) <
           std::tie(b->info.labels.region, b->info.labels.plant, b->info.journey, b->info.target);
  });
  h << "<p>" << rows.size() << " journey &times; target pairs: <span class=\""
    << (failing > 0 ? "fail" : "ok") << "\">" << failing << " failing</span>, " << maintenance
    << " in maintenance.</p>\n"
    << "<table><thead><tr><th>journey</th><th>service</th><th>target</th><th>last outcome</th>"
    << "<th>last success</th><th>availability (24h)</th><th>budget left (24h)</th>"
    << "<th>p50 (1h)</th><th>p95 (1h)</th><th>recent runs</th></tr></thead><tbody>\n";
  const Pair* previous = nullptr;
  for (const Pair* p : rows) {
    if (!previous || previous->info.labels.region != p->info.labels.region ||
        previous->info.labels.plant != p->info.labels.plant) {
      const auto& l = p->info.labels;
      h << "<tr class=\"group\"><th colspan=\"10\">region "
        << Html(l.region.empty() ? "(none)" : l.region) << " &middot; plant "
        << Html(l.plant.empty() ? "(none)" : l.plant) << "</th></tr>\n";
    }
    RenderRow(h, *p, now);
    previous = p;
  }
  h << "</tbody></table>\n";
  RenderChanges(h, now);
  RenderDependencies(h);
  RenderLeftovers(h, now);
  RenderTls(h);
  Foot(h);
  return h.str();
}

std::optional<std::string> StatusBoard::RenderPairHtml(const std::string& journey,
                                                       const std::string& target,
                                                       Clock::time_point now,
                                                       const std::string& instance) const {
  prober::MutexLock lock(mu_);
  auto it = pairs_.find({journey, target});
  if (it == pairs_.end()) return std::nullopt;
  const Pair& p = it->second;
  std::ostringstream h;
  Head(h, journey + " at " + target, instance, now);
  const auto [runs, failed] = Day(p, now);
  h << "<p>service " << Html(p.info.service.empty() ? "(none)" : p.info.service)
    << " &middot; region " << Html(p.info.labels.region) << " &middot; plant "
    << Html(p.info.labels.plant) << " &middot; " << runs << " runs, " << failed
    << " failed in 24 h &middot; objective " << prober::FormatPercent(p.info.objective.availability)
    << (p.in_maintenance ? " &middot; <span class=\"maint\">in maintenance</span>" : "")
    << "</p>\n";
  for (auto c = changes_.rbegin(); c != changes_.rend(); ++c) {
    if (c->target != target) continue;
    h << "<p class=\"maint\">" << Html(target) << " changed " << Ago(now, c->at) << ": "
      << Html(c->Summary()) << "</p>\n";
    break;
  }
  h << "<h2>Last failure</h2>\n";
  if (!p.last_failure) {
    h << "<p class=\"ok\">None since the prober started.</p>\n";
  } else {
    const Failure& f = *p.last_failure;
    h << "<table><tbody><tr><th>when</th><td>" << When(f.at) << "</td></tr><tr><th>step</th><td>"
      << Html(f.step) << "</td></tr><tr><th>outcome</th><td class=\"fail\">" << Html(f.outcome)
      << "</td></tr><tr><th>Odoo error</th><td>"
      << (f.odoo_error.empty() ? "&ndash;" : Html(f.odoo_error))
      << "</td></tr><tr><th>HTTP</th><td>"
      << (f.http_status ? std::to_string(f.http_status) : "&ndash;")
      << "</td></tr><tr><th>message</th><td>" << Html(f.detail) << "</td></tr></tbody></table>\n";
  }
  h << "<h2>Last run</h2>\n";
  if (p.last_run) {
    LastRun(h, *p.last_run);
  } else {
    h << "<p>Not run yet.</p>\n";
  }
  Foot(h);
  return h.str();
}

void StatusBoard::SetLeftovers(std::vector<LeftoverRecord> records) {
  prober::MutexLock lock(mu_);
  leftovers_ = std::move(records);
}

void StatusBoard::RenderLeftovers(std::ostream& h, Clock::time_point now) const {
  if (leftovers_.empty()) return;
  h << "<h2>Leftover records</h2>\n<p><span class=\"fail\">" << leftovers_.size()
    << " probe record(s)</span> could not be cleaned up; this instance retries their cleanup "
       "with backoff until they are read back final (<code>odoo-prober sweep</code> finishes "
       "them too).</p>\n<table><thead><tr><th>target</th><th>record</th><th>journey</th>"
       "<th>run</th><th>open since</th><th>tries</th><th>next try</th><th>why</th></tr></thead>"
       "<tbody>\n";
  for (const auto& l : leftovers_) {
    const auto in = std::chrono::duration_cast<std::chrono::seconds>(l.next_try - now).count();
    h << "<tr><td>" << Html(l.target) << "</td><td>" << Html(l.model) << " " << l.id << "</td><td>"
      << Html(l.journey) << "</td><td>" << Html(l.run_id) << "</td><td>" << When(l.since)
      << "</td><td>" << l.attempts << "</td><td>"
      << (in > 0 ? "in " + std::to_string(in) + " s" : std::string("now")) << "</td><td>"
      << Html(l.detail) << "</td></tr>\n";
  }
  h << "</tbody></table>\n";
}

void StatusBoard::DeclareDependencies(const std::vector<DependencyInfo>& dependencies) {
  prober::MutexLock lock(mu_);
  std::vector<Dependency> next;
  for (const auto& d : dependencies) {
    Dependency entry{d, std::nullopt, {}};
    for (auto& old : dependencies_) {
      if (old.info.name == d.name) {
        entry.last = std::move(old.last);
        entry.last_ok = old.last_ok;
      }
    }
    next.push_back(std::move(entry));
  }
  dependencies_ = std::move(next);
}

void StatusBoard::RecordDependency(const DependencyResult& r) {
  if (r.cancelled) return;
  prober::MutexLock lock(mu_);
  for (auto& d : dependencies_) {
    if (d.info.name != r.dependency) continue;
    d.last = r;
    if (r.ok()) d.last_ok = r.started_at;
  }
}

void StatusBoard::RecordChange(const ChangeEvent& e) {
  prober::MutexLock lock(mu_);
  changes_.push_back(e);
  while (changes_.size() > kChangesShown) changes_.pop_front();
}

void StatusBoard::SetFingerprintRead(const std::string& target, const std::string& error,
                                     Clock::time_point at) {
  prober::MutexLock lock(mu_);
  if (error.empty()) {
    fingerprint_errors_.erase(target);
  } else if (!fingerprint_errors_.count(target)) {
    fingerprint_errors_[target] = {error, at};
  } else {
    fingerprint_errors_[target].first = error;
  }
}

void StatusBoard::RenderChanges(std::ostream& h, Clock::time_point now) const {
  if (changes_.empty() && fingerprint_errors_.empty()) return;
  h << "<h2>Changes</h2>\n<p>What changed on the targets (releases, modules, certificates, "
       "company settings), as this instance's fingerprint readings saw it: a regression that "
       "starts with one is likely its.</p>\n";
  for (const auto& [target, why] : fingerprint_errors_) {
    h << "<p class=\"maint\">The fingerprint of " << Html(target) << " cannot be read since "
      << When(why.second) << ": " << Html(why.first) << "</p>\n";
  }
  if (changes_.empty()) return;
  h << "<table><thead><tr><th>when</th><th>target</th><th>kind</th><th>change</th></tr></thead>"
       "<tbody>\n";
  for (auto it = changes_.rbegin(); it != changes_.rend(); ++it) {
    h << "<tr><td>" << Ago(now, it->at) << " (" << When(it->at) << ")</td><td>" << Html(it->target)
      << "</td><td>" << Html(it->kind) << "</td><td>" << Html(it->Summary()) << "</td></tr>\n";
  }
  h << "</tbody></table>\n";
}

void StatusBoard::RenderDependencies(std::ostream& h) const {
  if (dependencies_.empty()) return;
  h << "<h2>Dependencies</h2>\n<p>What the plants' ERPs need besides Odoo: when one is down, "
       "the services that use it fail with it; check it first.</p>\n<table><thead><tr>"
       "<th>dependency</th><th>check</th><th>used by</th><th>last outcome</th><th>time</th>"
       "<th>last passed</th><th>detail</th></tr></thead><tbody>\n";
  for (const auto& d : dependencies_) {
    h << "<tr><td>" << Html(d.info.name) << "</td><td>" << Html(d.info.kind + ": " + d.info.what)
      << "</td><td>" << Html(prober::Join(d.info.used_by)) << "</td>";
    if (!d.last) {
      h << "<td>not checked yet</td><td></td><td></td><td></td></tr>\n";
      continue;
    }
    const auto& o = d.last->outcome;
    h << "<td class=\"" << (o.ok() ? "ok" : "fail") << "\">"
      << Html(std::string(prober::OutcomeName(o.outcome))) << "</td><td>"
      << Html(prober::FormatFixed(static_cast<double>(o.timings.total_us) / 1000.0, 1))
      << " ms</td><td>" << (d.last_ok.time_since_epoch().count() ? When(d.last_ok) : "never")
      << "</td><td>" << Html(o.detail) << "</td></tr>\n";
  }
  h << "</tbody></table>\n";
}

void StatusBoard::RenderTls(std::ostream& h) const {
  if (tls_.empty()) return;
  h << "<h2>TLS</h2>\n<table><thead><tr><th>endpoint</th><th>target</th><th>chain "
       "expires</th><th>checked</th><th>findings</th></tr></thead><tbody>\n";
  for (const auto& [endpoint, r] : tls_) {
    const int64_t expiry = ChainExpiry(r.inspection);
    std::string findings;
    for (const auto& f : r.findings) {
      findings += std::string(f.severity == Severity::kCritical ? "<span class=\"fail\">"
                                                                : "<span class=\"maint\">") +
                  Html(std::string(SeverityName(f.severity)) + " " + f.kind) + "</span> ";
    }
    h << "<tr><td>" << Html(endpoint) << "</td><td>" << Html(r.target) << "</td><td>"
      << (expiry > 0 ? When(Clock::from_time_t(expiry)) : "&ndash;") << "</td><td>"
      << When(r.checked_at) << "</td><td>"
      << (findings.empty() ? "<span class=\"ok\">none</span>" : findings) << "</td></tr>\n";
  }
  h << "</tbody></table>\n";
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
  prober::Status WriteDependency(const DependencyResult& r) override {
    board_.RecordDependency(r);
    return prober::Status::Ok();
  }
  prober::Status WriteChange(const ChangeEvent& e) override {
    board_.RecordChange(e);
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
