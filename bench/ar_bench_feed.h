// ArBenchFeed: ar_bench's synthetic receivables: customers, open AR invoices and incoming
// payments whose bank references name them, as records the importer's validation accepts
// (records::validate_row, docs/record_formats.md).
//
//   customers  N / 25 (at least 10): C-0000001 ..; 80% EUR (DE), 15% USD (US), 5% GBP (GB);
//              payment terms 14/30/45/60 days; credit limits 50,000 .. 500,000.
//   invoices   ARI-000000001 ..: a customer drawn at random (~25 open each), issued in the
//              120 days up to the as-of day (2025-12-31), due after the customer's terms,
//              log-normal amounts around the customer's usual size (median ~2,000), 2%
//              disputed. Numbers are ONE dense sequence, as a company's own invoice numbers
//              are: SI-2025-0000001 ..., so a mistyped digit usually spells another real
//              invoice (of another customer).
//   payments   received the day after the as-of day, each settling invoices not settled by
//              an earlier payment of this feed, in four kinds (shares of a batch):
//                exact        40%  the invoice number (one of four reference styles), payer id
//                typo         20%  one digit changed, dropped or two swapped, payer id
//                several      20%  2-3 invoices of one customer, amount = their sum, payer id
//                no_customer  20%  the invoice number, no payer id
//
// Every field is a function of (seed, index), so any slice of the invoices can be built
// without the others; the payments remember which invoices they settled.
// Thread-safety: none; one feed per thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "plugins/finance/records/record_types.h"

namespace ledgerflow::bench {

inline constexpr std::size_t kOpenPerCustomer = 25;  // customers = open invoices / 25
inline constexpr int kAsOfDay = 20'453;              // 2025-12-31

struct ArBenchPayment {
  std::string kind;                      // exact, typo, several, no_customer
  nlohmann::json payment;                // as ar_cash_application's input `payment`
  std::vector<std::string> invoice_ids;  // what it really settles
};

class ArBenchFeed {
 public:
  ArBenchFeed(std::size_t open_invoices, std::uint64_t seed);

  std::size_t invoice_count() const { return invoices_; }
  std::size_t customer_count() const { return customers_; }
  std::vector<records::Record> customer_records() const;
  // Invoices [first, first + n) as validated records (throws if one does not validate).
  std::vector<records::Record> invoice_records(std::size_t first, std::size_t n) const;
  // `count` payments with ids P<run>-NNNNNN, of invoices no earlier call used.
  std::vector<ArBenchPayment> payments(int run, std::size_t count);

 private:
  struct Invoice {
    std::uint32_t customer = 0;
    int invoice_day = 0, due_day = 0;
    std::int64_t cents = 0;
    bool disputed = false;
  };
  Invoice invoice(std::size_t i) const;
  std::uint64_t hash(std::uint64_t a, std::uint64_t b) const;
  double unit(std::uint64_t a, std::uint64_t b) const;  // [0, 1)
  std::vector<std::size_t> take_unused(std::uint32_t customer, std::size_t n);

  std::size_t invoices_, customers_;
  std::uint64_t seed_;
  std::vector<std::vector<std::uint32_t>> by_customer_;  // built by the first payments() call
  std::vector<bool> used_;
};

}  // namespace ledgerflow::bench
