// JUnit XML, the one writer of it: `once` (one test case per journey x target run) and
// `compare` (one per journey aspect and fingerprint item) describe their cases, this writes them
// (testsuites > testsuite > testcase, with failure, skipped and system-out), escaped.
//
// Thread-safety: pure functions.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "results/journey_result.h"

namespace odoo_prober::results {

struct JUnitCase {
  std::string classname, name;
  std::optional<double> seconds;  // the time attribute, when known
  struct Failure {
    std::string type;  // "" for none
    std::string message, text;
  };
  std::vector<Failure> failures;
  std::optional<std::string> skipped;  // its message, when skipped (and not failed)
  std::optional<std::string> system_out;
};

struct JUnitReport {
  std::string name;       // of the testsuites
  std::string suite;      // of the one testsuite
  std::string timestamp;  // ISO 8601, of the testsuite
  std::optional<double> seconds;
  bool errors_attribute = false;  // errors="0" on both levels (run results)
  bool skipped_on_testsuites = false;
  std::vector<JUnitCase> cases;
};

std::string WriteJUnit(const JUnitReport& report);

// `once`'s report: one case per run (classname odoo-prober.<target>, name the journey id), a
// failure for a failed run (its outcome as the type, the failing step) and one for a failed
// cleanup, the steps' timings and the cleanups as system-out.
std::string RunsJUnit(const std::vector<JourneyResult>& results,
                      std::chrono::system_clock::time_point when);

}  // namespace odoo_prober::results
