// Accounts payable data for gen-data --kind ap: vendors, purchase orders, receipts and
// invoices (with lines), with injected duplicates, split invoices and PO/receipt
// mismatches, and the invoice features the ap_invoice_risk model learns from.
// What is injected, at which rates, and how each feature is defined:
// plugins/finance/datagen/README.md. Thread-safety: stateless functions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "plugins/ml/feature_table.h"
#include "plugins/finance/datagen/records.h"

namespace ledgerflow::datagen {

struct ApData {
  std::vector<Vendor> vendors;
  std::vector<PurchaseOrderLine> po_lines;
  std::vector<Receipt> receipts;
  std::vector<Invoice> invoices;  // arrival order
};

// Exactly `invoices` invoices (at least 100). Same seed -> same data.
ApData generate_ap(std::size_t invoices, std::uint64_t seed);

// The score-state features of workflows/ap_invoice_approval.yaml, in its order.
const std::vector<std::string>& ap_model_features();

// One row per invoice, in arrival order, each computed only from what was known when
// the invoice arrived: earlier invoices, the vendor's master data as of the invoice date
// (a bank change after it is not seen), the PO and the receipts booked before it.
FeatureTable ap_features(const ApData& data);

// vendors.csv, purchase_orders.csv, receipts.csv, invoices.csv, invoice_lines.csv and
// features.csv, in the record formats' column names (docs/record_formats.md).
std::vector<GeneratedFile> ap_files(const ApData& data, const FeatureTable& features);

}  // namespace ledgerflow::datagen
