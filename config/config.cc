// The configuration model's own behaviour (config.h): positions, windows, durations, sizes,
// label values and names.
#include "config/config.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <map>
#include <string>

#include "prober/text.h"
#include "prober/time_zone.h"

namespace odoo_prober::config {

bool SupportedPasswordHash(const std::string& hash) {
  // bcrypt: $2y$CC$ then 53 characters of salt and hash.
  for (const char* prefix : {"$2y$", "$2b$", "$2a$"}) {
    if (hash.rfind(prefix, 0) == 0) return hash.size() == 60 && hash[6] == '$';
  }
  // SHA-256 crypt: $5$[rounds=N$]SALT$ then 43 characters of hash.
  const auto last = hash.rfind('$');
  return hash.rfind("$5$", 0) == 0 && last > 3 && hash.size() - last - 1 == 43;
}

std::string CheckServiceName(const std::string& name) {
  const bool ok = !name.empty() && name.size() <= 40 && name[0] >= 'a' && name[0] <= 'z' &&
                  std::all_of(name.begin(), name.end(), [](char c) {
                    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
                  });
  if (ok) return "";
  return "'" + name +
         "' is not a service name; write lower-case words joined by '-' (at most 40 "
         "characters), e.g. " +
         prober::Join(KnownServices());
}

std::string SourcePos::ToString() const {
  return file + ":" + std::to_string(line) + ":" + std::to_string(column);
}

std::string ConfigError::ToString() const {
  return pos.ToString() + ": " + (field.empty() ? "" : field + ": ") + message;
}

bool WeeklyWindow::Contains(std::chrono::system_clock::time_point when) const {
  const auto local = zone ? zone->LocalAt(when) : prober::TimeZone::Utc().LocalAt(when);
  auto on = [&](int weekday) { return (days >> ((weekday + 7) % 7)) & 1; };
  if (from_minute <= to_minute) {
    return on(local.weekday) && local.minute_of_day >= from_minute &&
           local.minute_of_day < to_minute;
  }
  return (on(local.weekday) && local.minute_of_day >= from_minute) ||
         (on(local.weekday - 1) && local.minute_of_day < to_minute);
}

const TargetConfig* ProberConfig::FindTarget(const std::string& name) const {
  for (const auto& t : targets) {
    if (t.name == name) return &t;
  }
  return nullptr;
}

std::optional<std::chrono::milliseconds> ParseDuration(const std::string& text) {
  if (text.empty()) return std::nullopt;
  size_t i = 0;
  while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.'))
    ++i;
  if (i == 0) return std::nullopt;
  const std::string number = text.substr(0, i), unit = text.substr(i);
  if (std::count(number.begin(), number.end(), '.') > 1) return std::nullopt;
  double value = std::strtod(number.c_str(), nullptr);
  double ms;
  if (unit.empty() || unit == "s") {
    ms = value * 1000;
  } else if (unit == "ms") {
    ms = value;
  } else if (unit == "m") {
    ms = value * 60'000;
  } else if (unit == "h") {
    ms = value * 3'600'000;
  } else if (unit == "d") {
    ms = value * 86'400'000;
  } else {
    return std::nullopt;
  }
  if (ms > 1e12) return std::nullopt;
  return std::chrono::milliseconds(static_cast<int64_t>(ms + 0.5));
}

std::string FormatDuration(std::chrono::milliseconds d) {
  const int64_t ms = d.count();
  for (const auto& [unit, size] :
       {std::pair{"d", int64_t{86'400'000}}, std::pair{"h", int64_t{3'600'000}},
        std::pair{"m", int64_t{60'000}}, std::pair{"s", int64_t{1000}}}) {
    if (ms != 0 && ms % size == 0) return std::to_string(ms / size) + unit;
  }
  return std::to_string(ms) + "ms";
}

std::optional<std::size_t> ParseByteSize(const std::string& text) {
  size_t i = 0;
  while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) ++i;
  if (i == 0 || i > 15) return std::nullopt;
  const uint64_t value = std::stoull(text.substr(0, i));
  static const std::map<std::string, uint64_t> kUnits = {
      {"", 1},      {"B", 1},     {"KiB", 1ull << 10}, {"MiB", 1ull << 20}, {"GiB", 1ull << 30},
      {"kB", 1000}, {"KB", 1000}, {"MB", 1000'000},    {"GB", 1000'000'000}};
  auto it = kUnits.find(text.substr(i));
  if (it == kUnits.end()) return std::nullopt;
  return static_cast<std::size_t>(value * it->second);
}

namespace {
bool LabelChar(unsigned char ch) { return std::isalnum(ch) || ch == '_' || ch == '-' || ch == '.'; }
}  // namespace

bool IsLabelValue(const std::string& s) {
  return !s.empty() && s.size() <= kLabelValueMax && std::all_of(s.begin(), s.end(), LabelChar);
}

std::string ToLabelValue(std::string value) {
  for (char& c : value) {
    if (!LabelChar(static_cast<unsigned char>(c))) c = '_';
  }
  return value.substr(0, kLabelValueMax);
}

}  // namespace odoo_prober::config
