// Outgoing payment data for gen-data --kind payments: vendors (with their bank-account
// history) and payments with injected fraud: payments to a new IBAN shortly after a
// fraudulent bank-detail change, payments diverted to an account that is not the
// vendor's, and inflated amounts, often requested off-hours or by a rarely seen user.
// Plus the fraud features the payment_fraud model learns from. plugins/finance/datagen/README.md
// has the rates and definitions. Thread-safety: stateless functions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "plugins/ml/feature_table.h"
#include "plugins/finance/datagen/records.h"

namespace ledgerflow::datagen {

struct PaymentsData {
  std::vector<Vendor> vendors;            // master data as of the end of the period
  std::vector<OutgoingPayment> payments;  // requested_at order
};

// Exactly `payments` payments (at least 100). Same seed -> same data.
PaymentsData generate_payments(std::size_t payments, std::uint64_t seed);

// The score-state features of workflows/payment_screening.yaml, in its order.
const std::vector<std::string>& payments_model_features();

// One row per payment, from what was known when it was requested: the vendor's master
// data at that moment (its bank history up to then), earlier payments, earlier requests.
FeatureTable payments_features(const PaymentsData& data);

// vendors.csv, outgoing_payments.csv and features.csv.
std::vector<GeneratedFile> payments_files(const PaymentsData& data, const FeatureTable& features);

// The vendor's account at `at` (its bank history up to then).
const std::string& iban_at(const Vendor& vendor, std::int64_t at);
// The latest bank-detail change at or before `at`, if any (account creation is not one).
std::optional<std::int64_t> bank_change_before(const Vendor& vendor, std::int64_t at);

}  // namespace ledgerflow::datagen
