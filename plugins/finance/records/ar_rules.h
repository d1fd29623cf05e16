// The rules of cash application (ReceivablesLedger::apply, close_invoice): which
// allocations are acceptable, when one closes its invoice and what the invoice becomes.
// The SQLite ledger (plugins/finance/sqlite/sqlite_ar_ledger.cpp) and the test fakes
// (tests/support/finance_fakes.h) both decide by them.
// Thread-safety: stateless functions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "engine/common/result.h"
#include "plugins/finance/records/ar_ledger.h"

namespace ledgerflow::records {

// What an invoice closed by an allocation of `kind` becomes: credited (credit_note),
// written_off (write_off), else paid.
std::string status_after(const std::string& kind);

// Allocation `index` of `application` on its own: a known kind, a positive amount, not the
// same invoice and kind as an earlier allocation (invalid_argument naming it otherwise).
// `doing` starts the message.
Result<void> check_allocation(const PaymentApplication& application, std::size_t index,
                              const std::string& doing);

// `allocation` against an invoice of `amount_e4` with `applied_e4` applied and `status`: a
// conflict when the invoice is not open or the allocation is more than is left; else
// whether the allocation closes it.
Result<bool> allocation_closes(const Allocation& allocation, std::int64_t amount_e4,
                               std::int64_t applied_e4, const std::string& status,
                               const std::string& doing);

}  // namespace ledgerflow::records
