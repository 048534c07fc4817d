// Test helpers: temporary folders, files, child processes with a deadline, metrics and results
// read back (the emulator's helpers are in tests/support/emulator_support.h). Nothing here
// sleeps to synchronise: processes are waited for, conditions polled on facts.
#pragma once

#include <signal.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

namespace odoo_prober::testing {

// The sum of the samples of a Prometheus text exposition whose lines start with `prefix`
// ("odoo_prober_journey_runs_total{" sums every series of the family).
double MetricSum(const std::string& text, const std::string& prefix);

// The whole content of the file at `path` ("" when it cannot be read).
std::string ReadText(const std::string& path);

// A fresh folder under $TMPDIR, removed with everything in it on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  // Writes `content` to path()/name with the given mode; returns the full path.
  std::string Write(const std::string& name, const std::string& content, int mode = 0600) const;

 private:
  std::string path_;
};

struct ProcessResult {
  int exit_code = -1;  // -1: killed at the deadline
  std::string out;
  std::string err;
  bool timed_out = false;
};

// Runs argv[0] with arguments, extra environment variables, and a deadline after which the
// child is killed. stdin is /dev/null.
ProcessResult RunProcess(const std::vector<std::string>& argv,
                         const std::map<std::string, std::string>& env = {},
                         std::chrono::seconds deadline = std::chrono::seconds(60));

// Opens `url` in headless Chromium with a fresh profile under `profile_dir`: `out` is the DOM
// after load, `err` the browser's log, where console messages show as "CONSOLE".
ProcessResult RenderInChromium(const std::string& url, const std::string& profile_dir);

// A child process running in the background (a server), stopped with SIGTERM on destruction.
class BackgroundProcess {
 public:
  // kInherit: the child's stderr is the test's (shown when a test fails); kCaptured: it joins
  // stdout, for WaitForLine (read it: an unread pipe blocks a child that writes much).
  enum class Stderr { kInherit, kCaptured };
  BackgroundProcess(const std::vector<std::string>& argv,
                    const std::map<std::string, std::string>& env = {},
                    Stderr stderr_to = Stderr::kInherit);
  ~BackgroundProcess();
  BackgroundProcess(const BackgroundProcess&) = delete;
  BackgroundProcess& operator=(const BackgroundProcess&) = delete;
  // Reads stdout (and a captured stderr) until a line contains `needle`; returns that line, or ""
  // at the deadline or when the process closed its output.
  std::string WaitForLine(const std::string& needle,
                          std::chrono::milliseconds deadline = std::chrono::seconds(20));
  // Sends `sig` (SIGTERM by default) and waits; returns the exit code (-1 when killed by a
  // signal).
  int Stop(int sig = SIGTERM);
  const std::string& output() const { return out_; }
  int pid() const { return pid_; }

 private:
  int pid_ = -1;
  int out_fd_ = -1;
  std::string out_;
  size_t scanned_ = 0;
};

// A port on 127.0.0.1 on which nothing listens (bound, then closed).
uint16_t UnusedPort();

// The journey results of a JSON-lines text (`once --output json`, the results file): blank
// lines and TLS reports ({"type": "tls"}) are skipped.
std::vector<nlohmann::json> JourneyResultLines(const std::string& text);

// Polls `condition` until it holds or the deadline passes; the condition reads the system
// under test (metrics, files, a query), so this waits on facts, not on time.
template <typename F>
bool Eventually(F condition, std::chrono::milliseconds deadline = std::chrono::seconds(20)) {
  const auto end = std::chrono::steady_clock::now() + deadline;
  while (std::chrono::steady_clock::now() < end) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return condition();
}

// A PromQL instant query against the Prometheus server at `base_url` ("http://127.0.0.1:9090"):
// its whole JSON answer (discarded when unreadable).
nlohmann::json PromQuery(const std::string& base_url, const std::string& expr);

// True when `haystack` contains `needle`.
inline bool Contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

}  // namespace odoo_prober::testing
