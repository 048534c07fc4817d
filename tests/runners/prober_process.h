// Runs the odoo-prober binary under test (ODOO_PROBER_BIN) with arguments and environment.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "tests/support/support.h"

namespace odoo_prober::testing {

inline ProcessResult RunProber(const std::vector<std::string>& args,
                               const std::map<std::string, std::string>& env = {}) {
  std::vector<std::string> argv = {ODOO_PROBER_BIN};
  argv.insert(argv.end(), args.begin(), args.end());
  return RunProcess(argv, env);
}

}  // namespace odoo_prober::testing
