// `odoo-prober sweep`: probe-tagged records left behind, found per target and neutralised with
// the journeys' own cleanup recipes, each read back afterwards.
#include <algorithm>
#include <set>
#include <tuple>

#include "prober/clock.h"
#include "prober/text.h"
#include "runners/cli/command.h"
#include "runners/engine/exit_codes.h"
#include "runners/engine/plan.h"
#include "runners/interpreter/journey_runner.h"

namespace odoo_prober::runners::cli {
namespace {

using nlohmann::json;

struct SweepOptions {
  std::string config_path;
  // Only records created at least this long ago (a running journey's are younger).
  std::chrono::seconds older_than{3600};
  // Records that look final (their state is) are read back with their recipe's checks when
  // they were created within this span before --older-than: a received order whose return was
  // left open, say. 0 turns the recheck off; a long span finds what older versions left.
  std::chrono::seconds recheck{7200};
  bool dry_run = false;
  std::vector<std::string> targets;
};

std::string OdooTime(std::chrono::system_clock::time_point tp) {
  return prober::FormatUtc(tp, "%Y-%m-%d %H:%M:%S");
}

// A record of one database: (URL, database, model, id). Two targets on one database (two
// plants' companies, say) find the same records; each is listed and handled once.
using RecordKey = std::tuple<std::string, std::string, std::string, int64_t>;

// One target's sweep: a logged-in client and what was found on it.
class TargetSweep {
 public:
  TargetSweep(const SweepOptions& options, const JourneyRunner& runner,
              const config::TargetConfig& target, prober::OdooClient& client,
              std::set<RecordKey>& seen, std::ostream& out, std::ostream& err)
      : options_(options),
        runner_(runner),
        target_(target),
        client_(client),
        seen_(seen),
        out_(out),
        err_(err) {
    const auto now = prober::RealClock().Now();
    cutoff_ = OdooTime(now - options.older_than);
    recheck_from_ = OdooTime(now - options.older_than - options.recheck);
    if (target.company_id > 0) context_["allowed_company_ids"] = json::array({target.company_id});
  }

  // Every recipe's model: open records neutralised, final-looking ones rechecked; then one line
  // saying what was searched and what was found.
  bool Run(const std::map<std::string, scenarios::CleanupRecipe>& recipes) {
    int models = 0;
    for (const auto& [model, recipe] : recipes) {
      if (recipe.ref_field.empty()) continue;
      ++models;
      SweepOpen(model, recipe);
      if (options_.recheck.count() > 0) Recheck(model, recipe);
    }
    out_ << target_.name << " (" << target_.client.base_url << ", database "
         << target_.client.database << "): searched " << models
         << " models for probe-* records created before " << cutoff_ << " UTC";
    if (options_.recheck.count() > 0)
      out_ << " (final ones rechecked from " << recheck_from_ << ")";
    out_ << ": ";
    if (found_ == 0) {
      out_ << (ok_ ? "nothing left behind" : "nothing found (some searches failed, see above)");
    } else {
      out_ << found_ << (options_.dry_run ? " to neutralise" : " neutralised or attempted");
    }
    if (already_ > 0) out_ << "; " << already_ << " already listed for a target on this database";
    out_ << "\n";
    return ok_;
  }

 private:
  // Records still open: their recipe neutralises them.
  void SweepOpen(const std::string& model, const scenarios::CleanupRecipe& recipe) {
    const auto open =
        Find(model, recipe, json::array({json::array({"state", "not in", recipe.final_states})}));
    for (const auto& rec : open) {
      if (!First(model, rec)) continue;
      Describe(model, recipe, rec);
      Neutralise(model, rec);
    }
  }

  // Records that look final: read back with their recipe's checks; finished if they fail.
  void Recheck(const std::string& model, const scenarios::CleanupRecipe& recipe) {
    const auto done = Find(model, recipe,
                           {json::array({"state", "in", recipe.final_states}),
                            json::array({"create_date", ">=", recheck_from_})});
    for (const auto& rec : done) {
      if (!First(model, rec)) continue;
      auto check = runner_.CheckCleanedUp(client_, target_, model, rec["id"].get<int64_t>(),
                                          client_.server_major());
      if (check.status == "ok") continue;
      Describe(model, recipe, rec);
      out_ << " needs cleanup: " << check.detail << ";";
      Neutralise(model, rec);
    }
  }

  // Tagged records of `model` created before the cutoff, matching `extra`.
  json Find(const std::string& model, const scenarios::CleanupRecipe& recipe, json extra) {
    json domain = json::array({json::array({recipe.ref_field, "=like", "probe-%"}),
                               json::array({"create_date", "<=", cutoff_})});
    for (auto& leaf : extra) domain.push_back(std::move(leaf));
    json kwargs = {{"fields", {"id", "state", recipe.ref_field}}, {"order", "id"}};
    if (!context_.empty()) kwargs["context"] = context_;
    auto found =
        client_.CallKw(model, "search_read", json::array({domain}), kwargs, prober::kNoDeadline);
    if (!found.ok()) {
      err_ << target_.name << ": cannot search " << model << ": " << found.detail << "\n";
      ok_ = false;
      return json::array();
    }
    return found.result.is_array() ? found.result : json::array();
  }

  // Whether `rec` is met here first; a record another target on this database met is counted,
  // not listed again.
  bool First(const std::string& model, const json& rec) {
    // base_url as the loader keeps it: without a trailing '/'.
    const RecordKey key{target_.client.base_url, target_.client.database, model,
                        rec["id"].get<int64_t>()};
    if (seen_.insert(key).second) return true;
    ++already_;
    return false;
  }

  void Describe(const std::string& model, const scenarios::CleanupRecipe& recipe, const json& rec) {
    ++found_;
    out_ << target_.name << " " << model << " " << rec["id"].get<int64_t>() << " "
         << rec.value(recipe.ref_field, json("")).dump() << " "
         << (rec.value("state", json("")).is_string() ? rec["state"].get<std::string>() : "");
  }

  void Neutralise(const std::string& model, const json& rec) {
    if (options_.dry_run) {
      out_ << " would be neutralised\n";
      return;
    }
    auto rc = runner_.Neutralise(client_, target_, model, rec["id"].get<int64_t>(),
                                 client_.server_major());
    out_ << " " << rc.status << (rc.state.empty() ? "" : ", now " + rc.state)
         << (rc.detail.empty() ? "" : " (" + rc.detail + ")") << "\n";
    ok_ = ok_ && rc.status == "ok";
  }

  const SweepOptions& options_;
  const JourneyRunner& runner_;
  const config::TargetConfig& target_;
  prober::OdooClient& client_;
  std::set<RecordKey>& seen_;
  std::ostream& out_;
  std::ostream& err_;
  std::string cutoff_, recheck_from_;
  json context_ = json::object();
  bool ok_ = true;
  int found_ = 0, already_ = 0;
};

// Finds probe-tagged records older than the given age that are not in a final state, or that
// look final but fail their recipe's checks (within the recheck span), and neutralises them with
// the cleanup recipes, each read back afterwards.
int RunSweep(const SweepOptions& options, const Context& context) {
  std::ostream& out = context.out;
  std::ostream& err = context.err;
  auto loaded = LoadChecked(options.config_path, context.identity, err);
  if (!loaded.ok()) return kExitUsage;
  JourneyRunner runner(prober::RealClock(), loaded->catalog, CurlFactory());
  bool all_ok = true;
  std::set<RecordKey> seen;
  for (const auto& target : loaded->config.targets) {
    if (!options.targets.empty() && std::find(options.targets.begin(), options.targets.end(),
                                              target.name) == options.targets.end()) {
      continue;
    }
    auto client = prober::CreateCurlOdooClient(target.client, prober::RealClock());
    if (!client.ok()) {
      err << target.name << ": " << client.status().message() << "\n";
      all_ok = false;
      continue;
    }
    auto login = (*client)->Authenticate(prober::kNoDeadline);
    if (!login.ok()) {
      err << target.name << ": cannot log in: " << login.detail << "\n";
      all_ok = false;
      continue;
    }
    TargetSweep sweep(options, runner, target, **client, seen, out, err);
    all_ok = sweep.Run(loaded->catalog.recipes) && all_ok;
  }
  return all_ok ? kExitOk : kExitJourneyFailed;
}

class Sweep final : public Command {
 public:
  CLI::App* Add(CLI::App& app) override {
    auto* c = app.add_subcommand(
        "sweep", "Find and neutralise probe records left behind (older than --older-than)");
    c->add_option("CONFIG", o_.config_path, "Configuration file (YAML)")->required();
    c->add_option("--older-than", older_than_,
                  "Only records created before this long ago (e.g. 30m, 2h)")
        ->capture_default_str();
    c->add_option("--recheck", recheck_,
                  "Also read back records that look final and were created within this span "
                  "before --older-than, with their recipe's checks (0 turns it off)")
        ->capture_default_str();
    c->add_flag("--dry-run", o_.dry_run, "Only list what would be neutralised");
    c->add_option("--target", o_.targets, "Only this target (repeatable)");
    return c->footer(kExitCodes);
  }
  int Run(const Context& context) override {
    const auto age = DurationArg<std::chrono::seconds>(older_than_);
    const auto span = recheck_ == "0" ? std::optional(std::chrono::seconds(0))
                                      : DurationArg<std::chrono::seconds>(recheck_);
    if (!age) {
      context.err << "--older-than: not a duration: " << older_than_ << " (e.g. 30m, 2h)\n";
      return kExitUsage;
    }
    if (!span) {
      context.err << "--recheck: not a duration: " << recheck_ << " (e.g. 2h, 30d, or 0)\n";
      return kExitUsage;
    }
    o_.older_than = *age;
    o_.recheck = *span;
    return RunSweep(o_, context);
  }

 private:
  SweepOptions o_;
  std::string older_than_ = "1h", recheck_ = "2h";
};

}  // namespace

std::unique_ptr<Command> NewSweep() { return std::make_unique<Sweep>(); }

}  // namespace odoo_prober::runners::cli
