// Fuzz target: the config loader on any text. It must report errors, never crash or throw.
#include <cstddef>
#include <cstdint>
#include <string>

#include "config/config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  odoo_prober::config::LoadOptions options;
  // A fixed environment: inputs that reference variables resolve the same way every run.
  options.getenv = [](const std::string& name) -> std::optional<std::string> {
    if (name == "ODOO_PW") return std::string("fuzz-password");
    return std::nullopt;
  };
  auto out = odoo_prober::config::ParseConfig(text, "/nonexistent/fuzz.yaml", options);
  for (const auto& e : out.errors) (void)e.ToString();
  return 0;
}
