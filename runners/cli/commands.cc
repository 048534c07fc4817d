#include "runners/cli/command.h"

namespace odoo_prober::runners::cli {

std::vector<std::unique_ptr<Command>> Commands() {
  std::vector<std::unique_ptr<Command>> all;
  all.push_back(NewVersion());
  all.push_back(NewValidate());
  all.push_back(NewProvision());
  all.push_back(NewOnce());
  all.push_back(NewRun());
  all.push_back(NewTls());
  all.push_back(NewJourneys());
  all.push_back(NewSweep());
  all.push_back(NewReport());
  all.push_back(NewCompare());
  return all;
}

}  // namespace odoo_prober::runners::cli
