#include "prober/internal/excerpt.h"

#include <cctype>

namespace odoo_prober::prober::internal {

std::string Excerpt(const std::string& body, std::size_t max) {
  std::string out;
  bool in_tag = false, space = false;
  for (char c : body) {
    if (c == '<') in_tag = true;
    if (in_tag) {
      if (c == '>') in_tag = false;
      continue;
    }
    if (std::isspace(static_cast<unsigned char>(c))) {
      space = !out.empty();
      continue;
    }
    if (space) out.push_back(' ');
    space = false;
    out.push_back(std::isprint(static_cast<unsigned char>(c)) ? c : '?');
    if (out.size() >= max) {
      out += "...";
      break;
    }
  }
  return out;
}

}  // namespace odoo_prober::prober::internal
