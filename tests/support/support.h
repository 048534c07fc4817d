// Test helpers: temporary folders, files, child processes with a deadline, and a running
// emulator with its PKI. Nothing here sleeps to synchronise: processes are waited for, and the
// emulator reports its ports once it listens.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "tests/emulator/emulator.h"
#include "tests/emulator/pki.h"
#include "tests/emulator/server.h"

namespace odoo_prober::testing {

// The sum of the samples of a Prometheus text exposition whose lines start with `prefix`
// ("odoo_prober_journey_runs_total{" sums every series of the family).
double MetricSum(const std::string& text, const std::string& prefix);

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
  // Sends SIGTERM and waits; returns the exit code (-1 when killed by a signal).
  int Stop();
  const std::string& output() const { return out_; }
  int pid() const { return pid_; }

 private:
  int pid_ = -1;
  int out_fd_ = -1;
  std::string out_;
  size_t scanned_ = 0;
};

// An emulator on HTTP and HTTPS on 127.0.0.1, with a generated PKI; stopped on destruction.
class RunningEmulator {
 public:
  explicit RunningEmulator(emulator::EmulatorOptions options = {});
  ~RunningEmulator();
  emulator::OdooEmulator& emulator() { return *emulator_; }
  const emulator::Pki& pki() const { return pki_; }
  std::string http_url() const;
  std::string https_url() const;
  // An HTTPS URL on a second listener that serves the self-signed, untrusted certificate.
  std::string untrusted_https_url() const;

 private:
  TempDir dir_;
  emulator::Pki pki_;
  std::unique_ptr<emulator::OdooEmulator> emulator_;
  std::unique_ptr<emulator::EmulatorServer> server_;
  std::unique_ptr<emulator::EmulatorServer> untrusted_;
};

// Emulator options: a personality, its database, login "admin" and a password.
emulator::EmulatorOptions Personality(const std::string& version,
                                      const std::string& password = "admin",
                                      const std::string& database = "probe");
// Faults that only slow answers down: all of them, or one "model.method".
emulator::Faults SlowEverything(std::chrono::milliseconds delay);
emulator::Faults SlowMethod(const std::string& key, std::chrono::milliseconds delay);

// Calls model.method(*args, **kwargs) on the emulator as Odoo's /jsonrpc execute_kw does (the
// emulator's database, user 2 and password), through its request handler. Returns the result
// (null when Odoo returned None); an Odoo error fails the calling test.
nlohmann::json ExecuteKw(emulator::OdooEmulator& emu, const std::string& model,
                         const std::string& method, nlohmann::json args,
                         nlohmann::json kwargs = nlohmann::json::object());

// The on-hand and reserved quantities of every quant in internal locations, by quant id: what
// a run must leave as it found it.
nlohmann::json StockSnapshot(emulator::OdooEmulator& emu);

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
