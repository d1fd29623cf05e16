#include "plugins/ml/numeric_csv.h"

#include <charconv>
#include <cmath>
#include <limits>
#include <map>
#include <sstream>

#include "engine/io/file.h"
#include "plugins/forest/forest_model.h"
#include "plugins/ml/trainer.h"

namespace ledgerflow::datagen {
namespace {

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
constexpr std::size_t kMaxListedColumns = 30;

// Splits CSV text into records (RFC 4180: quoted fields, "" inside quotes, CRLF or LF).
class CsvRecords {
 public:
  CsvRecords(std::string_view text, const std::string& source) : text_(text), source_(source) {}

  // Reads the next record into `fields`; false at the end of the text. `line` is the
  // line the record starts on.
  Result<bool> next(std::vector<std::string>& fields, std::size_t& line) {
    fields.clear();
    if (pos_ >= text_.size()) return false;
    line = line_;
    std::string field;
    bool quoted = false;
    for (;;) {
      if (pos_ >= text_.size()) {
        if (quoted) {
          return Error::invalid(source_ + ": line " + std::to_string(line) +
                                ": a quoted field is not closed before the end of the file");
        }
        fields.push_back(std::move(field));
        return true;
      }
      char c = text_[pos_++];
      if (quoted) {
        if (c == '"' && pos_ < text_.size() && text_[pos_] == '"') {
          field += '"';
          ++pos_;
        } else if (c == '"') {
          quoted = false;
        } else {
          if (c == '\n') ++line_;
          field += c;
        }
      } else if (c == '"' && field.empty()) {
        quoted = true;
      } else if (c == ',') {
        fields.push_back(std::move(field));
        field.clear();
      } else if (c == '\n' || c == '\r') {
        if (c == '\r' && pos_ < text_.size() && text_[pos_] == '\n') ++pos_;
        ++line_;
        fields.push_back(std::move(field));
        return true;
      } else {
        field += c;
      }
    }
  }

 private:
  std::string_view text_;
  const std::string& source_;
  std::size_t pos_ = 0;
  std::size_t line_ = 1;
};

std::string list_columns(const std::vector<std::string>& header) {
  std::string out;
  for (std::size_t i = 0; i < header.size() && i < kMaxListedColumns; ++i) {
    out += (i ? ", " : "") + header[i];
  }
  if (header.size() > kMaxListedColumns) out += ", ...";
  return out;
}

bool is_default_feature(const std::string& name, const std::string& label) {
  bool id = name.size() >= 3 && name.compare(name.size() - 3, 3, "_id") == 0;
  return name != label && name.rfind("label_", 0) != 0 && !id;
}

// Column indexes of the label and the features, checked against the header.
Result<std::vector<std::size_t>> choose_columns(const std::vector<std::string>& header,
                                                const std::string& source,
                                                const CsvReadOptions& options,
                                                std::vector<std::string>& names) {
  std::map<std::string, std::size_t> index;
  for (std::size_t i = 0; i < header.size(); ++i) {
    if (header[i].empty()) {
      return Error::invalid(source + ": line 1: column " + std::to_string(i + 1) + " has no name");
    }
    if (!index.emplace(header[i], i).second) {
      return Error::invalid(source + ": line 1: column '" + header[i] + "' appears twice");
    }
  }
  auto find = [&](const std::string& name, const char* what) -> Result<std::size_t> {
    auto it = index.find(name);
    if (it == index.end()) {
      return Error::invalid(source + ": no " + what + " column '" + name +
                            "'; the columns are: " + list_columns(header));
    }
    return it->second;
  };
  if (options.label.empty()) return Error::invalid(source + ": no label column given");
  auto label = find(options.label, "label");
  if (!label) return label.error();
  std::vector<std::size_t> columns{*label};
  names = options.features;
  if (names.empty()) {
    for (const auto& h : header) {
      if (is_default_feature(h, options.label)) names.push_back(h);
    }
    if (names.empty()) return Error::invalid(source + ": no feature columns besides the label");
  }
  if (names.size() > plugins::kMaxForestFeatures) {
    return Error::invalid(source + ": more than " + std::to_string(plugins::kMaxForestFeatures) +
                          " features");
  }
  std::map<std::string, int> seen;
  for (const auto& name : names) {
    if (name == options.label)
      return Error::invalid(source + ": the label '" + name + "' cannot also be a feature");
    if (seen[name]++) return Error::invalid(source + ": feature '" + name + "' is listed twice");
    auto c = find(name, "feature");
    if (!c) return c.error();
    columns.push_back(*c);
  }
  return columns;
}

std::string where(const std::string& source, std::size_t row, std::size_t line) {
  std::string out = source + ": row " + std::to_string(row);
  if (line != row + 1) out += " (line " + std::to_string(line) + ")";
  return out;
}

// A cell as float32: empty -> NaN; otherwise a finite decimal number in float range.
Result<float> parse_cell(std::string_view cell, bool allow_missing) {
  while (!cell.empty() && (cell.front() == ' ' || cell.front() == '\t')) cell.remove_prefix(1);
  while (!cell.empty() && (cell.back() == ' ' || cell.back() == '\t')) cell.remove_suffix(1);
  if (cell.empty()) {
    if (allow_missing) return kNaN;
    return Error::invalid("is empty (the label must be present in every row)");
  }
  std::string_view digits = cell.front() == '+' ? cell.substr(1) : cell;
  double value = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  bool alpha_special =
      !digits.empty() &&
      (digits.front() == 'n' || digits.front() == 'N' || digits.front() == 'i' ||
       digits.front() == 'I' ||
       ((digits.front() == '-') && digits.size() > 1 &&
        (digits[1] == 'i' || digits[1] == 'I' || digits[1] == 'n' || digits[1] == 'N')));
  std::string shown = "'" + std::string(cell.substr(0, 40)) + (cell.size() > 40 ? "...'" : "'");
  if (ec == std::errc::result_out_of_range ||
      (ec == std::errc() && std::isfinite(value) &&
       std::fabs(value) > std::numeric_limits<float>::max())) {
    return Error::invalid(shown + " is out of range (beyond float32)");
  }
  if (ec != std::errc() || end != digits.data() + digits.size() || alpha_special) {
    return Error::invalid(shown + " is not a number" +
                          std::string(allow_missing ? " (an empty cell means missing)" : ""));
  }
  if (!std::isfinite(value)) return Error::invalid(shown + " is not finite");
  return static_cast<float>(value);
}

}  // namespace

Result<NumericTable> parse_numeric_csv(std::string_view text, const std::string& source,
                                       const CsvReadOptions& options) {
  if (text.size() >= 3 && text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);  // BOM
  CsvRecords records(text, source);
  std::vector<std::string> header;
  std::size_t line = 1;
  auto got = records.next(header, line);
  if (!got) return got.error();
  if (!*got || (header.size() == 1 && header[0].empty()))
    return Error::invalid(source + ": the file is empty");
  NumericTable table;
  table.label = options.label;
  auto columns = choose_columns(header, source, options, table.features);
  if (!columns) return columns.error();
  std::vector<std::string> fields;
  std::size_t row = 0;
  for (;;) {
    got = records.next(fields, line);
    if (!got) return got.error();
    if (!*got) break;
    if (fields.size() == 1 && fields[0].empty()) continue;  // a blank line
    ++row;
    if (row > plugins::kMaxTrainRows) {
      return Error::invalid(source + ": more than " + std::to_string(plugins::kMaxTrainRows) +
                            " rows");
    }
    if (fields.size() != header.size()) {
      return Error::invalid(where(source, row, line) + ": " + std::to_string(fields.size()) +
                            " fields, but the header has " + std::to_string(header.size()));
    }
    for (std::size_t k = 0; k < columns->size(); ++k) {
      std::size_t c = (*columns)[k];
      auto value = parse_cell(fields[c], k > 0);
      if (!value) {
        return Error::invalid(where(source, row, line) + ", column '" + header[c] + "' (" +
                              std::to_string(c + 1) + "): " + value.error().message);
      }
      (k == 0 ? table.labels : table.values).push_back(*value);
    }
  }
  if (row == 0) return Error::invalid(source + ": no data rows after the header");
  return table;
}

Result<NumericTable> read_numeric_csv(const std::string& path, const CsvReadOptions& options) {
  auto text = io::read_file(path, kMaxCsvBytes, "a CSV file");
  if (!text) return text.error();
  return parse_numeric_csv(*text, path, options);
}

}  // namespace ledgerflow::datagen
