// Customers for gen-data --kind ar and --kind o2c: master data, a payment behaviour
// each (punctual, chronically late, deteriorating from some day on, frequent disputes),
// the days-late model that turns a behaviour into settlements, and CustomerHistory, the
// point-in-time view of a customer's invoices that the AR and O2C features read.
// Thread-safety: stateless functions; a CustomerHistory is a plain value.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "plugins/finance/datagen/records.h"
#include "plugins/ml/rng.h"

namespace ledgerflow::datagen {

struct CustomerProfile {
  double log_amount = 8;  // ln of a typical invoice amount, in currency units
  double weight = 1;      // share of the invoices (relative)
  int turn_day = 0;       // deteriorating: the day payments start to slip
  double dispute_rate = 0.02;
};

struct CustomerBook {
  std::vector<Customer> customers;
  std::vector<CustomerProfile> profiles;
};

// `count` customers expected to receive `items` invoices (or orders) in the data
// period; credit limits are sized from that expectation, never from generated records.
CustomerBook make_customers(Rng& rng, std::size_t count, std::size_t items);

// Days between due date and settlement for an invoice of `amount_cents` issued on `day`
// (negative = early), given the customer's behaviour. `disputed` invoices pay late.
int draw_days_late(Rng& rng, const Customer& customer, const CustomerProfile& profile, int day,
                   std::int64_t amount_cents, bool disputed);

// Point-in-time summaries of one customer's invoices. Invoices are added in issue
// order; every query is about the start of `day` and sees only invoices issued before
// it and settlements and disputes dated before it.
class CustomerHistory {
 public:
  void add(const ArInvoice& invoice) { invoices_.push_back(&invoice); }

  struct Settled {
    std::size_t count = 0;  // settled in [day - lookback, day)
    double avg_days_late = 0;
    double late_ratio = 0;
    std::size_t recent_count = 0;  // settlements before `day` at all, up to 3
    double recent_days_late = 0;   // mean of the (up to) 3 latest settlements
  };
  Settled settled(int day, int lookback_days) const;

  struct Open {
    std::size_t count = 0;
    double amount = 0;           // currency units
    double overdue_amount = 0;   // due before `day`
    std::size_t overdue_30 = 0;  // more than 30 days past due
    std::size_t disputed = 0;    // dispute raised before `day`
  };
  Open open(int day) const;

  // Disputes raised in [day - lookback, day); mean amount of invoices issued in that
  // window (0 when none) and how many.
  std::size_t disputes(int day, int lookback_days) const;
  std::pair<double, std::size_t> mean_amount(int day, int lookback_days) const;

 private:
  std::vector<const ArInvoice*> invoices_;
};

}  // namespace ledgerflow::datagen
