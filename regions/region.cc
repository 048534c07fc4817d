#include "regions/region.h"

namespace odoo_prober::regions {

std::vector<const config::TargetConfig*> SelectTargets(const config::ProberConfig& config,
                                                       const config::Identity& identity) {
  std::vector<const config::TargetConfig*> out;
  for (const auto& t : config.targets) {
    if (identity.region.empty() || t.labels.region == identity.region) out.push_back(&t);
  }
  return out;
}

}  // namespace odoo_prober::regions
