// Accounts receivable data for gen-data --kind ar: customers with distinct payment
// behaviours, AR invoices labelled with the days they were paid late, and the incoming
// payments that settled them (bank references with invoice numbers, sometimes with
// typos or several invoices, sometimes without a customer id), plus the late-payment
// features the ar_late_payment model learns from. plugins/finance/datagen/README.md has the
// rates and definitions. Thread-safety: stateless functions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "plugins/ml/feature_table.h"
#include "plugins/finance/datagen/records.h"

namespace ledgerflow::datagen {

struct ArData {
  std::vector<Customer> customers;
  std::vector<ArInvoice> invoices;  // invoice-date order
  std::vector<IncomingPayment> payments;
};

// Exactly `invoices` AR invoices (at least 100). Same seed -> same data.
ArData generate_ar(std::size_t invoices, std::uint64_t seed);

// The score-state features of workflows/ar_collections.yaml, in its order.
const std::vector<std::string>& ar_model_features();

// One row per AR invoice, scored on its invoice date from the customer's history as it
// stood at the start of that day (settlements and disputes before it, nothing later).
FeatureTable ar_features(const ArData& data);

// customers.csv, ar_invoices.csv, incoming_payments.csv and features.csv.
std::vector<GeneratedFile> ar_files(const ArData& data, const FeatureTable& features);

// The csv of customers, shared with o2c.
GeneratedFile customers_file(const std::vector<Customer>& customers);
// The csv of AR invoices, shared with o2c.
GeneratedFile ar_invoices_file(const std::vector<ArInvoice>& invoices);

}  // namespace ledgerflow::datagen
