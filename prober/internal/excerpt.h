// Internal to prober/: a short, single-line excerpt of an answer body for failure details.
#pragma once

#include <cstddef>
#include <string>

namespace odoo_prober::prober::internal {

// The server's words, bounded: tags dropped, whitespace folded, non-printables as '?', at most
// `max` characters (then "...").
std::string Excerpt(const std::string& body, std::size_t max = 120);

}  // namespace odoo_prober::prober::internal
