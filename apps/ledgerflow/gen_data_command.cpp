// `ledgerflow gen-data`: writes seeded synthetic finance data with labels (the CSV
// formats of ../shared/docs/DATA.md) and the training table features.csv. The library
// behind it is plugins/datagen (datagen.h); this file only parses arguments and prints.
#include <cstdio>
#include <iostream>

#include "apps/ledgerflow/commands.h"
#include "plugins/datagen/datagen.h"

namespace ledgerflow::cli {

Handler add_gen_data(CLI::App& app) {
  auto* cmd =
      app.add_subcommand("gen-data", "Generate seeded synthetic finance data with labels (CSV)");
  struct Args {
    std::string kind, out;
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
  cmd->add_option("--out", a->out, "Output directory (created if missing; files are replaced)")
      ->required();
  cmd->footer(
      "Files: ap: vendors, purchase_orders, receipts, invoices, invoice_lines; ar: customers,\n"
      "ar_invoices, incoming_payments; o2c: customers, orders, ar_invoices; payments: vendors,\n"
      "outgoing_payments. Every kind also writes features.csv, the training table (one row\n"
      "per scored item; feature columns, then label_* columns).\n"
      "Exit status: 0 written, 2 usage or IO error.");
  return [a]() {
    datagen::GenSpec spec;
    spec.kind = *datagen::parse_kind(a->kind);
    spec.rows = a->rows;
    spec.seed = a->seed;
    spec.out_dir = a->out;
    auto summary = datagen::generate(spec);
    if (!summary) {
      std::cerr << "ledgerflow gen-data: " << summary.error().message << "\n";
      return kExitUsage;
    }
    std::cout << "generated " << a->kind << " data: " << a->rows << " rows, seed " << a->seed
              << "\n";
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
