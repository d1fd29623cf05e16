#include <iostream>

#include "apps/ledgerflow/commands.h"
#include "engine/definition/describe.h"
#include "engine/definition/loader.h"
#include "engine/runtime/definition_file.h"

namespace ledgerflow::cli {

Handler add_describe(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "describe", "Print a definition's states and transitions, or a Graphviz graph");
  auto file = std::make_shared<std::string>();
  auto dot = std::make_shared<bool>(false);
  cmd->add_option("file", *file, "Definition file (.yaml, .yml or .json)")->required();
  cmd->add_flag("--dot", *dot, "Print a Graphviz dot graph instead (render with: dot -Tsvg)");
  return [file, dot]() {
    auto loaded = def::load_definition_file(*file);
    if (!loaded) {
      std::cerr << "ledgerflow describe: " << loaded.error().message << "\n";
      return kExitUsage;
    }
    if (!loaded->ok()) {
      for (const auto& p : loaded->problems) std::cerr << def::format_problem(*file, p) << "\n";
      return kExitInvalid;
    }
    std::cout << (*dot ? def::to_dot(*loaded->definition)
                       : def::describe_text(*loaded->definition));
    return kExitOk;
  };
}

}  // namespace ledgerflow::cli
