// `odoo-prober sweep`: probe-tagged records left behind, found per target and neutralised with
// the journeys' own cleanup recipes, each read back afterwards.
#include <algorithm>

#include "prober/clock.h"
#include "prober/text.h"
#include "runners/commands.h"

namespace odoo_prober::runners {

using nlohmann::json;

namespace {

std::string OdooTime(std::chrono::system_clock::time_point tp) {
  return prober::FormatUtc(tp, "%Y-%m-%d %H:%M:%S");
}

// One target's sweep: a logged-in client and what was found on it.
class TargetSweep {
 public:
  TargetSweep(const SweepOptions& options, const JourneyRunner& runner,
              const config::TargetConfig& target, prober::OdooClient& client, std::ostream& out,
              std::ostream& err)
      : options_(options), runner_(runner), target_(target), client_(client), out_(out), err_(err) {
    const auto now = prober::RealClock().Now();
    cutoff_ = OdooTime(now - options.older_than);
    recheck_from_ = OdooTime(now - options.older_than - options.recheck);
    if (target.company_id > 0) context_["allowed_company_ids"] = json::array({target.company_id});
  }

  // Every recipe's model: open records neutralised, final-looking ones rechecked.
  bool Run(const std::map<std::string, scenarios::CleanupRecipe>& recipes) {
    for (const auto& [model, recipe] : recipes) {
      if (recipe.ref_field.empty()) continue;
      SweepOpen(model, recipe);
      if (options_.recheck.count() > 0) Recheck(model, recipe);
    }
    return ok_;
  }

 private:
  // Records still open: their recipe neutralises them.
  void SweepOpen(const std::string& model, const scenarios::CleanupRecipe& recipe) {
    const auto open =
        Find(model, recipe, json::array({json::array({"state", "not in", recipe.final_states})}));
    for (const auto& rec : open) {
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

  void Describe(const std::string& model, const scenarios::CleanupRecipe& recipe, const json& rec) {
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
  std::ostream& out_;
  std::ostream& err_;
  std::string cutoff_, recheck_from_;
  json context_ = json::object();
  bool ok_ = true;
};

}  // namespace

int RunSweep(const SweepOptions& options, std::ostream& out, std::ostream& err) {
  auto loaded = LoadChecked(options.config_path, err);
  if (!loaded.ok()) return kExitUsage;
  JourneyRunner runner(prober::RealClock(), loaded->catalog, CurlFactory());
  bool all_ok = true;
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
    TargetSweep sweep(options, runner, target, **client, out, err);
    all_ok = sweep.Run(loaded->catalog.recipes) && all_ok;
  }
  return all_ok ? kExitOk : kExitJourneyFailed;
}

}  // namespace odoo_prober::runners
