// The `ledgerflow` CLI's subcommands. Each registers itself on the CLI11 app and runs
// through the same engine APIs the daemon uses. Exit codes: 0 success, 1 the input is
// invalid (a definition, an expression), 2 usage or IO errors.
#pragma once

#include <CLI/CLI.hpp>

namespace ledgerflow::cli {

constexpr int kExitOk = 0;
constexpr int kExitInvalid = 1;
constexpr int kExitUsage = 2;

// Each returns the handler to run when its subcommand was chosen.
using Handler = std::function<int()>;
Handler add_validate(CLI::App& app);
Handler add_eval(CLI::App& app);
Handler add_describe(CLI::App& app);
Handler add_run(CLI::App& app);
Handler add_instances(CLI::App& app);
Handler add_history(CLI::App& app);
Handler add_complete(CLI::App& app);
Handler add_signal(CLI::App& app);
Handler add_gen_data(CLI::App& app);  // gen_data_command.cpp
Handler add_train(CLI::App& app);     // train_command.cpp
Handler add_import(CLI::App& app);    // import_command.cpp
Handler add_deploy(CLI::App& app);    // import_command.cpp

}  // namespace ledgerflow::cli
