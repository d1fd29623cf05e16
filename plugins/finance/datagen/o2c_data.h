// Order-to-cash data for gen-data --kind o2c: customers with credit limits, their
// orders, and the AR invoices the orders became. Some customers default: from their
// default day on nothing is paid, and in the months before it they order more and pay
// later. An order is labelled label_default when its invoice was never paid. Also the
// credit features the o2c_credit_risk model learns from. plugins/finance/datagen/README.md has
// the rates and definitions. Thread-safety: stateless functions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "plugins/ml/feature_table.h"
#include "plugins/finance/datagen/records.h"

namespace ledgerflow::datagen {

struct O2cData {
  std::vector<Customer> customers;
  std::vector<Order> orders;        // order-date order
  std::vector<ArInvoice> invoices;  // invoice-date order, one per order
};

// Exactly `orders` orders (at least 100). Same seed -> same data.
O2cData generate_o2c(std::size_t orders, std::uint64_t seed);

// The score-state features of workflows/o2c_credit_check.yaml, in its order.
const std::vector<std::string>& o2c_model_features();

// One row per order, scored on its order date: open AR as of the start of that day
// (invoices issued before it and not settled before it), orders placed earlier and not
// yet invoiced, and settlements before it.
FeatureTable o2c_features(const O2cData& data);

// customers.csv, orders.csv, ar_invoices.csv and features.csv.
std::vector<GeneratedFile> o2c_files(const O2cData& data, const FeatureTable& features);

}  // namespace ledgerflow::datagen
