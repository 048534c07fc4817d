#include "runners/junit.h"

#include <ctime>
#include <iomanip>
#include <sstream>

#include "prober/text.h"
#include "results/markup.h"

namespace odoo_prober::runners {

namespace {

std::string Xml(const std::string& s) { return results::EscapeMarkup(s); }

std::string Secs(int64_t us) {
  std::ostringstream o;
  o << std::fixed << std::setprecision(3) << static_cast<double>(us) / 1e6;
  return o.str();
}

}  // namespace

std::string ToJUnit(const std::vector<results::JourneyResult>& results,
                    std::chrono::system_clock::time_point when) {
  int failures = 0;
  int64_t total_us = 0;
  for (const auto& r : results) {
    failures += r.ok() && r.CleanedUp() ? 0 : 1;
    total_us += r.duration_us;
  }
  const std::string stamp = prober::FormatUtc(when, "%Y-%m-%dT%H:%M:%S");
  std::ostringstream x;
  x << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    << "<testsuites name=\"odoo-prober\" tests=\"" << results.size() << "\" failures=\"" << failures
    << "\" errors=\"0\" time=\"" << Secs(total_us) << "\">\n"
    << "  <testsuite name=\"odoo-prober once\" tests=\"" << results.size() << "\" failures=\""
    << failures << "\" errors=\"0\" skipped=\"0\" time=\"" << Secs(total_us) << "\" timestamp=\""
    << stamp << "\">\n";
  for (const auto& r : results) {
    x << "    <testcase classname=\"odoo-prober." << Xml(r.target) << "\" name=\"" << Xml(r.journey)
      << "\" time=\"" << Secs(r.duration_us) << "\">\n";
    if (r.ok() && !r.CleanedUp()) {
      std::string detail;
      for (const auto& rec : r.records) {
        if (rec.status != "ok")
          detail += rec.model + " " + std::to_string(rec.id) + ": " + rec.detail + "\n";
      }
      x << "      <failure type=\"cleanup\" message=\"" << Xml("cleanup failed: " + detail) << "\">"
        << Xml(detail) << "</failure>\n";
    }
    if (!r.ok()) {
      x << "      <failure type=\"" << prober::OutcomeName(r.outcome) << "\" message=\""
        << Xml("step " + r.failed_step + ": " + std::string(prober::OutcomeName(r.outcome)) + ": " +
               r.detail)
        << "\">" << Xml("failed step: " + r.failed_step + "\n" + r.detail) << "</failure>\n";
    }
    std::ostringstream steps;
    steps << "run " << r.run_id << " on Odoo " << r.server_major << " via " << r.protocol << "\n";
    for (const auto& s : r.steps) {
      steps << s.name << ": " << prober::OutcomeName(s.outcome) << " in "
            << Secs(s.timings.total_us) << " s" << (s.detail.empty() ? "" : " (" + s.detail + ")")
            << "\n";
    }
    for (const auto& rec : r.records) {
      steps << "cleanup " << rec.model << " " << rec.id << ": " << rec.status
            << (rec.detail.empty() ? "" : " (" + rec.detail + ")") << "\n";
    }
    x << "      <system-out>" << Xml(steps.str()) << "</system-out>\n"
      << "    </testcase>\n";
  }
  x << "  </testsuite>\n</testsuites>\n";
  return x.str();
}

}  // namespace odoo_prober::runners
