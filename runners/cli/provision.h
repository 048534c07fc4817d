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
// provision.cc holds the `provision` command; validate.cc calls RunValidateOnline.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "runners/engine/plan.h"

namespace odoo_prober::runners::cli {

// The online part of `validate --online`, on an already loaded configuration. Exit codes: 0
// every journey's parameters resolve and its settings are on, 1 something is missing (each
// named).
int RunValidateOnline(const Loaded& loaded, std::ostream& out, std::ostream& err);

}  // namespace odoo_prober::runners::cli
