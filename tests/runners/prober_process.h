// Runs the odoo-prober binary under test (ODOO_PROBER_BIN): once, with arguments and
// environment, or as a daemon in the background with its admin URL.
#pragma once

#include <catch2/catch.hpp>
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

// `odoo-prober [flags...] run CONFIG --grace GRACE` in the background, with its admin URL once
// it listens; stopped with SIGTERM on destruction.
struct ProberDaemon {
  explicit ProberDaemon(const std::string& config, const std::string& grace = "20",
                        BackgroundProcess::Stderr log = BackgroundProcess::Stderr::kInherit,
                        const std::vector<std::string>& flags = {})
      : process(Argv(config, grace, flags), {}, log) {
    const std::string line = process.WaitForLine("listening on http://");
    REQUIRE_FALSE(line.empty());
    const auto start = line.find("http://");
    url = line.substr(start, line.find(' ', start) - start);
  }
  BackgroundProcess process;
  std::string url;

 private:
  static std::vector<std::string> Argv(const std::string& config, const std::string& grace,
                                       const std::vector<std::string>& flags) {
    std::vector<std::string> argv = {ODOO_PROBER_BIN};
    argv.insert(argv.end(), flags.begin(), flags.end());
    argv.insert(argv.end(), {"run", config, "--grace", grace});
    return argv;
  }
};

// The body of a GET (curl, 5 s at most); "" when it failed.
inline std::string HttpGet(const std::string& url) {
  return RunProcess({"/usr/bin/curl", "-sS", "--max-time", "5", url}).out;
}

}  // namespace odoo_prober::testing
