// Small text helpers every module uses: joining words for messages, and UTC timestamps.
//
// Thread-safety: pure functions.
#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace odoo_prober::prober {

// "a, b, c": `items` joined with `separator`.
std::string Join(const std::vector<std::string>& items, std::string_view separator = ", ");

// Each element of `range` made text by `to_text`, joined with `separator`.
template <typename Range, typename ToText>
std::string JoinEach(const Range& range, std::string_view separator, ToText to_text) {
  std::string out;
  bool first = true;
  for (const auto& item : range) {
    if (!first) out += separator;
    out += to_text(item);
    first = false;
  }
  return out;
}

// `when` in UTC, as strftime's `format` writes it ("%Y-%m-%d %H:%M:%S" is Odoo's datetime).
// value.dump(), with bytes that are not UTF-8 (from a YAML file, say) written as U+FFFD rather
// than thrown: for messages and stored text made of what users and servers wrote.
std::string DumpJson(const nlohmann::json& value);

// The index of the first byte of `text` that does not start a well-formed UTF-8 sequence
// (overlong forms, surrogates and code points past U+10FFFF are not), or npos when it is UTF-8.
size_t FirstNotUtf8(std::string_view text);

std::string FormatUtc(std::chrono::system_clock::time_point when, const char* format);

// `v` with `digits` decimals ("3.142"), and a share as a percentage with two ("99.50%").
std::string FormatFixed(double v, int digits);
std::string FormatPercent(double share);

}  // namespace odoo_prober::prober
