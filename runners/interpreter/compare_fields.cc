// The journey's `compare:` fields of the records a run created, read for `compare`'s parity.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>

#include "runners/interpreter/internal/steps.h"
#include "runners/interpreter/journey_runner.h"

namespace odoo_prober::runners {

using internal::CallContext;
using nlohmann::json;

std::vector<results::FieldValue> JourneyRunner::ReadFields(
    prober::OdooClient& client, const scenarios::Journey& journey,
    const config::TargetConfig& target,
    const std::vector<std::pair<std::string, int64_t>>& records) const {
  std::vector<results::FieldValue> out;
  std::map<std::string, std::vector<std::string>> fields;  // model -> fields, as declared
  for (const auto& c : journey.compare) {
    auto& f = fields[c.model];
    if (std::find(f.begin(), f.end(), c.field) == f.end()) f.push_back(c.field);
  }
  for (const auto& [model, names] : fields) {
    std::vector<int64_t> ids;
    for (const auto& [m, id] : records)
      if (m == model) ids.push_back(id);
    if (ids.empty()) continue;
    json kwargs = {{"fields", names}};
    if (json ctx = CallContext(json::object(), json::object(), target.company_id); !ctx.empty())
      kwargs["context"] = ctx;
    const auto rpc = client.CallKw(model, "read", json{ids}, kwargs,
                                   clock_.Monotonic() + target.client.call_timeout);
    if (!rpc.ok() || !rpc.result.is_array()) {
      spdlog::warn("compare: cannot read the fields of {} on {}: {}", model, target.name,
                   rpc.detail);
      continue;
    }
    for (size_t i = 0; i < ids.size(); ++i) {
      const auto row = std::find_if(rpc.result.begin(), rpc.result.end(), [&](const json& r) {
        return r.is_object() && r.value("id", int64_t{0}) == ids[i];
      });
      if (row == rpc.result.end()) continue;
      for (const auto& name : names)
        out.push_back({model, static_cast<int>(i) + 1, ids[i], name, row->value(name, json())});
    }
  }
  return out;
}

}  // namespace odoo_prober::runners
