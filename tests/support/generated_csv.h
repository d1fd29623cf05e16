// Helpers for the datagen and train tests: read a generated CSV back into rows of
// named cells, read a whole file, and a scratch directory (TempDir from support/temp_dir.h).
#pragma once

#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "support/temp_dir.h"

namespace ledgerflow::datagen::test {

using ::ledgerflow::test::TempDir;

inline std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// RFC 4180 text -> header + rows, each row a map column -> cell.
struct Csv {
  std::vector<std::string> header;
  std::vector<std::map<std::string, std::string>> rows;
};

inline Csv parse_csv(const std::string& text) {
  std::vector<std::vector<std::string>> records;
  std::vector<std::string> fields;
  std::string field;
  bool quoted = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      fields.push_back(std::move(field));
      field.clear();
    } else if (c == '\n') {
      fields.push_back(std::move(field));
      field.clear();
      records.push_back(std::move(fields));
      fields.clear();
    } else {
      field += c;
    }
  }
  Csv csv;
  if (records.empty()) return csv;
  csv.header = records.front();
  for (std::size_t r = 1; r < records.size(); ++r) {
    std::map<std::string, std::string> row;
    for (std::size_t c = 0; c < csv.header.size() && c < records[r].size(); ++c) {
      row[csv.header[c]] = records[r][c];
    }
    csv.rows.push_back(std::move(row));
  }
  return csv;
}

inline Csv read_csv(const std::string& path) {
  return parse_csv(slurp(path));
}

}  // namespace ledgerflow::datagen::test
