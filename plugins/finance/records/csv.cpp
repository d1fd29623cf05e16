#include "plugins/finance/records/csv.h"

namespace ledgerflow::records {
namespace {

Error at_line(const std::string& source, std::size_t line, const std::string& what) {
  return Error::invalid(source + ": line " + std::to_string(line) + ": " + what);
}

}  // namespace

Result<CsvTable> parse_csv(std::string_view text, const std::string& source, std::size_t max_rows) {
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  CsvTable table;
  std::size_t line = 1;
  std::size_t i = 0;
  bool have_header = false;
  while (i < text.size()) {
    CsvRow row;
    row.line = line;
    std::string field;
    bool row_done = false;
    while (!row_done) {
      field.clear();
      if (i < text.size() && text[i] == '"') {
        const std::size_t quote_line = line;
        ++i;
        for (;;) {
          if (i >= text.size()) {
            return at_line(source, quote_line,
                           "a quoted field is never closed (a broken quote: every \" that opens "
                           "a field needs a closing \")");
          }
          const char c = text[i++];
          if (c == '"') {
            if (i < text.size() && text[i] == '"') {
              field.push_back('"');
              ++i;
              continue;
            }
            break;
          }
          if (c == '\0') return at_line(source, line, "a NUL byte inside a field");
          if (c == '\n') ++line;
          field.push_back(c);
        }
        if (i < text.size() && text[i] != ',' && text[i] != '\n' && text[i] != '\r') {
          return at_line(source, line,
                         "text after the closing quote of a field (a quote inside a quoted "
                         "field must be doubled: \"\")");
        }
      } else {
        while (i < text.size() && text[i] != ',' && text[i] != '\n' && text[i] != '\r') {
          if (text[i] == '"') {
            return at_line(source, line,
                           "a quote inside an unquoted field (quote the whole field and double "
                           "the quote)");
          }
          if (text[i] == '\0') return at_line(source, line, "a NUL byte inside a field");
          field.push_back(text[i++]);
        }
      }
      row.fields.push_back(std::move(field));
      if (i >= text.size()) {
        row_done = true;
      } else if (text[i] == ',') {
        ++i;
      } else {
        if (text[i] == '\r') {
          ++i;
          if (i < text.size() && text[i] != '\n') {
            return at_line(source, line, "a carriage return that does not end a line");
          }
        }
        if (i < text.size()) ++i;  // '\n'
        ++line;
        row_done = true;
      }
    }
    const bool blank = row.fields.size() == 1 && row.fields[0].empty();
    if (!have_header) {
      if (blank) return at_line(source, row.line, "the header row is empty");
      table.header = std::move(row.fields);
      have_header = true;
      continue;
    }
    if (blank) continue;  // empty lines (a trailing newline) carry no record
    if (table.rows.size() >= max_rows) {
      return Error::invalid(source + ": more than " + std::to_string(max_rows) +
                            " rows; split the file");
    }
    table.rows.push_back(std::move(row));
  }
  if (!have_header) return Error::invalid(source + ": empty file (a header row is required)");
  return table;
}

}  // namespace ledgerflow::records
