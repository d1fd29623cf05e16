// FinanceStore: the finance package's storage as one object: its records and journal
// (RecordStore) and its receivables and credit ledger (ArLedger = ReceivablesLedger +
// CreditLedger). A composition root opens one (plugins/finance/sqlite/
// sqlite_record_store.h) and hands it to the finance actions once; code that needs less
// takes the narrower interface.
// Thread-safety: implementations are safe to use from many threads at once.
#pragma once

#include "plugins/finance/records/ar_ledger.h"
#include "plugins/finance/records/record_store.h"

namespace ledgerflow::records {

class FinanceStore : public RecordStore, public ArLedger {};

}  // namespace ledgerflow::records
