// An environment's fingerprint (results::Fingerprint): its server version, installed modules
// and their versions, the probe company's currency and country, the probe user's language and
// time zone, and its TLS chain (issuer, key, leaf, expiry). One cheap set of reads (version,
// login, two reads and a search_read of the installed modules) and a TLS handshake: no write.
// `compare` reads one per side; `run` reads one per target every fingerprint_interval and turns
// the differences into change events (results/change_event.h).
//
// Thread-safety: reentrant; each call uses a client of its own.
#pragma once

#include <vector>

#include "config/config.h"
#include "results/compare.h"
#include "results/tls_findings.h"
#include "runners/interpreter/journey_runner.h"

namespace odoo_prober::runners {

// Reads `target`'s fingerprint; the TLS check it made goes to `tls` (none for plain HTTP). A
// fingerprint that cannot be read has `error` set (login refused, unreachable); a read the probe
// user may not make leaves its items in `unknown`, with why.
results::Fingerprint ReadFingerprint(const config::TargetConfig& target,
                                     const JourneyRunner::ClientFactory& factory,
                                     std::vector<results::TlsReport>& tls);

}  // namespace odoo_prober::runners
