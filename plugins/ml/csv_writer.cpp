#include "plugins/ml/csv_writer.h"

#include <unistd.h>

#include <cassert>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>

namespace ledgerflow::datagen {
namespace fs = std::filesystem;

std::string format_cents(std::int64_t cents) {
  std::uint64_t magnitude =
      cents < 0 ? 0 - static_cast<std::uint64_t>(cents) : static_cast<std::uint64_t>(cents);
  std::string out = cents < 0 ? "-" : "";
  out += std::to_string(magnitude / 100);
  out += '.';
  out += static_cast<char>('0' + magnitude % 100 / 10);
  out += static_cast<char>('0' + magnitude % 10);
  return out;
}

std::string format_number(double value) {
  if (std::isnan(value)) return "";
  if (std::isinf(value))
    return value > 0 ? "1e308" : "-1e308";  // never produced; keeps CSV numeric
  if (value == std::floor(value) && std::fabs(value) < 1e15) {
    return std::to_string(static_cast<std::int64_t>(value));
  }
  double rounded = std::round(value * 1e6) / 1e6;
  if (rounded == 0) return "0";
  char text[32];
  auto [end, ec] = std::to_chars(text, text + sizeof(text), rounded);
  assert(ec == std::errc());
  return std::string(text, end);
}

namespace {

bool needs_quotes(std::string_view value) {
  return value.find_first_of(",\"\n\r") != std::string_view::npos;
}

void append_field(std::string& out, std::string_view value) {
  if (!needs_quotes(value)) {
    out += value;
    return;
  }
  out += '"';
  for (char c : value) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

}  // namespace

CsvWriter::CsvWriter(std::vector<std::string> header) : header_(std::move(header)) {
  for (std::size_t i = 0; i < header_.size(); ++i) {
    if (i) out_ += ',';
    append_field(out_, header_[i]);
  }
  out_ += '\n';
}

CsvWriter& CsvWriter::raw(std::string_view value) {
  assert(column_ < header_.size());
  if (column_++) out_ += ',';
  append_field(out_, value);
  return *this;
}

CsvWriter& CsvWriter::text(std::string_view value) {
  return raw(value);
}

CsvWriter& CsvWriter::integer(std::int64_t value) {
  return raw(std::to_string(value));
}

void CsvWriter::end_row() {
  assert(column_ == header_.size());
  out_ += '\n';
  column_ = 0;
  ++rows_;
}

Result<void> write_file_atomically(const std::string& path, std::string_view contents) {
  fs::path target(path);
  std::error_code ec;
  if (target.has_parent_path()) fs::create_directories(target.parent_path(), ec);
  if (ec) return Error::io("cannot create " + target.parent_path().string() + ": " + ec.message());
  std::string temp = path + ".tmp-" + std::to_string(::getpid());
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    out.write(contents.data(), static_cast<std::streamsize>(contents.size()));
    out.close();
    if (!out) {
      fs::remove(temp, ec);
      return Error::io("cannot write " + path);
    }
  }
  fs::rename(temp, target, ec);
  if (ec) {
    std::error_code ignored;
    fs::remove(temp, ignored);
    return Error::io("cannot move " + temp + " to " + path + ": " + ec.message());
  }
  return {};
}

}  // namespace ledgerflow::datagen
