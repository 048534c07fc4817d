// Small helpers the emulator's model families share to declare fields and read stored values.
// Internal to tests/emulator.
#pragma once

#include <chrono>
#include <ctime>
#include <string>
#include <utility>
#include <vector>

#include "prober/text.h"
#include "tests/emulator/orm.h"

namespace odoo_prober::emulator::schema {

using FT = FieldType;

inline Field F(const char* label, FieldType type) {
  Field f;
  f.label = label;
  f.type = type;
  return f;
}
inline Field Req(Field f) {
  f.required = true;
  return f;
}
inline Field Def(Field f, json value) {
  f.default_value = std::move(value);
  return f;
}
inline Field Comp(Field f) {
  f.computed = true;
  return f;
}
inline Field M2O(const char* label, const char* comodel) {
  Field f = F(label, FT::kMany2one);
  f.comodel = comodel;
  return f;
}
inline Field O2M(const char* label, const char* comodel, const char* inverse) {
  Field f = F(label, FT::kOne2many);
  f.comodel = comodel;
  f.inverse = inverse;
  return f;
}
inline Field M2M(const char* label, const char* comodel) {
  Field f = F(label, FT::kMany2many);
  f.comodel = comodel;
  return f;
}
inline Field Sel(const char* label, std::vector<std::string> values) {
  Field f = F(label, FT::kSelection);
  f.selection = std::move(values);
  return f;
}

// Stored values as Python would test them.
inline double Num(const json& v) { return v.is_number() ? v.get<double>() : 0.0; }
inline bool Truthy(const json& v) {
  return !(v.is_null() || (v.is_boolean() && !v.get<bool>()) ||
           (v.is_number() && v.get<double>() == 0) ||
           (v.is_string() && v.get<std::string>().empty()) || (v.is_array() && v.empty()));
}
inline std::string Str(const json& v) { return v.is_string() ? v.get<std::string>() : ""; }

// Time as Odoo stores it (UTC).
inline std::time_t UnixNow() {
  return std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
}
inline std::string FormatTime(std::time_t t, const char* fmt) {
  return prober::FormatUtc(std::chrono::system_clock::from_time_t(t), fmt);
}

}  // namespace odoo_prober::emulator::schema
