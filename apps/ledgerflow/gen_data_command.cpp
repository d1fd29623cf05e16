// `ledgerflow gen-data`: writes seeded synthetic finance data with labels (the CSV
// formats of docs/record_formats.md) and the training table features.csv. The library
// behind it is plugins/datagen (datagen.h); this file only parses arguments and prints.
#include <cstdio>
#include <iostream>

#include "apps/ledgerflow/commands.h"
#include "plugins/finance/datagen/calendar.h"
#include "plugins/finance/datagen/datagen.h"

namespace ledgerflow::cli {

Handler add_gen_data(CLI::App& app) {
  auto* cmd =
      app.add_subcommand("gen-data", "Generate seeded synthetic finance data with labels (CSV)");
  struct Args {
    std::string kind, out, end_date;
    std::size_t rows = 1000;
    std::uint64_t seed = 1;
  };
  auto a = std::make_shared<Args>();
  cmd->add_option("--kind", a->kind, "What to generate: ap, ar, o2c or payments")
      ->required()
      ->check(CLI::IsMember({"ap", "ar", "o2c", "payments"}));
  cmd->add_option("--rows", a->rows,
                  "Rows of the main record (invoices, AR invoices, orders, payments)")
      ->capture_default_str()
      ->check(CLI::Range(datagen::kMinGenRows, datagen::kMaxGenRows));
  cmd->add_option("--seed", a->seed, "Random seed: the same seed gives byte-identical files")
      ->capture_default_str();
  cmd->add_option("--end-date", a->end_date,
                  "Shift every date so the data period (2 years) ends on this day (YYYY-MM-DD; "
                  "default 2025-12-31, unshifted)")
      ->check(CLI::Validator(
          [](const std::string& text) -> std::string {
            auto day = datagen::parse_date(text);
            if (!day) return "expected a date YYYY-MM-DD, got '" + text + "'";
            if (*day < datagen::kMinEndDay || *day > datagen::kMaxEndDay) {
              return "the end date must be from 2000-01-01 to 2999-12-31, got " + text;
            }
            return {};
          },
          "DATE", "date"));
  cmd->add_option("--out", a->out, "Output directory (created if missing; files are replaced)")
      ->required();
  cmd->footer(
      "Files: ap: vendors, purchase_orders, receipts, invoices, invoice_lines; ar: customers,\n"
      "ar_invoices, incoming_payments; o2c: customers, orders, ar_invoices; payments: vendors,\n"
      "outgoing_payments. Every kind also writes features.csv, the training table (one row\n"
      "per scored item; feature columns, then label_* columns).\n"
      "--end-date moves every date and timestamp written by the same whole number of days\n"
      "(weekdays move unless it is a multiple of 7; invoice numbers keep their year);\n"
      "features.csv is unchanged. Same kind, rows, seed and end date: identical files.\n"
      "Exit status: 0 written, 2 usage or IO error.");
  return [a]() {
    datagen::GenSpec spec;
    spec.kind = *datagen::parse_kind(a->kind);
    spec.rows = a->rows;
    spec.seed = a->seed;
    spec.out_dir = a->out;
    if (!a->end_date.empty()) spec.end_day = datagen::parse_date(a->end_date);
    auto summary = datagen::generate(spec);
    if (!summary) {
      std::cerr << "ledgerflow gen-data: " << summary.error().message << "\n";
      return kExitUsage;
    }
    std::cout << "generated " << a->kind << " data: " << a->rows << " rows, seed " << a->seed
              << "\n";
    if (spec.end_day) {
      std::cout << "  period " << datagen::format_date(summary->first_day) << " .. "
                << datagen::format_date(summary->last_day) << " (dates shifted by "
                << (summary->shift_days >= 0 ? "+" : "") << summary->shift_days << " days)\n";
    }
    for (const auto& f : summary->files) std::cout << "  " << f.path << "  " << f.rows << " rows\n";
    for (const auto& [label, rate] : summary->label_rates) {
      char text[32];
      std::snprintf(text, sizeof(text), "%.2f%%", rate * 100);
      std::cout << "  " << label << ": " << text << "\n";
    }
    return kExitOk;
  };
}

}  // namespace ledgerflow::cli
