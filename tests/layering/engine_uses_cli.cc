// Not part of any build: the layering test (tests/layering/CMakeLists.txt) adds this file to the
// engine room to show that configuring stops. The engine must never use the command line.
#include "runners/cli/command.h"

namespace odoo_prober::runners {

int WrongWay() { return static_cast<int>(cli::Commands().size()); }

}  // namespace odoo_prober::runners
