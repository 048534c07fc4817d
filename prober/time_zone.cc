#include "prober/time_zone.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>

namespace odoo_prober::prober {

namespace {

int64_t BigEndian(const unsigned char* p, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v = (v << 8) | p[i];
  if (bytes == 4) return static_cast<int32_t>(static_cast<uint32_t>(v));
  return static_cast<int64_t>(v);
}

}  // namespace

TimeZone TimeZone::Utc() {
  TimeZone tz;
  tz.name_ = "UTC";
  return tz;
}

Result<TimeZone> TimeZone::Load(const std::string& name, const std::string& dir) {
  if (name == "UTC" || name == "Etc/UTC") return Utc();
  if (name.empty() || name.find("..") != std::string::npos || name[0] == '/') {
    return Status::InvalidArgument("time zone '" + name +
                                   "' is not an IANA name such as Europe/Brussels");
  }
  // A folder of the zoneinfo tree ("Europe") opens like a file, and reading it throws.
  std::error_code ec;
  if (std::filesystem::is_directory(dir + "/" + name, ec)) {
    return Status::InvalidArgument("time zone '" + name +
                                   "' is a region, not a zone; use an IANA name such as "
                                   "Europe/Brussels");
  }
  std::ifstream in(dir + "/" + name, std::ios::binary);
  if (!in)
    return Status::InvalidArgument("unknown time zone '" + name +
                                   "'; use an IANA name such as Europe/Brussels");
  const std::vector<unsigned char> data((std::istreambuf_iterator<char>(in)),
                                        std::istreambuf_iterator<char>());
  auto bad = [&] { return Status::InvalidArgument("time zone '" + name + "': not a TZif file"); };
  // Header: "TZif", version, 15 reserved, six 4-byte counts.
  auto header = [&](size_t at, int64_t counts[6]) {
    if (data.size() < at + 44 || data[at] != 'T' || data[at + 1] != 'Z' || data[at + 2] != 'i' ||
        data[at + 3] != 'f') {
      return false;
    }
    for (int i = 0; i < 6; ++i) counts[i] = BigEndian(&data[at + 20 + 4 * i], 4);
    return true;
  };
  int64_t c[6];  // isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt
  if (!header(0, c)) return bad();
  const bool v2 = data[4] >= '2';
  size_t at = 44;
  int time_bytes = 4;
  if (v2) {
    // Skip the 32-bit block; the 64-bit one follows with its own header.
    at += c[3] * 4 + c[3] + c[4] * 6 + c[5] + c[2] * 8 + c[1] + c[0];
    if (!header(at, c)) return bad();
    at += 44;
    time_bytes = 8;
  }
  const int64_t timecnt = c[3], typecnt = c[4];
  if (typecnt < 1 || data.size() < at + timecnt * (time_bytes + 1) + typecnt * 6) return bad();
  TimeZone tz;
  tz.name_ = name;
  for (int64_t i = 0; i < timecnt; ++i)
    tz.transitions_.push_back(BigEndian(&data[at + i * time_bytes], time_bytes));
  at += timecnt * time_bytes;
  for (int64_t i = 0; i < timecnt; ++i) tz.transition_types_.push_back(data[at + i]);
  at += timecnt;
  for (int64_t i = 0; i < typecnt; ++i)
    tz.type_offsets_.push_back(static_cast<int32_t>(BigEndian(&data[at + i * 6], 4)));
  for (auto t : tz.transition_types_) {
    if (t >= typecnt) return bad();
  }
  tz.initial_offset_ = tz.type_offsets_[0];
  return tz;
}

int32_t TimeZone::OffsetAt(std::chrono::system_clock::time_point when) const {
  if (transitions_.empty()) return initial_offset_;
  const int64_t t =
      std::chrono::duration_cast<std::chrono::seconds>(when.time_since_epoch()).count();
  auto it = std::upper_bound(transitions_.begin(), transitions_.end(), t);
  if (it == transitions_.begin()) return initial_offset_;
  return type_offsets_[transition_types_[std::distance(transitions_.begin(), it) - 1]];
}

TimeZone::Local TimeZone::LocalAt(std::chrono::system_clock::time_point when) const {
  const int64_t t =
      std::chrono::duration_cast<std::chrono::seconds>(when.time_since_epoch()).count() +
      OffsetAt(when);
  int64_t days = t >= 0 ? t / 86400 : (t - 86399) / 86400;
  const int64_t secs = t - days * 86400;
  const int weekday = static_cast<int>(((days % 7) + 7 + 4) % 7);  // 1970-01-01 was a Thursday
  return {weekday, static_cast<int>(secs / 60)};
}

}  // namespace odoo_prober::prober
