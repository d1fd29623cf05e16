// The vendor bank-history rule of an import: every IBAN a vendor has had, who set it and
// when (payment screening and the payment-release segregation of duties read it back
// through RecordStore::bank_history). A named step of the import: the record store runs
// it on every vendor record it writes, in the import's transaction.
// Thread-safety: stateless functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "plugins/finance/records/record_types.h"

namespace ledgerflow::records {

struct BankAccountChange {
  std::string vendor_id;
  std::int64_t changed_at_us = 0;
  std::string iban;
  std::string changed_by;
};

// The change `record` (just written) makes to its vendor's bank account, given the data
// stored before (nullptr for a new vendor); nullopt when the IBAN is the same or the
// record is no vendor. When: as the record says (bank_changed_at; a new vendor without
// one has had its account since created_at), else `now_us`. Who: as the record says
// (bank_changed_by), else `user`, the importer.
std::optional<BankAccountChange> bank_account_change(const Record& record,
                                                     const nlohmann::json* before,
                                                     const std::string& user, std::int64_t now_us);

}  // namespace ledgerflow::records
