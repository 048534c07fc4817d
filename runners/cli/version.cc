// `odoo-prober version`: the build's version and libcurl's.
#include <curl/curl.h>

#include "runners/cli/command.h"
#include "runners/engine/exit_codes.h"

namespace odoo_prober::runners::cli {
namespace {

class Version final : public Command {
 public:
  CLI::App* Add(CLI::App& app) override {
    return app.add_subcommand("version", "Print the version and exit")->footer(kExitCodes);
  }
  int Run(const Context& context) override {
    context.out << "odoo-prober " << context.version << " (" << curl_version() << ")\n";
    return kExitOk;
  }
};

}  // namespace

std::unique_ptr<Command> NewVersion() { return std::make_unique<Version>(); }

}  // namespace odoo_prober::runners::cli
