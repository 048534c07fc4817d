#include "prober/text.h"

#include <ctime>
#include <iomanip>
#include <sstream>

namespace odoo_prober::prober {

std::string DumpJson(const nlohmann::json& value) {
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string Join(const std::vector<std::string>& items, std::string_view separator) {
  return JoinEach(items, separator, [](const std::string& s) { return s; });
}

std::string FormatUtc(std::chrono::system_clock::time_point when, const char* format) {
  const std::time_t t = std::chrono::system_clock::to_time_t(when);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  const size_t n = std::strftime(buf, sizeof buf, format, &tm);
  return std::string(buf, n);
}

std::string FormatFixed(double v, int digits) {
  std::ostringstream o;
  o << std::fixed << std::setprecision(digits) << v;
  return o.str();
}

std::string FormatPercent(double share) { return FormatFixed(100 * share, 2) + "%"; }

}  // namespace odoo_prober::prober
