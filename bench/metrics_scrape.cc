// metrics_scrape: how long a /metrics exposition of a large instance takes to write, and its
// size. Declares N (journey, target) pairs, as the daemon does, records one run of a two-step
// journey for each, then serialises --rounds times and prints the bytes, the series and the
// median time. No network: bench/run measures the scrape over HTTP.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <iostream>
#include <string>
#include <vector>

#include "results/metrics.h"

int main(int argc, char** argv) {
  CLI::App app{"Times Metrics::Serialize() for a large instance"};
  int pairs = 5000, rounds = 5;
  app.add_option("--pairs", pairs, "(journey, target) pairs")->capture_default_str();
  app.add_option("--rounds", rounds, "Serialisations timed")->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  using odoo_prober::results::Metrics;
  Metrics metrics("prober-eu-west-0", "0.1.0");
  for (int i = 0; i < pairs; ++i) {
    const std::string target = "plant-" + std::to_string(i);
    const odoo_prober::config::Labels labels{"eu-west", "plant-" + std::to_string(i % 50), "prod"};
    metrics.DeclarePair({"login", target, labels, "access", {}, std::chrono::seconds(60)});
    odoo_prober::results::JourneyResult r;
    r.journey = "login";
    r.target = target;
    r.labels = labels;
    r.started_at = std::chrono::system_clock::now();
    r.duration_us = 120000 + i;
    for (const char* step : {"authenticate", "read_user"}) {
      odoo_prober::results::StepResult s;
      s.name = step;
      s.timings = {100, 300, 2000, 40000, 60000};
      r.steps.push_back(s);
    }
    metrics.Observe(r);
  }
  std::vector<double> ms;
  size_t bytes = 0, series = 0;
  for (int i = 0; i < rounds; ++i) {
    const auto t = std::chrono::steady_clock::now();
    const std::string text = metrics.Serialize();
    ms.push_back(
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t).count());
    bytes = text.size();
    series = 0;
    for (size_t at = 0; at < text.size(); at = text.find('\n', at) + 1) {
      if (text[at] != '#') ++series;
    }
  }
  std::sort(ms.begin(), ms.end());
  std::cout << pairs << " pairs: " << bytes << " bytes, " << series << " series, median "
            << ms[ms.size() / 2] << " ms to serialise\n";
  return 0;
}
