// `odoo-prober tls URL|HOST:PORT`: inspects one TLS endpoint ad hoc and prints its findings.
// Exit 0 when nothing critical or warning was found, 1 otherwise, 2 for usage errors.
#include <chrono>
#include <ctime>
#include <string>

#include "prober/clock.h"
#include "prober/text.h"
#include "prober/tls_inspector.h"
#include "results/tls_findings.h"
#include "runners/cli/command.h"
#include "runners/engine/exit_codes.h"
#include "runners/engine/tls_checks.h"

namespace odoo_prober::runners::cli {
namespace {

struct TlsOptions {
  std::string endpoint;  // https://host[:port][/...] or host:port
  std::string ca_file;
  std::string servername;  // SNI and the name checked; default: the host
  bool json = false;
  std::chrono::milliseconds timeout{10000};
  results::TlsThresholds thresholds;
};

int RunTls(const TlsOptions& options, std::ostream& out, std::ostream& err) {
  prober::TlsInspectOptions o;
  if (!ParseEndpoint(options.endpoint, &o.host, &o.port)) {
    err << options.endpoint << ": not an endpoint; give https://host[:port] or host:port\n";
    return kExitUsage;
  }
  o.servername = options.servername;
  o.ca_file = options.ca_file;
  o.timeout = options.timeout;
  const auto inspection = prober::InspectTls(o);
  const auto now = prober::RealClock().Now();
  const auto findings = results::EvaluateTls(inspection, now, options.thresholds);
  bool serious = false;
  for (const auto& f : findings) serious = serious || f.severity != results::Severity::kInfo;
  if (options.json) {
    auto j = results::ToJson(inspection, findings);
    j["endpoint"] = o.host + ":" + std::to_string(o.port);
    out << prober::DumpJson(j) << "\n";
  } else {
    out << o.host << ":" << o.port << "  " << prober::OutcomeName(inspection.outcome);
    if (inspection.outcome == prober::Outcome::kOk) {
      out << "  " << inspection.tls_version << " " << inspection.cipher
          << (inspection.trusted ? "  trusted" : "  NOT trusted")
          << (inspection.hostname_ok ? "" : "  NAME MISMATCH")
          << (inspection.ocsp_stapled ? "  OCSP stapled" : "");
    }
    out << "\n";
    if (const int64_t expiry = results::ChainExpiry(inspection); expiry > 0) {
      out << "  chain expires "
          << prober::FormatUtc(std::chrono::system_clock::from_time_t(expiry),
                               "%Y-%m-%d %H:%M:%S UTC")
          << "\n";
    }
    for (const auto& c : inspection.presented) {
      out << "  presented: " << c.subject << " (" << c.key_type << " " << c.key_bits << ", "
          << c.signature_algorithm << ")\n";
    }
    if (findings.empty()) out << "  no findings\n";
    for (const auto& f : findings) {
      out << "  " << results::SeverityName(f.severity) << "  " << f.kind
          << (f.certificate.empty() ? "" : "  " + f.certificate) << ": " << f.detail << "\n";
    }
  }
  return serious ? kExitJourneyFailed : kExitOk;
}

class Tls final : public Command {
 public:
  CLI::App* Add(CLI::App& app) override {
    auto* c =
        app.add_subcommand("tls", "Inspect one TLS endpoint: chain, expiry, host name, findings");
    c->add_option("ENDPOINT", o_.endpoint, "https://host[:port] or host:port")->required();
    c->add_option("--ca", o_.ca_file, "Trust this CA bundle instead of the system store");
    c->add_option("--servername", o_.servername,
                  "Name for SNI and the host-name check (default: the host)");
    c->add_option("--output", output_, "Output: table (default) or json (one JSON object)")
        ->check(CLI::IsMember({"table", "json"}));
    c->add_option("--timeout", timeout_, "Deadline for connect and handshake")
        ->capture_default_str();
    c->add_option("--critical", critical_, "Expiry closer than this is critical")
        ->capture_default_str();
    c->add_option("--warning", warning_, "Expiry closer than this is a warning")
        ->capture_default_str();
    return c->footer(
        "Exit codes:\n  0  no critical or warning finding\n  1  at least one critical or "
        "warning finding\n  2  usage error\n  3  internal error");
  }
  int Run(const Context& context) override {
    const auto timeout = DurationArg<std::chrono::milliseconds>(timeout_);
    const auto critical = DurationArg<std::chrono::hours>(critical_);
    const auto warning = DurationArg<std::chrono::hours>(warning_);
    if (!timeout || !critical || !warning) {
      context.err << "--timeout, --critical and --warning take durations such as 10s, 7d, 30d\n";
      return kExitUsage;
    }
    o_.timeout = *timeout;
    o_.thresholds = {*critical, *warning};
    o_.json = output_ == "json";
    return RunTls(o_, context.out, context.err);
  }

 private:
  TlsOptions o_;
  std::string output_ = "table", timeout_ = "10s", critical_ = "7d", warning_ = "30d";
};

}  // namespace

std::unique_ptr<Command> NewTls() { return std::make_unique<Tls>(); }

}  // namespace odoo_prober::runners::cli
