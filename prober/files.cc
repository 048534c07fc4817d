#include "prober/files.h"

#include <fstream>

namespace odoo_prober::prober {

bool WriteFile(const std::string& path, const std::string& text, std::ostream& err) {
  std::ofstream f(path);
  f << text;
  if (!f) err << "cannot write " << path << "\n";
  return static_cast<bool>(f);
}

}  // namespace odoo_prober::prober
