// ledgerflow: the command-line tool (validate, eval, describe; more with later issues).
#include <iostream>
#include <map>

#include "apps/ledgerflow/commands.h"

int main(int argc, char** argv) {
  using namespace ledgerflow::cli;
  CLI::App app{"ledgerflow: workflow definitions, expressions and instances from the command line"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "ledgerflow 0.1.0");
  std::map<CLI::App*, Handler> handlers;
  for (auto add : {add_validate, add_eval, add_describe, add_run, add_instances, add_history,
                   add_complete, add_signal, add_gen_data, add_train, add_import, add_deploy}) {
    std::size_t before = app.get_subcommands({}).size();
    Handler h = add(app);
    handlers[app.get_subcommands({})[before]] = std::move(h);
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return kExitUsage;
  }
  for (auto& [sub, handler] : handlers) {
    if (sub->parsed()) return handler();
  }
  return kExitUsage;
}
