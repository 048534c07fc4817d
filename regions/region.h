// Region identity: which region and plant this prober instance stands for, and which targets
// it probes.
//
// For now an instance probes every configured target; a later issue adds region definitions
// (regions/*.yaml) and selection by identity.
//
// Thread-safety: pure functions over immutable values.
#pragma once

#include <string>
#include <vector>

#include "config/config.h"

namespace odoo_prober::regions {

struct RegionIdentity {
  std::string instance;  // this prober instance's name (metric label `instance`)
  std::string region;    // empty: not bound to a region
};

// The targets this instance probes: all of them, or only those labelled with its region.
std::vector<const config::TargetConfig*> SelectTargets(const config::ProberConfig& config,
                                                       const RegionIdentity& identity);

}  // namespace odoo_prober::regions
