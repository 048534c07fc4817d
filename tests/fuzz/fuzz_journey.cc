// Fuzz target: the journey loader and the cleanup recipes on any text: errors, never a crash.
#include <cstddef>
#include <cstdint>
#include <string>

#include "scenarios/journey.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  (void)odoo_prober::scenarios::ParseJourney(text, "fuzz.yaml");
  (void)odoo_prober::scenarios::ParseRecipes(text, "fuzz.yaml");
  return 0;
}
