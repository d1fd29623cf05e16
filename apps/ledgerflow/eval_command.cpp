#include <chrono>
#include <fstream>
#include <iostream>
#include <sstream>

#include "apps/ledgerflow/commands.h"
#include "engine/expr/program.h"
#include "engine/expr/timestamp.h"

namespace ledgerflow::cli {
namespace {

struct EvalArgs {
  std::string expression;
  std::string data;
  std::string data_file;
  std::string now;
};

Result<nlohmann::json> read_data(const EvalArgs& a) {
  std::string text = a.data;
  std::string where = "--data";
  if (!a.data_file.empty()) {
    std::ifstream in(a.data_file, std::ios::binary);
    if (!in) return Error::io(a.data_file + ": cannot be read");
    std::ostringstream ss;
    ss << in.rdbuf();
    text = ss.str();
    where = a.data_file;
  }
  if (text.empty()) return nlohmann::json::object();
  try {
    auto j = nlohmann::json::parse(text);
    if (!j.is_object()) return Error::invalid(where + ": the data must be a JSON object");
    return j;
  } catch (const nlohmann::json::parse_error& e) {
    return Error::invalid(where + ": invalid JSON: " + e.what());
  }
}

}  // namespace

Handler add_eval(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "eval", "Evaluate an expression against JSON data and print the result as JSON");
  auto args = std::make_shared<EvalArgs>();
  cmd->add_option("expression", args->expression, "The expression, e.g. 'invoice.amount * 1.19'")
      ->required();
  auto* data = cmd->add_option("--data", args->data, "The data as a JSON object");
  auto* file = cmd->add_option("--data-file", args->data_file, "Read the data from a JSON file");
  data->excludes(file);
  cmd->add_option("--now", args->now,
                  "The time now() returns, ISO 8601 (default: the system clock)");
  cmd->footer("Exit status: 0 printed the result, 1 the expression failed, 2 usage or IO error.");
  return [args]() {
    auto data = read_data(*args);
    if (!data) {
      std::cerr << "ledgerflow eval: " << data.error().message << "\n";
      return kExitUsage;
    }
    expr::EvalContext ctx;
    if (args->now.empty()) {
      ctx.now_us = std::chrono::duration_cast<std::chrono::microseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
    } else {
      auto t = expr::parse_timestamp(args->now);
      if (!t) {
        std::cerr << "ledgerflow eval: --now: '" << args->now
                  << "' is not an ISO 8601 date or timestamp (e.g. 2026-03-01T09:00:00Z)\n";
        return kExitUsage;
      }
      ctx.now_us = *t;
    }
    auto compiled = expr::Program::compile(args->expression);
    if (auto* diags = std::get_if<std::vector<expr::Diagnostic>>(&compiled)) {
      for (const auto& d : *diags) {
        std::cerr << "error at column " << d.offset + 1 << ": " << d.message << "\n";
        std::cerr << "  " << args->expression << "\n  " << std::string(d.offset, ' ')
                  << std::string(std::max<std::uint32_t>(1, d.length), '^') << "\n";
      }
      return kExitInvalid;
    }
    auto result = std::get<expr::Program>(compiled).evaluate(*data, ctx);
    if (!result) {
      std::cerr << "error: " << result.error().message << "\n";
      return kExitInvalid;
    }
    std::cout << expr::to_json_text(*result) << "\n";
    return kExitOk;
  };
}

}  // namespace ledgerflow::cli
