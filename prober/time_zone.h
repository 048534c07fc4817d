// TimeZone: local time in an IANA zone ("Europe/Brussels"), read from the system's zoneinfo
// files (TZif, Debian's tzdata), for maintenance windows. Transitions are those listed in the
// file (Debian ships "fat" files, listed until 2037); later times keep the last offset.
//
// Thread-safety: immutable after Load; share freely.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "prober/status.h"

namespace odoo_prober::prober {

class TimeZone {
 public:
  // Loads `name` ("UTC", "Europe/Brussels") from `dir`. Fails with InvalidArgument naming the
  // zone when it does not exist or is not a TZif file.
  static Result<TimeZone> Load(const std::string& name,
                               const std::string& dir = "/usr/share/zoneinfo");
  static TimeZone Utc();

  // Seconds east of UTC at `when`.
  int32_t OffsetAt(std::chrono::system_clock::time_point when) const;
  // Local weekday (0 = Sunday) and minute of the day at `when`.
  struct Local {
    int weekday;
    int minute_of_day;
  };
  Local LocalAt(std::chrono::system_clock::time_point when) const;
  const std::string& name() const { return name_; }

 private:
  std::string name_;
  std::vector<int64_t> transitions_;  // UTC seconds, ascending
  std::vector<uint8_t> transition_types_;
  std::vector<int32_t> type_offsets_;
  int32_t initial_offset_ = 0;
};

}  // namespace odoo_prober::prober
