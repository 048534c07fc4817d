// session_info as each Odoo version answers it (see session_info.cc). Internal to the emulator.
#pragma once

#include <nlohmann/json.hpp>

namespace odoo_prober::emulator {

// The recorded session_info of Odoo `major` (16-19), with the recording's values.
nlohmann::json RecordedSessionInfo(int major);

}  // namespace odoo_prober::emulator
