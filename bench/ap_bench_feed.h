// ApBenchFeed: ap_bench's synthetic AP feed, as CSV files the importer accepts (docs/record_formats.md):
// vendors (every 100th shares the previous one's IBAN), stored invoices without a PO
// (the pre-load) and batches of new invoices: 60% against a PO with lines and receipts
// (3% priced 10% above the PO), 3% exact and 1% near duplicates of stored invoices.
// Invoices are dated 2024-01-01 .. 2025-12-31 with log-normal amounts (median 800 EUR).
//
// Written here rather than taken from gen-data: gen-data also builds the training table
// (every invoice against its vendor's history), which a million-invoice pre-load does
// not need. Deterministic for a seed (std::mt19937_64).
// Thread-safety: none; one feed per thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace ledgerflow::bench {

inline constexpr std::size_t kInvoicesPerVendor = 40;  // as gen-data: vendors = invoices / 40

class ApBenchFeed {
 public:
  // A feed whose store will hold `stored` invoices (vendors = stored / 40, at least 10).
  ApBenchFeed(std::size_t stored, std::uint64_t seed);

  std::size_t vendor_count() const { return vendors_; }
  std::string vendors_csv() const;
  // Stored invoices [first, first + n) as one invoices.csv (remembered for duplicates).
  std::string stored_csv(std::size_t first, std::size_t n);

  struct Batch {
    std::string purchase_orders, receipts, invoices, invoice_lines;
    std::size_t with_po = 0, exact_dups = 0, near_dups = 0, mismatches = 0;
  };
  // `m` new invoices with ids R<run>-NNNNNN.
  Batch new_invoices(int run, std::size_t m);

 private:
  struct StoredInvoice {
    std::uint32_t vendor = 0;
    int day = 0;
    std::int64_t cents = 0;
  };

  std::size_t pick(std::size_t n) { return static_cast<std::size_t>(rng_() % n); }
  std::int64_t random_cents();
  void add_po_invoice(Batch& b, const std::string& id, std::size_t vendor,
                      const std::string& number, int day, int run, std::size_t i);

  std::size_t vendors_;
  std::mt19937_64 rng_;
  std::vector<StoredInvoice> stored_;
};

}  // namespace ledgerflow::bench
