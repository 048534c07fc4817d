// Which targets an instance probes. A region's file (config/region_loader.cc) has already
// narrowed the config to the region's plants when the process runs with --region, so `run` and
// `once` select every target of the loaded config; a non-empty identity region narrows further
// to the targets labelled with it.
//
// Thread-safety: pure functions over immutable values.
#pragma once

#include <string>
#include <vector>

#include "config/config.h"

namespace odoo_prober::regions {

// The targets this instance probes: all of them, or only those labelled with its region.
std::vector<const config::TargetConfig*> SelectTargets(const config::ProberConfig& config,
                                                       const config::Identity& identity);

}  // namespace odoo_prober::regions
