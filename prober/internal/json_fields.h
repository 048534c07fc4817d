// Internal to prober/: reading fields of an answer whose shape is not trusted.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace odoo_prober::prober::internal {

// object[key] when it is a string, else "" (object must be a JSON object).
inline std::string StringAt(const nlohmann::json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace odoo_prober::prober::internal
