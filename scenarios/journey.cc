#include "scenarios/journey.h"

namespace odoo_prober::scenarios {

using nlohmann::json;

const std::vector<Journey>& BuiltinJourneys() {
  static const std::vector<Journey> kJourneys = [] {
    Journey login;
    login.name = "login";
    login.description = "Log in, then read the user's name and company.";
    Step auth;
    auth.name = "authenticate";
    auth.kind = StepKind::kAuthenticate;
    Step read;
    read.name = "read_user";
    read.model = "res.users";
    read.method = "read";
    read.args = json::array({json::array({"${var.uid}"})});
    read.kwargs = {{"fields", {"name", "company_id"}}};
    read.expect_non_empty = true;
    read.expect_fields = {"name", "company_id"};
    login.steps = {auth, read};
    return std::vector<Journey>{login};
  }();
  return kJourneys;
}

const Journey* FindJourney(const std::vector<Journey>& journeys, const std::string& name) {
  for (const auto& j : journeys) {
    if (j.name == name) return &j;
  }
  return nullptr;
}

std::optional<json> Substitute(const json& value, const std::map<std::string, json>& vars,
                               std::string* error) {
  if (value.is_string()) {
    const auto& s = value.get_ref<const std::string&>();
    if (s.size() > 7 && s.rfind("${var.", 0) == 0 && s.back() == '}') {
      const std::string name = s.substr(6, s.size() - 7);
      auto it = vars.find(name);
      if (it == vars.end()) {
        *error = "variable '" + name + "' is not defined";
        return std::nullopt;
      }
      return it->second;
    }
    return value;
  }
  if (value.is_array() || value.is_object()) {
    json out = value.is_array() ? json::array() : json::object();
    for (auto it = value.begin(); it != value.end(); ++it) {
      auto sub = Substitute(*it, vars, error);
      if (!sub) return std::nullopt;
      if (value.is_array()) {
        out.push_back(std::move(*sub));
      } else {
        out[it.key()] = std::move(*sub);
      }
    }
    return out;
  }
  return value;
}

}  // namespace odoo_prober::scenarios
