// gen-data --end-date (GenSpec::end_day): the same rows with every date and timestamp
// moved by the same whole number of days, features.csv unchanged, byte-identical for the
// same seed and end date, the default (and an explicit 2025-12-31) unshifted; parse_date.
#include <catch2/catch.hpp>

#include <filesystem>

#include "plugins/finance/datagen/calendar.h"
#include "plugins/finance/datagen/datagen.h"
#include "support/generated_csv.h"

using namespace ledgerflow::datagen;
using test::TempDir;

namespace {

GenSummary generate_ok(Kind kind, std::size_t rows, std::uint64_t seed, const std::string& dir,
                       std::optional<int> end_day = std::nullopt) {
  GenSpec spec{kind, rows, seed, dir};
  spec.end_day = end_day;
  auto summary = generate(spec);
  INFO((summary ? "" : summary.error().message));
  REQUIRE(summary.ok());
  return *summary;
}

std::string file_name(const std::string& path) {
  return std::filesystem::path(path).filename().string();
}

bool digits(const std::string& s, std::size_t from, std::size_t n) {
  for (std::size_t i = from; i < from + n; ++i) {
    if (i >= s.size() || s[i] < '0' || s[i] > '9') return false;
  }
  return true;
}

// "2024-03-01" or "2024-03-01T09:15:00Z" / "...+01:00": the day of its date part.
std::optional<int> date_prefix(const std::string& cell) {
  if (cell.size() != 10 && !(cell.size() >= 20 && cell[10] == 'T')) return std::nullopt;
  if (!digits(cell, 0, 4) || !digits(cell, 5, 2) || !digits(cell, 8, 2)) return std::nullopt;
  return parse_date(std::string_view(cell).substr(0, 10));
}

// The cell as a shift of `days` writes it: a date or timestamp moves its date part, the
// time and offset stay; anything else is unchanged.
std::string shifted(const std::string& cell, int days) {
  auto day = date_prefix(cell);
  if (!day) return cell;
  return format_date(*day + days) + cell.substr(10);
}

// Every file of `base` against the same file of `moved`: same header, same rows, each
// cell equal to shifted(base cell). Returns how many date cells moved.
std::size_t check_shifted(const GenSummary& base, const GenSummary& moved, int days) {
  REQUIRE(base.files.size() == moved.files.size());
  std::size_t dates = 0;
  for (std::size_t f = 0; f < base.files.size(); ++f) {
    const std::string name = file_name(base.files[f].path);
    INFO(name);
    REQUIRE(name == file_name(moved.files[f].path));
    CHECK(base.files[f].rows == moved.files[f].rows);
    auto a = test::read_csv(base.files[f].path);
    auto b = test::read_csv(moved.files[f].path);
    REQUIRE(a.header == b.header);
    REQUIRE(a.rows.size() == b.rows.size());
    for (std::size_t r = 0; r < a.rows.size(); ++r) {
      for (const auto& column : a.header) {
        const std::string& cell = a.rows[r].at(column);
        if (date_prefix(cell)) ++dates;
        if (shifted(cell, days) != b.rows[r].at(column)) {
          FAIL_CHECK("row " << r + 1 << " column " << column << ": " << cell << " -> "
                            << b.rows[r].at(column) << ", expected " << shifted(cell, days));
          return dates;
        }
      }
    }
  }
  return dates;
}

}  // namespace

TEST_CASE("parse_date: YYYY-MM-DD calendar days only", "[datagen]") {
  CHECK(parse_date("1970-01-01") == 0);
  CHECK(parse_date("2025-12-31") == kDefaultEndDay);
  CHECK(parse_date("2024-02-29") == days_from_civil(2024, 2, 29));
  CHECK(parse_date("2000-01-01") == kMinEndDay);
  CHECK(parse_date("2999-12-31") == kMaxEndDay);
  for (const char* bad :
       {"", "2025-1-01", "2025-02-30", "2025-13-01", "2025-00-10", "2025-01-00", "2025/01/01",
        "2025-01-01T00:00:00Z", " 2025-01-01", "2025-01-0x", "2023-02-29"}) {
    INFO(bad);
    CHECK(!parse_date(bad));
  }
}

TEST_CASE("ScopedDateShift moves what the formatting functions write, nested and restored",
          "[datagen]") {
  const int day = days_from_civil(2025, 12, 31);
  const std::int64_t at = day_start(day) + 23 * 3600 + 30 * 60;  // 23:30 UTC
  CHECK(format_date(day) == "2025-12-31");
  {
    ScopedDateShift shift(2);
    CHECK(date_shift_days() == 2);
    CHECK(format_date(day) == "2026-01-02");
    CHECK(format_timestamp(at) == "2026-01-02T23:30:00Z");
    // The local day of +01:00 is the next one; the shift keeps the offset and the time.
    CHECK(format_timestamp(at, 60) == "2026-01-03T00:30:00+01:00");
    CHECK(local_hour(at, 60) == 0);
    {
      ScopedDateShift back(-366);
      CHECK(format_date(day) == "2024-12-30");
    }
    CHECK(format_date(day) == "2026-01-02");
  }
  CHECK(date_shift_days() == 0);
  CHECK(format_timestamp(at) == "2025-12-31T23:30:00Z");
}

TEST_CASE("gen-data --end-date: the ar data moved by whole days, features unchanged", "[datagen]") {
  TempDir dir;
  const int end = *parse_date("2026-12-12");
  const int days = end - kDefaultEndDay;
  REQUIRE(days == 346);
  auto base = generate_ok(Kind::ar, 300, 20261128, dir.path("base"));
  auto moved = generate_ok(Kind::ar, 300, 20261128, dir.path("moved"), end);
  auto again = generate_ok(Kind::ar, 300, 20261128, dir.path("again"), end);

  CHECK(base.shift_days == 0);
  CHECK(format_date(base.first_day) == "2024-01-01");
  CHECK(format_date(base.last_day) == "2025-12-31");
  CHECK(moved.shift_days == days);
  CHECK(format_date(moved.first_day) == "2024-12-12");
  CHECK(format_date(moved.last_day) == "2026-12-12");
  CHECK(moved.label_rates == base.label_rates);

  // Every date moved (customers.created_at, ar_invoices' invoice_date and due_date,
  // incoming_payments.received_at); nothing else changed.
  std::size_t expected_dates = 0;
  for (const auto& f : base.files) {
    const std::string name = file_name(f.path);
    if (name == "customers.csv" || name == "incoming_payments.csv") expected_dates += f.rows;
    if (name == "ar_invoices.csv") expected_dates += 2 * f.rows;
  }
  for (const auto& row : test::read_csv(dir.path("base/ar_invoices.csv")).rows) {
    expected_dates += !row.at("disputed_at").empty();  // the disputed ones
  }
  CHECK(expected_dates > 800);
  CHECK(check_shifted(base, moved, days) == expected_dates);

  // Spot checks on named columns, and features.csv byte for byte.
  auto a = test::read_csv(dir.path("base/ar_invoices.csv"));
  auto b = test::read_csv(dir.path("moved/ar_invoices.csv"));
  REQUIRE(a.rows.size() == 300);
  for (std::size_t r = 0; r < a.rows.size(); ++r) {
    CHECK(*parse_date(b.rows[r]["invoice_date"]) == *parse_date(a.rows[r]["invoice_date"]) + days);
    CHECK(*parse_date(b.rows[r]["due_date"]) == *parse_date(a.rows[r]["due_date"]) + days);
    CHECK(b.rows[r]["invoice_id"] == a.rows[r]["invoice_id"]);
    CHECK(b.rows[r]["amount"] == a.rows[r]["amount"]);
    CHECK(b.rows[r]["label_days_late"] == a.rows[r]["label_days_late"]);
    CHECK(*parse_date(b.rows[r]["invoice_date"]) <= end);
  }
  CHECK(test::slurp(dir.path("moved/features.csv")) == test::slurp(dir.path("base/features.csv")));

  // Determinism: the same seed and end date give the same bytes.
  for (std::size_t f = 0; f < moved.files.size(); ++f) {
    INFO(file_name(moved.files[f].path));
    CHECK(test::slurp(moved.files[f].path) == test::slurp(again.files[f].path));
  }
}

TEST_CASE("gen-data --end-date: the default and an explicit 2025-12-31 are unshifted",
          "[datagen]") {
  TempDir dir;
  auto plain = generate_ok(Kind::ar, 200, 5, dir.path("plain"));
  auto explicit_default = generate_ok(Kind::ar, 200, 5, dir.path("explicit"), kDefaultEndDay);
  CHECK(explicit_default.shift_days == 0);
  REQUIRE(plain.files.size() == explicit_default.files.size());
  for (std::size_t f = 0; f < plain.files.size(); ++f) {
    INFO(file_name(plain.files[f].path));
    CHECK(test::slurp(plain.files[f].path) == test::slurp(explicit_default.files[f].path));
  }
}

TEST_CASE("gen-data --end-date: every kind, forwards and backwards", "[datagen]") {
  TempDir dir;
  for (Kind kind : {Kind::ap, Kind::o2c, Kind::payments}) {
    for (const char* end : {"2026-03-05", "2021-07-14"}) {
      std::string k(kind_name(kind));
      INFO("kind " << k << ", end " << end);
      const int end_day = *parse_date(end);
      auto base = generate_ok(kind, 150, 3, dir.path(k + "/base"));
      auto moved = generate_ok(kind, 150, 3, dir.path(k + "/" + end), end_day);
      CHECK(check_shifted(base, moved, end_day - kDefaultEndDay) > 150);
      CHECK(test::slurp(dir.path(k + "/" + end + "/features.csv")) ==
            test::slurp(dir.path(k + "/base/features.csv")));
    }
  }
}

TEST_CASE("gen-data --end-date: out of range is refused", "[datagen]") {
  TempDir dir;
  for (int day : {kMinEndDay - 1, kMaxEndDay + 1, -5}) {
    GenSpec spec{Kind::ar, 100, 1, dir.path("x")};
    spec.end_day = day;
    auto r = generate(spec);
    REQUIRE(!r);
    CHECK(r.error().message.find("--end-date") != std::string::npos);
  }
}
