#include "plugins/common/json_file.h"

#include <algorithm>

#include "engine/definition/document_parser.h"
#include "engine/definition/problem.h"
#include "engine/io/file.h"

namespace ledgerflow::plugins {

namespace {

bool blank(const std::string& text) {
  return text.find_first_not_of(" \t\r\n") == std::string::npos;
}

}  // namespace

Result<nlohmann::json> read_json_file(const std::string& path, const JsonFileLimits& limits) {
  auto text = io::read_file(path, limits.max_bytes);
  if (!text) return text.error();
  if (blank(*text)) return Error::invalid(path + ": the file is empty; expected a JSON object");
  // Every plugin file is an object; say so before the parser's generic message does.
  std::size_t first = text->find_first_not_of(" \t\r\n");
  if ((*text)[first] != '{') {
    std::size_t line_start = text->rfind('\n', first);  // npos on the first line
    auto line =
        1 + std::count(text->begin(), text->begin() + static_cast<std::ptrdiff_t>(first), '\n');
    std::size_t column = line_start == std::string::npos ? first + 1 : first - line_start;
    return Error::invalid(path + ":" + std::to_string(line) + ":" + std::to_string(column) +
                          ": expected a JSON object ({...})");
  }

  def::ParseLimits parse_limits;
  parse_limits.max_bytes = limits.max_bytes;
  parse_limits.max_depth = limits.max_depth;
  parse_limits.max_nodes = limits.max_nodes;
  auto parsed = def::parse_document(*text, def::Format::json, parse_limits);
  if (!parsed.problems.empty()) {
    return Error::invalid(def::format_problem(path, parsed.problems.front()));
  }
  try {
    return parsed.root->to_json();
  } catch (const nlohmann::json::exception& e) {  // the parser accepted it; defensive only
    return Error::invalid(path + ": invalid JSON: " + e.what());
  }
}

}  // namespace ledgerflow::plugins
