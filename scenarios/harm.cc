// CheckHarm (journey.h): what a journey's steps could change beyond the records it creates.
// A probe runs against production every minute: a record it creates and does not register is
// left behind on every run, a write on a record it did not create changes real data, and a
// settings model or a wizard button that changes a company-wide setting changes how the whole
// company works (stock_sms's "don't send SMS" turns the confirmation SMS off for everyone).
#include <functional>
#include <map>
#include <set>
#include <string>

#include "prober/text.h"
#include "scenarios/journey.h"

namespace odoo_prober::scenarios {
namespace {

// Methods that create records, and those that change or delete the records they are given.
const std::set<std::string> kCreating = {"create", "copy", "name_create"};
const std::set<std::string> kChanging = {"write", "unlink"};
// What may be called on the models below: reads.
const std::set<std::string> kReads = {
    "read",        "search_read", "search",      "search_count",       "fields_get",
    "name_search", "name_get",    "read_group",  "web_read",           "web_search_read",
    "has_group",   "context_get", "default_get", "check_access_rights"};
// Models whose every change is company- or database-wide.
const std::map<std::string, std::string> kSettingModels = {
    {"res.config.settings", "the database's settings"},
    {"ir.config_parameter", "a system parameter"},
    {"res.company", "a company"},
    {"res.users", "a user (the probe user's read is all a journey needs)"},
    {"ir.module.module", "the installed modules"},
    {"base.module.upgrade", "the installed modules"},
    {"base.module.uninstall", "the installed modules"},
};
// Wizard buttons known to change a company-wide setting as a side effect.
const std::map<std::string, std::string> kSettingButtons = {
    {"dont_send_sms", "turns the company's SMS confirmation of deliveries off (stock_sms)"},
    {"enable_sms", "turns the company's SMS confirmation of deliveries on (stock_sms)"},
    {"send_sms", "marks the company's SMS warning as seen for everyone (stock_sms)"},
    {"button_immediate_install", "installs a module"},
    {"button_immediate_uninstall", "uninstalls a module"},
    {"button_immediate_upgrade", "upgrades a module"},
};
constexpr const char* kHowToSay =
    "; if it truly changes nothing that matters, say why on the step: harmless: \"<why>\"";

std::set<std::string> VarRefs(const json& value) {
  std::set<std::string> names;
  if (auto refs = TemplateRefs(value); refs.ok()) {
    for (const auto& r : *refs)
      if (r.ns == "var") names.insert(r.name);
  }
  return names;
}

void Walk(const Steps& steps, const std::function<void(const Step&)>& each) {
  for (const auto& s : steps) {
    each(s);
    for (const auto& [model, inner] : s.on_action) Walk(inner, each);
  }
}

// The variables that hold the journey's own records: those a `record:` registers, and those
// read from them (a created order's receipt, the receipt's moves), to a fixed point.
std::set<std::string> OwnedVars(const Steps& steps) {
  std::set<std::string> owned;
  Walk(steps, [&](const Step& s) {
    if (s.record) owned.merge(VarRefs(s.record->id));
  });
  for (bool grew = true; grew;) {
    grew = false;
    Walk(steps, [&](const Step& s) {
      if (s.kind != StepKind::kCall || s.save.empty()) return;
      bool from_owned = false;
      for (const auto& v : VarRefs(s.args)) from_owned = from_owned || owned.count(v) > 0;
      for (const auto& v : VarRefs(s.kwargs)) from_owned = from_owned || owned.count(v) > 0;
      if (!from_owned) return;
      for (const auto& [var, path] : s.save) grew = owned.insert(var).second || grew;
    });
  }
  return owned;
}

class HarmCheck {
 public:
  explicit HarmCheck(const Journey& j) : owned_(OwnedVars(j.steps)) {}

  // `dialog`: the wizard model whose on_action handler these steps are ("" for the journey's).
  void Check(const Steps& steps, const std::string& field, const std::string& dialog) {
    for (size_t i = 0; i < steps.size(); ++i) {
      const Step& s = steps[i];
      const std::string sub = field + "[" + std::to_string(i) + "]";
      if (s.harmless.empty() && s.kind == StepKind::kCall) CheckCall(s, sub, dialog);
      for (const auto& [model, inner] : s.on_action)
        Check(inner, sub + ".on_action." + model, model);
    }
  }

  std::vector<JourneyError> errors;

 private:
  void Refuse(const Step& s, const std::string& field, const std::string& why) {
    errors.push_back({s.pos, field, why + kHowToSay});
  }

  void CheckCall(const Step& s, const std::string& field, const std::string& dialog) {
    const std::string call = s.model + "." + s.method;
    if (auto m = kSettingModels.find(s.model); m != kSettingModels.end() && !kReads.count(s.method))
      return Refuse(s, field + ".call",
                    "calls " + call + ", which changes " + m->second +
                        " for everyone: a probe never does (the settings a journey needs are "
                        "checked by validate --online, never set)");
    if (auto b = kSettingButtons.find(s.method); b != kSettingButtons.end())
      return Refuse(s, field + ".call",
                    "presses " + call + ", which " + b->second +
                        ": a probe never presses a button that changes company-wide behaviour");
    if (kCreating.count(s.method) && !s.record && s.model != dialog) {
      return Refuse(s, field + ".call",
                    "calls " + call +
                        ", which creates a record nothing cleans up (left behind "
                        "on every run): save its id and register it, e.g. save: {new_id: $} and "
                        "record: {model: " +
                        s.model + ", id: \"${var.new_id}\"}");
    }
    if (kChanging.count(s.method)) {
      const json ids = !s.args.empty() ? s.args[0] : s.kwargs.value("ids", json());
      const auto refs = VarRefs(ids);
      std::vector<std::string> foreign;
      for (const auto& v : refs)
        if (!owned_.count(v)) foreign.push_back(v);
      if (refs.empty() || !foreign.empty()) {
        const std::string what = s.method == "unlink" ? "deletes" : "changes";
        return Refuse(s, field + ".call",
                      "calls " + call + ", which " + what +
                          " records the journey did not create (" +
                          (refs.empty() ? "ids " + prober::DumpJson(ids)
                                        : "variable " + prober::Join(foreign)) +
                          "): only records a record: registers, or read from them, may be "
                          "changed");
      }
    }
  }

  const std::set<std::string> owned_;
};

}  // namespace

std::vector<std::pair<std::string, std::string>> HarmlessSteps(const Journey& journey) {
  std::vector<std::pair<std::string, std::string>> out;
  Walk(journey.steps, [&](const Step& s) {
    if (!s.harmless.empty()) out.emplace_back(s.name, s.harmless);
  });
  return out;
}

std::vector<JourneyError> CheckHarm(const Journey& journey) {
  HarmCheck check(journey);
  check.Check(journey.steps, "steps", "");
  return std::move(check.errors);
}

}  // namespace odoo_prober::scenarios
