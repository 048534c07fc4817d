#include "results/junit.h"

#include <iomanip>
#include <sstream>

#include "prober/text.h"
#include "results/markup.h"

namespace odoo_prober::results {
namespace {

std::string Secs(double seconds) {
  std::ostringstream o;
  o << std::fixed << std::setprecision(3) << seconds;
  return o.str();
}

void WriteCase(std::ostringstream& x, const JUnitCase& k) {
  x << "    <testcase classname=\"" << EscapeMarkup(k.classname) << "\" name=\""
    << EscapeMarkup(k.name) << "\"";
  if (k.seconds) x << " time=\"" << Secs(*k.seconds) << "\"";
  if (k.failures.empty() && !k.skipped && !k.system_out) {
    x << "/>\n";
    return;
  }
  x << ">\n";
  for (const auto& f : k.failures) {
    x << "      <failure";
    if (!f.type.empty()) x << " type=\"" << EscapeMarkup(f.type) << "\"";
    x << " message=\"" << EscapeMarkup(f.message) << "\">" << EscapeMarkup(f.text)
      << "</failure>\n";
  }
  if (k.failures.empty() && k.skipped)
    x << "      <skipped message=\"" << EscapeMarkup(*k.skipped) << "\"/>\n";
  if (k.system_out) x << "      <system-out>" << EscapeMarkup(*k.system_out) << "</system-out>\n";
  x << "    </testcase>\n";
}

}  // namespace

std::string WriteJUnit(const JUnitReport& r) {
  size_t failures = 0, skipped = 0;
  for (const auto& k : r.cases) {
    failures += !k.failures.empty();
    skipped += k.failures.empty() && k.skipped.has_value();
  }
  const std::string counts = "tests=\"" + std::to_string(r.cases.size()) + "\" failures=\"" +
                             std::to_string(failures) + "\"" +
                             (r.errors_attribute ? " errors=\"0\"" : "");
  const std::string skips = " skipped=\"" + std::to_string(skipped) + "\"";
  const std::string time = r.seconds ? " time=\"" + Secs(*r.seconds) + "\"" : "";
  std::ostringstream x;
  x << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    << "<testsuites name=\"" << EscapeMarkup(r.name) << "\" " << counts
    << (r.skipped_on_testsuites ? skips : "") << time << ">\n"
    << "  <testsuite name=\"" << EscapeMarkup(r.suite) << "\" " << counts << skips << time
    << " timestamp=\"" << EscapeMarkup(r.timestamp) << "\">\n";
  for (const auto& k : r.cases) WriteCase(x, k);
  x << "  </testsuite>\n</testsuites>\n";
  return x.str();
}

namespace {

JUnitCase RunCase(const JourneyResult& r) {
  JUnitCase k{"odoo-prober." + r.target,
              r.journey,
              static_cast<double>(r.duration_us) / 1e6,
              {},
              std::nullopt,
              std::nullopt};
  if (r.ok() && !r.CleanedUp()) {
    std::string detail;
    for (const auto& rec : r.records) {
      if (rec.status != "ok")
        detail += rec.model + " " + std::to_string(rec.id) + ": " + rec.detail + "\n";
    }
    k.failures.push_back({"cleanup", "cleanup failed: " + detail, detail});
  }
  if (r.cancelled && r.steps.empty()) {
    k.skipped = r.detail;  // never started
  } else if (r.cancelled) {
    k.failures.push_back({"cancelled", "cancelled at step " + r.failed_step + ": " + r.detail,
                          "cancelled at step: " + r.failed_step + "\n" + r.detail});
  } else if (!r.ok()) {
    const std::string outcome(prober::OutcomeName(r.outcome));
    k.failures.push_back({outcome, "step " + r.failed_step + ": " + outcome + ": " + r.detail,
                          "failed step: " + r.failed_step + "\n" + r.detail});
  }
  std::ostringstream steps;
  steps << "run " << r.run_id << " on Odoo " << r.server_major << " via " << r.protocol << "\n";
  for (const auto& s : r.steps) {
    steps << s.name << ": " << prober::OutcomeName(s.outcome) << " in "
          << Secs(static_cast<double>(s.timings.total_us) / 1e6) << " s"
          << (s.detail.empty() ? "" : " (" + s.detail + ")") << "\n";
  }
  for (const auto& rec : r.records) {
    steps << "cleanup " << rec.model << " " << rec.id << ": " << rec.status
          << (rec.detail.empty() ? "" : " (" + rec.detail + ")") << "\n";
  }
  k.system_out = steps.str();
  return k;
}

}  // namespace

std::string RunsJUnit(const std::vector<JourneyResult>& results,
                      std::chrono::system_clock::time_point when) {
  JUnitReport report;
  report.name = "odoo-prober";
  report.suite = "odoo-prober once";
  report.timestamp = prober::FormatUtc(when, "%Y-%m-%dT%H:%M:%S");
  report.errors_attribute = true;
  int64_t total_us = 0;
  for (const auto& r : results) {
    total_us += r.duration_us;
    report.cases.push_back(RunCase(r));
  }
  report.seconds = static_cast<double>(total_us) / 1e6;
  return WriteJUnit(report);
}

}  // namespace odoo_prober::results
