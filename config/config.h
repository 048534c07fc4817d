// The prober's configuration: an immutable ProberConfig, loaded once from YAML.
//
// LoadConfig reads the file, resolves secret references (environment variables and files; an
// inline secret is refused), validates everything and reports every problem of the file in one
// pass, each naming file:line:column and the field and saying how to fix it. Components get
// the parts they need by const reference and never read files or the environment themselves.
//
// Schema version 1 (config/examples/prober.yaml is the commented reference):
//   version: 1
//   defaults: {timeout, connect_timeout, max_response_bytes}
//   targets: [{name, url, database, protocol, login, password_env|password_file|api_key_env|
//              api_key_file, timeout, connect_timeout, max_response_bytes,
//              tls: {ca_file, client_cert, client_key, insecure_skip_verify},
//              labels: {region, plant, env}, company_id, params: {...}}]
//   journeys: [{name, targets: [target names]; all targets when omitted, params: {...},
//               service: order-to-cash, stock_moves: refused|allowed}]
//   journey_dirs: [folders of user journeys]
//   plants: {<plant label>: {params: {...}, business_hours: [{days: [mon, tue, wed, thu, fri],
//            from: "07:00", to: "19:00", time_zone: Europe/Paris}]}}
//   concurrency: 4, per_target_concurrency: 2
//   instance: prober-lyon-1
//   admin: {listen: "127.0.0.1:9188", tls_cert, tls_key, basic_auth_file}
//   results: {jsonl, jsonl_max_bytes, jsonl_keep, sqlite, retention_days, queue}
//   objectives: {availability: 99.5%, latency: {under: 3s, ratio: 95%}, window: 28d,
//                min_failures: 3, journeys: {<journey>: {availability, latency, window,
//                min_failures}}}
//   regions_dir: regions   (region files, read with --region; see RegionConfig)
//   tls_check_interval: 6h; targets[].tls: {expiry_critical: 7d, expiry_warning: 30d}
//   leftovers: {retry_min: 1m, retry_max: 30m, alert_after: 1h, max_records: 1000}
//   targets[].maintenance: [{days: [sat, sun], from: "22:00", to: "02:00", time_zone:
//   Europe/Brussels}] journeys[].interval: 60s
//   dependencies: [{name, kind: http|tcp|dns, used_by, ...}] (DependencyConfig below)
//   fingerprint_interval: 15m   (how often `run` looks for changes on each target)
//
// Thread-safety: a loaded ProberConfig is immutable and may be shared between threads.
// Extending: a new field is a member here with a default and a comment, a key in the loader's
// list of known keys, and a line in the example.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "prober/dependency_check.h"
#include "prober/odoo_client.h"
#include "prober/status.h"
#include "prober/time_zone.h"

namespace odoo_prober::config {

// The business services the shipped journeys prove; a journey may name another.
inline const std::vector<std::string>& KnownServices() {
  static const std::vector<std::string> known = {"order-to-cash", "procure-to-pay", "manufacturing",
                                                 "record-to-report", "access"};
  return known;
}
// Whether `hash` is a crypt(3) hash the admin's basic auth takes: bcrypt ("$2y$", "$2b$",
// "$2a$") or SHA-256 crypt ("$5$").
bool SupportedPasswordHash(const std::string& hash);

// Whether `value` can be a metric label value the prober writes (a target, instance, region,
// plant or journey id): 1 to 64 letters, digits, '_', '-' or '.'.
bool IsLabelValue(const std::string& value);
inline constexpr size_t kLabelValueMax = 64;
inline constexpr const char* kLabelValueRule =
    "use at most 64 letters, digits, '_', '-' or '.' (it becomes a metric label)";
// `value` made a label value: each other character becomes '_', cut at kLabelValueMax; "" stays
// "" (host names become instance names this way).
std::string ToLabelValue(std::string value);

// "" when `name` can be a service name (lower-case letters, digits and '-', starting with a
// letter, at most 40 characters); otherwise what is wrong and how to write one.
std::string CheckServiceName(const std::string& name);

// Where something was written: 1-based line and column, as editors show them.
struct SourcePos {
  std::string file;
  int line = 0;
  int column = 0;
  std::string ToString() const;  // "file:line:column"
};

// Low-cardinality labels attached to every metric and result of a target.
struct Labels {
  std::string region;  // e.g. "eu-west"
  std::string plant;   // e.g. "lyon"
  std::string env;     // e.g. "prod", "staging"
};

// A weekly window of local time: a target's maintenance (not probed; its pairs report "in
// maintenance") or a plant's business hours.
struct WeeklyWindow {
  uint8_t days = 0x7f;  // bit 0 = Sunday ... bit 6 = Saturday
  int from_minute = 0;  // local time of day; a window with from > to runs past midnight
  int to_minute = 0;
  std::shared_ptr<const prober::TimeZone> zone;
  // Whether `when` falls in the window.
  bool Contains(std::chrono::system_clock::time_point when) const;
};

struct TargetConfig {
  // Unique, metric-label-safe name ([A-Za-z0-9_.-]).
  std::string name;
  // URL, database, login, resolved credentials, protocol, timeouts and TLS options.
  prober::ClientOptions client;
  Labels labels;
  // TLS findings: certificate expiry closer than these is critical / a warning.
  std::chrono::hours tls_expiry_critical{24 * 7};
  std::chrono::hours tls_expiry_warning{24 * 30};
  // The probe company: every call carries allowed_company_ids=[company_id]; 0: none.
  int company_id = 0;
  // Journey parameters for this target (they override the journey's and the plant's).
  nlohmann::json params = nlohmann::json::object();
  std::vector<WeeklyWindow> maintenance;
  SourcePos pos;
};

// One entry of `journeys:`: a journey and the targets it runs on.
struct JourneySelection {
  // The journey definition (a built-in journey or a user journey's `name:`).
  std::string name;
  // What the probe is called (`id:`; default: `name`): the `journey` label and the key of its
  // results, /status row, objectives and compare budgets. Two entries running the same journey
  // on the same target need distinct ids.
  std::string id;
  // Target names; empty means every target.
  std::vector<std::string> targets;
  // Parameters for this journey (override the journey's defaults).
  nlohmann::json params = nlohmann::json::object();
  // How often `run` starts this journey on each of its targets.
  std::chrono::milliseconds interval{60000};
  // Overrides the journey's own timeout (it may not exceed the interval).
  std::optional<std::chrono::milliseconds> timeout;
  // Overrides the business service the journey declares (`service:` in its YAML).
  std::optional<std::string> service;
  // Export a latency histogram per step (buckets 5 ms to 60 s) rather than only each step's
  // count and total time: 15 more series per step and pair, for the journeys worth them.
  bool step_histograms = false;
  // `stock_moves: allowed`: the products the journey moves or reserves (its `stock:` list) may
  // keep stock, because their stock belongs to the probe: no real delivery or order ever waits
  // for it. Otherwise (the default, `refused`) a run refuses such a product before any write.
  bool stock_moves_allowed = false;
  SourcePos pos;
};

// One plant of a region: the plant label, the target that serves it, its journey parameters
// (company, warehouse, ...) over the target's.
struct RegionPlant {
  std::string name;
  std::string target;
  nlohmann::json params = nlohmann::json::object();
  int company_id = 0;  // the plant's probe company; 0: the target's
  SourcePos pos;
};

// A region (regions/<name>.yaml next to the config, or `regions_dir`): where a prober instance
// stands and what it probes from there. An instance started with --region NAME loads the base
// config and then its region's file, which narrows the targets to the region's plants, stamps
// region and plant on them, and may replace `journeys:` (entries name `plants:`, not targets).
struct RegionConfig {
  std::string name;
  std::string file;
  // Where it stands: cloud, zone, country (odoo_prober_instance_info's labels).
  std::map<std::string, std::string> labels;
  std::vector<RegionPlant> plants;
  // Instances that run this region side by side (HA); each takes its share of every interval.
  int replicas = 1;
};

// A service level objective for a journey's runs (`objectives:`).
struct Objective {
  // Availability: this share of runs succeed (and clean up).
  double availability = 0.995;
  // Latency: `latency_ratio` of runs take at most `latency_under`.
  std::chrono::milliseconds latency_under{3000};
  double latency_ratio = 0.95;
  // The SLO window the error budget is counted over: 7, 28 or 30 days (the windows the shipped
  // rules record the remaining budget over). Each burn-rate alert stands for a share of the
  // budget (config/objectives.h), so its threshold follows the window.
  std::chrono::hours window{28 * 24};
  // A burn-rate alert needs at least this many failed (or slow) runs in its long window besides
  // the burn rate: a prober makes few runs an hour, and one transient failure is no incident.
  int min_failures = 3;
};

struct Objectives {
  Objective defaults;
  std::map<std::string, Objective> journeys;  // by journey name; unset fields take defaults
  const Objective& For(const std::string& journey) const {
    auto it = journeys.find(journey);
    return it == journeys.end() ? defaults : it->second;
  }
};

// `compare:` — what `odoo-prober compare` accepts between two environments:
//   compare:
//     latency_budget: 1.2            # candidate p95 <= 1.2 x baseline p95 (default)
//     latency_budgets: {goods_receipt: 1.5}
//     ignore_below: 5ms              # p95 slowdowns this small never count (default 5ms)
//     expect_different: [server_version, {modules: [sale_stock]}]
//     allow_protocol_change: false   # judge latency between sides on different protocols
struct CompareConfig {
  double latency_budget = 1.2;
  std::map<std::string, double> latency_budgets;  // by journey
  std::chrono::milliseconds ignore_below{5};
  std::set<std::string> expect_different;  // fingerprint items (results::FingerprintItems)
  std::set<std::string> expect_modules;    // modules whose difference is expected
  bool expect_all_modules = false;         // `modules` without a list
  bool allow_protocol_change = false;
};

// `leftovers:` — the probe records whose cleanup failed, which `run` keeps and retries
// (runners/engine/leftovers.h):
//   leftovers:
//     retry_min: 1m        # the first retry after the failed cleanup; then twice as long each
//     retry_max: 30m       # time, at most this
//     alert_after: 1h      # OdooProberLeftoverRecords (a ticket) once a record stays open longer
//     max_records: 1000    # kept at most; beyond, counted and left to `odoo-prober sweep`
struct LeftoverConfig {
  std::chrono::milliseconds retry_min{60 * 1000};
  std::chrono::milliseconds retry_max{30 * 60 * 1000};
  std::chrono::milliseconds alert_after{3600 * 1000};
  size_t max_records = 1000;
};

// One entry of `dependencies:` (config/dependencies.cc): a service a plant's ERP needs besides
// Odoo (identity provider, API gateway, barcode service, carrier API, VPN), checked on its own
// schedule by `run` (not by `once`), with the business services that depend on it:
//   dependencies:
//     - name: idp                      # the `dependency` label: at most 64 [A-Za-z0-9_.-]
//       kind: http                     # http | tcp | dns
//       url: https://idp.example.com/health
//       method: GET                    # default GET
//       headers: [{name: Authorization, prefix: "Bearer ", value_env: IDP_TOKEN}]
//       expect_status: [200]           # default any 2xx; redirects are never followed
//       expect_body: '"status":\s*"UP"' # a regex; or expect_json: {path: $.status, equals: UP}
//       used_by: [order-to-cash, access]
//       severity: page                 # page | ticket: OdooDependencyDown's
//       targets: [lyon-prod]           # or plants: [...], regions: [...]; none: everywhere
//       interval: 30s, timeout: 5s, maintenance: [...]
//     - {name: vpn-dc, kind: tcp, host: 10.0.0.1, port: 443, used_by: [manufacturing]}
//     - {name: erp-dns, kind: dns, host: erp.example.com, expect_address: 10.0.0.5, used_by: [...]}
struct DependencyConfig {
  std::string name;
  prober::DependencyProbe probe;  // what is checked, with its timeout
  std::vector<std::string> used_by;
  std::chrono::milliseconds interval{60000};
  bool page = true;  // severity: page (default) or ticket
  // Where it is checked: by instances probing one of these targets, plants (target labels) or
  // standing in one of these regions; all empty: by every instance.
  std::vector<std::string> targets, plants, regions;
  std::vector<WeeklyWindow> maintenance;
  SourcePos pos;
};

struct ProberConfig {
  // The file it was loaded from.
  std::string path;
  int version = 1;
  std::vector<TargetConfig> targets;
  std::vector<JourneySelection> journeys;
  // Folders with user journey files (*.yaml), next to the built-in ones.
  std::vector<std::string> journey_dirs;
  // Journey parameters per plant label (override the journeys[] entry, overridden by targets).
  std::map<std::string, nlohmann::json> plant_params;
  // Business hours per plant label: `report` counts only the runs that start inside them.
  // A plant without any: every run counts.
  std::map<std::string, std::vector<WeeklyWindow>> plant_business_hours;
  // How many journeys run at the same time (the worker pool of `once` and `run`).
  int concurrency = 4;
  // At most this many journeys at once on one target (do no harm to the ERP).
  int per_target_concurrency = 2;
  // This prober instance's name (metric label `instance`); default: the host name.
  std::string instance;
  // The admin server of `run`: /metrics, /healthz, /readyz, /status.
  std::string admin_listen = "127.0.0.1:9188";
  // HTTPS for the admin endpoints (both or neither; then no plain HTTP), resolved paths.
  std::string admin_tls_cert;
  std::string admin_tls_key;
  // Basic auth for every admin endpoint: the users of admin.basic_auth_file (Prometheus's web
  // config shape, basic_auth_users: {name: hash}) and their crypt(3) hashes; empty: none.
  std::map<std::string, std::string> admin_users;
  // Where `run` keeps results: a JSON-lines file and a SQLite history ("" = off).
  std::string results_jsonl;
  size_t results_jsonl_max_bytes = 64u << 20;
  int results_jsonl_keep = 5;
  std::string results_sqlite;
  int retention_days = 30;
  size_t sink_queue = 1024;
  // The SLOs of the journeys (exported as metrics for the shipped rules, used by `report`).
  Objectives objectives;
  CompareConfig compare;
  LeftoverConfig leftovers;
  // Where region files are (default: regions/ next to the config), and the one loaded, if any.
  std::string regions_dir;
  std::optional<RegionConfig> region;
  // How often `run` reads each target's fingerprint to see what changed on it (release, modules,
  // certificate, company): at start and then this often, but never more often than the target's
  // most frequent journey. 0 (`off`): not watched.
  std::chrono::milliseconds fingerprint_interval{15 * 60 * 1000};
  // The dependency checks (`dependencies:`), in the file's order.
  std::vector<DependencyConfig> dependencies;
  // How often `run` inspects the TLS endpoints of the targets (also once at start).
  std::chrono::milliseconds tls_check_interval{6 * 3600 * 1000};
  // Not errors, but worth a line in the log (insecure TLS, plain HTTP with a password, ...).
  std::vector<std::string> warnings;

  // The target called `name`, or nullptr.
  const TargetConfig* FindTarget(const std::string& name) const;
};

// One problem found in a configuration file.
struct ConfigError {
  SourcePos pos;
  std::string field;             // dotted path: "targets[0].tls.ca_file"
  std::string message;           // what is wrong and how to fix it
  std::string ToString() const;  // "file:line:col: field: message"
};

// Who a prober process is in the fleet, as its command line says (--region, --instance, or
// ODOO_PROBER_REGION, ODOO_PROBER_INSTANCE). A value passed down from main, never a global.
struct Identity {
  // The region it probes from: the region's file is loaded over the config. Empty: none.
  std::string region{};
  // Its name (metric label `instance`); overrides the config's `instance`. Empty: the config's.
  std::string instance{};
};

// How a config is loaded: who loads it, and where environment variables come from (a seam for
// tests).
struct LoadOptions {
  // Returns the variable's value, or nullopt when unset. Default: the process environment.
  std::function<std::optional<std::string>(const std::string&)> getenv;
  Identity identity{};
  // The permission bits of a file (secret files must not be readable by group or others), or
  // nullopt when unknown. Default: stat(2).
  std::function<std::optional<unsigned>(const std::string& path)> file_mode{};
};

// The whole outcome of parsing: the config if there was no error, and every error and warning.
struct ParseOutcome {
  std::optional<ProberConfig> config;
  std::vector<ConfigError> errors;
  std::vector<std::string> warnings;
  // When there were errors: what could be read all the same (entries with a bad field keep
  // their other fields), so that checks reading further (journey names and parameters) can
  // report their problems in the same pass. Never run.
  std::optional<ProberConfig> partial{};
};

// Parses YAML text as if read from `path` (used for positions and for resolving relative
// secret and CA file paths against the file's directory).
ParseOutcome ParseConfig(const std::string& text, const std::string& path,
                         const LoadOptions& options = {});

// Reads and parses the file. Failure: InvalidArgument when the file cannot be read (a folder,
// missing, unreadable); otherwise the outcome, errors included.
prober::Result<ParseOutcome> ReadConfig(const std::string& path, const LoadOptions& options = {});

// Reads and parses the file. Failure: InvalidArgument whose message lists every error, one per
// line, each as "file:line:col: field: message".
prober::Result<ProberConfig> LoadConfig(const std::string& path, const LoadOptions& options = {});

// Every error as one message, one per line, in the order of the file (then as found).
std::string JoinErrors(std::vector<ConfigError> errors);

// Parses "250ms", "10s", "2m", "1h", "7d" or a bare number of seconds. nullopt when malformed.
std::optional<std::chrono::milliseconds> ParseDuration(const std::string& text);
// Writes a duration as ParseDuration reads it, in its largest whole unit: "90s", "5m", "250ms".
std::string FormatDuration(std::chrono::milliseconds d);
// Parses "1024", "64KiB", "16MiB", "1GiB" (also kB/MB/GB). nullopt when malformed.
std::optional<std::size_t> ParseByteSize(const std::string& text);

}  // namespace odoo_prober::config
