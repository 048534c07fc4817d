// JUnit XML for CI systems: one test case per journey x target, failures with the failing
// step, the outcome as the failure type and the step timings as system-out.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "results/journey_result.h"

namespace odoo_prober::runners {

std::string ToJUnit(const std::vector<results::JourneyResult>& results,
                    std::chrono::system_clock::time_point when);

}  // namespace odoo_prober::runners
