#include <iostream>

#include "apps/ledgerflow/commands.h"
#include "engine/definition/loader.h"
#include "engine/runtime/definition_file.h"

namespace ledgerflow::cli {

Handler add_validate(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "validate", "Check workflow definitions (YAML or JSON) and report every problem");
  auto files = std::make_shared<std::vector<std::string>>();
  auto quiet = std::make_shared<bool>(false);
  cmd->add_option("files", *files, "Definition files (.yaml, .yml or .json)")->required();
  cmd->add_flag("-q,--quiet", *quiet, "Print only problems");
  cmd->footer(
      "Prints each problem as file:line:column: state 'name': message.\n"
      "Exit status: 0 all valid, 1 any invalid, 2 usage or IO error.");
  return [files, quiet]() {
    int status = kExitOk;
    for (const auto& path : *files) {
      auto loaded = def::load_definition_file(path);
      if (!loaded) {
        std::cerr << "ledgerflow validate: " << loaded.error().message << "\n";
        status = kExitUsage;
        continue;
      }
      if (!loaded->ok()) {
        for (const auto& p : loaded->problems) std::cerr << def::format_problem(path, p) << "\n";
        std::cerr << path << ": " << loaded->problems.size() << " problem"
                  << (loaded->problems.size() == 1 ? "" : "s") << "\n";
        if (status == kExitOk) status = kExitInvalid;
        continue;
      }
      if (!*quiet) {
        const auto& d = *loaded->definition;
        std::cout << path << ": ok (workflow " << d.name << ", " << d.state_count() << " states)\n";
      }
    }
    return status;
  };
}

}  // namespace ledgerflow::cli
