#include "plugins/ml/arff.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <map>
#include <set>

#include "engine/io/file.h"
#include "plugins/ml/csv_writer.h"

namespace ledgerflow::datagen {
namespace {

constexpr std::size_t kMaxArffBytes = std::size_t{256} << 20;
constexpr std::size_t kMaxAttributes = 10'000;

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

Error at(const std::string& source, std::size_t line, const std::string& what) {
  return Error::invalid(source + ":" + std::to_string(line) + ": " + what);
}

// Splits on commas outside quotes; unquotes and trims each item.
Result<std::vector<std::string>> split_values(std::string_view text,
                                              std::vector<bool>* quoted_flags) {
  std::vector<std::string> out;
  std::string item;
  char quote = 0;
  bool was_quoted = false;
  auto flush = [&] {
    std::string value = was_quoted ? item : std::string(trim(item));
    out.push_back(std::move(value));
    if (quoted_flags) quoted_flags->push_back(was_quoted);
    item.clear();
    was_quoted = false;
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (quote) {
      if (c == '\\' && i + 1 < text.size()) {
        item += text[++i];
      } else if (c == quote) {
        quote = 0;
      } else {
        item += c;
      }
    } else if ((c == '\'' || c == '"') && trim(item).empty()) {
      item.clear();
      quote = c;
      was_quoted = true;
    } else if (c == ',') {
      flush();
    } else if (!(was_quoted && std::isspace(static_cast<unsigned char>(c)))) {
      item += c;
    }
  }
  if (quote) return Error::invalid("a quote is not closed");
  flush();
  return out;
}

// "@attribute name type": the name may be quoted.
Result<ArffAttribute> parse_attribute(std::string_view rest) {
  rest = trim(rest);
  ArffAttribute a;
  if (!rest.empty() && (rest.front() == '\'' || rest.front() == '"')) {
    auto end = rest.find(rest.front(), 1);
    if (end == std::string_view::npos)
      return Error::invalid("the attribute name's quote is not closed");
    a.name = std::string(rest.substr(1, end - 1));
    rest = rest.substr(end + 1);
  } else {
    auto end = rest.find_first_of(" \t{");
    if (end == std::string_view::npos)
      return Error::invalid("an attribute needs a name and a type");
    a.name = std::string(rest.substr(0, end));
    rest = rest.substr(end);
  }
  rest = trim(rest);
  if (!rest.empty() && rest.front() == '{') {
    auto close = rest.rfind('}');
    if (close == std::string_view::npos) return Error::invalid("a nominal type's '}' is missing");
    auto values = split_values(rest.substr(1, close - 1), nullptr);
    if (!values) return values.error();
    a.nominal = true;
    a.values = std::move(*values);
    return a;
  }
  std::string type = lower(rest.substr(0, rest.find_first_of(" \t")));
  if (type == "numeric" || type == "real" || type == "integer") return a;
  return Error::invalid("attribute '" + a.name + "' has type '" + type +
                        "'; only numeric and nominal attributes are supported");
}

bool is_number(const std::string& s) {
  double v = 0;
  const char* begin = s.data() + (!s.empty() && s[0] == '+');
  auto [end, ec] = std::from_chars(begin, s.data() + s.size(), v);
  return ec == std::errc() && end == s.data() + s.size();
}

Result<std::vector<std::optional<std::string>>> parse_row(std::string_view line,
                                                          const ArffData& data) {
  std::vector<bool> quoted;
  auto values = split_values(line, &quoted);
  if (!values) return values.error();
  if (values->size() != data.attributes.size()) {
    return Error::invalid(std::to_string(values->size()) + " values for " +
                          std::to_string(data.attributes.size()) + " attributes");
  }
  std::vector<std::optional<std::string>> row;
  for (std::size_t i = 0; i < values->size(); ++i) {
    std::string& v = (*values)[i];
    const ArffAttribute& a = data.attributes[i];
    if (v == "?" && !quoted[i]) {
      row.emplace_back(std::nullopt);
      continue;
    }
    if (a.nominal && std::find(a.values.begin(), a.values.end(), v) == a.values.end()) {
      return Error::invalid("'" + v + "' is not a value of nominal attribute '" + a.name + "'");
    }
    if (!a.nominal && !is_number(v)) {
      return Error::invalid("'" + v + "' is not a number (attribute '" + a.name + "')");
    }
    row.emplace_back(std::move(v));
  }
  return row;
}

}  // namespace

Result<ArffData> parse_arff(std::string_view text, const std::string& source) {
  ArffData data;
  bool in_data = false;
  std::size_t line_no = 0;
  while (!text.empty()) {
    auto nl = text.find('\n');
    std::string_view line = trim(text.substr(0, nl));
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    ++line_no;
    if (line.empty() || line.front() == '%') continue;
    if (!in_data) {
      std::string keyword = lower(line.substr(0, line.find_first_of(" \t")));
      std::string_view rest = line.substr(std::min(line.size(), keyword.size()));
      if (keyword == "@relation") {
        std::string_view name = trim(rest);
        bool quoted = name.size() >= 2 && (name.front() == '\'' || name.front() == '"') &&
                      name.back() == name.front();
        data.relation = std::string(quoted ? name.substr(1, name.size() - 2) : name);
      } else if (keyword == "@attribute") {
        if (data.attributes.size() == kMaxAttributes)
          return at(source, line_no, "too many attributes");
        auto a = parse_attribute(rest);
        if (!a) return at(source, line_no, a.error().message);
        data.attributes.push_back(std::move(*a));
      } else if (keyword == "@data") {
        if (data.attributes.empty()) return at(source, line_no, "@data before any @attribute");
        in_data = true;
      } else {
        return at(source, line_no,
                  "expected @relation, @attribute or @data, got '" +
                      std::string(line.substr(0, 40)) + "'");
      }
      continue;
    }
    if (line.front() == '{') return at(source, line_no, "sparse ARFF rows are not supported");
    auto row = parse_row(line, data);
    if (!row) return at(source, line_no, row.error().message);
    data.rows.push_back(std::move(*row));
  }
  if (!in_data) return Error::invalid(source + ": no @data section");
  return data;
}

Result<ArffData> read_arff(const std::string& path) {
  auto text = io::read_file(path, kMaxArffBytes, "an ARFF file");
  if (!text) return text.error();
  return parse_arff(*text, path);
}

std::string column_name(std::string_view text) {
  std::string out;
  auto push = [&](std::string_view word) {
    if (!out.empty() && out.back() != '_') out += '_';
    out += word;
    out += '_';
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    char next = i + 1 < text.size() ? text[i + 1] : '\0';
    if (c == '<' && next == '=') {
      push("le");
      ++i;
    } else if (c == '>' && next == '=') {
      push("ge");
      ++i;
    } else if (c == '<') {
      push("lt");
    } else if (c == '>') {
      push("gt");
    } else if (std::isalnum(static_cast<unsigned char>(c))) {
      out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    } else if (!out.empty() && out.back() != '_') {
      out += '_';
    }
  }
  while (!out.empty() && out.back() == '_') out.pop_back();
  return out.empty() ? "x" : out;
}

Result<std::string> arff_to_csv(const ArffData& data, const ArffCsvOptions& options) {
  std::size_t label = data.attributes.size();
  for (std::size_t i = 0; i < data.attributes.size(); ++i) {
    if (data.attributes[i].name == options.label) label = i;
  }
  if (!options.label.empty()) {
    if (label == data.attributes.size())
      return Error::invalid("arff: no attribute '" + options.label + "'");
    const auto& values = data.attributes[label].values;
    if (std::find(values.begin(), values.end(), options.positive) == values.end()) {
      return Error::invalid("arff: '" + options.positive + "' is not a value of '" + options.label +
                            "'");
    }
  }
  // Output columns: (attribute, value index or -1 for the attribute itself).
  std::vector<std::pair<std::size_t, int>> columns;
  std::vector<std::string> header;
  std::set<std::string> used;
  auto add = [&](std::size_t attribute, int value, std::string name) {
    std::string unique = name;
    for (int n = 2; !used.insert(unique).second; ++n) unique = name + "_" + std::to_string(n);
    columns.emplace_back(attribute, value);
    header.push_back(unique);
  };
  for (std::size_t i = 0; i < data.attributes.size(); ++i) {
    const auto& a = data.attributes[i];
    std::string base = column_name(a.name);
    if (i == label || !a.nominal || !options.one_hot) {
      add(i, -1, base);
      continue;
    }
    for (std::size_t v = a.values.size() == 2 ? 1 : 0; v < a.values.size(); ++v) {
      add(i, static_cast<int>(v), base + "__" + column_name(a.values[v]));
    }
  }
  CsvWriter csv(header);
  for (const auto& row : data.rows) {
    for (const auto& [attribute, value] : columns) {
      const auto& cell = row[attribute];
      const auto& a = data.attributes[attribute];
      if (!cell) {
        csv.empty();
      } else if (attribute == label) {
        csv.integer(*cell == options.positive ? 1 : 0);
      } else if (!a.nominal) {
        csv.text(*cell);
      } else {
        auto index = std::find(a.values.begin(), a.values.end(), *cell) - a.values.begin();
        csv.integer(value < 0 ? index : (index == value ? 1 : 0));
      }
    }
    csv.end_row();
  }
  return csv.contents();
}

}  // namespace ledgerflow::datagen
