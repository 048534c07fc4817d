// The exit codes of every subcommand (also in --help and README).
#pragma once

namespace odoo_prober::runners {

inline constexpr int kExitOk = 0;             // every journey ok
inline constexpr int kExitJourneyFailed = 1;  // some journey failed
inline constexpr int kExitUsage = 2;          // usage or configuration error
inline constexpr int kExitInternal = 3;       // internal error

}  // namespace odoo_prober::runners
