// Files a command writes for people and tools (reports, JUnit, JSON).
//
// Thread-safety: reentrant.
#pragma once

#include <ostream>
#include <string>

namespace odoo_prober::prober {

// Writes `text` to `path`, replacing it; false, and "cannot write PATH" on `err`, when it cannot.
bool WriteFile(const std::string& path, const std::string& text, std::ostream& err);

}  // namespace odoo_prober::prober
