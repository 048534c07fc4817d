// Preparing an Odoo for probing, and checking that it is ready.
//
//  - `odoo-prober provision CONFIG`: finds or creates, idempotently and recognisably, the probe
//    master data the built-in journeys need on each target (a customer and a vendor found by
//    `ref`, consumable products by `default_code`, a product whose bill of materials has an
//    operation), then prints the journeys' `params:` to paste into the config. It never changes
//    a setting and never installs a module: what it cannot create (a setting that is off, a
//    module that is missing) it names, and exits 1.
//  - `odoo-prober validate CONFIG --online`: for every configured journey x target, runs the
//    journey's lookups (its steps up to the first that would write) and checks the Odoo
//    settings it requires, naming target, journey, parameter and what is missing.
//
// Both log in with each target's own credentials and send its probe company on every call.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "runners/commands.h"

namespace odoo_prober::runners {

struct ProvisionOptions {
  std::string config_path;
  std::vector<std::string> targets;  // only these (all when empty)
  bool dry_run = false;              // search only; say what would be created
};

// Exit codes: 0 the data is there (or, with --dry-run, could be created), 1 something is
// missing that provision must not create, or a call failed, 2 usage or configuration error.
int RunProvision(const ProvisionOptions& options, std::ostream& out, std::ostream& err);

// The online part of `validate --online`, on an already loaded configuration. Exit codes: 0
// every journey's parameters resolve and its settings are on, 1 something is missing (each
// named).
int RunValidateOnline(const Loaded& loaded, std::ostream& out, std::ostream& err);

}  // namespace odoo_prober::runners
