// Escaping text for XML and HTML output (JUnit reports, the status page).
#pragma once

#include <string>

namespace odoo_prober::results {

// `text` safe inside XML/HTML text and attribute values: & < > " ' escaped, and control
// characters (not allowed in XML 1.0) replaced by '?'.
std::string EscapeMarkup(const std::string& text);

}  // namespace odoo_prober::results
