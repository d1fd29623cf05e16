// The finance package's tables in the engine's SQLite file: its migration list (schema
// component "finance", storage/sqlite/schema.h), applied by SqliteRecordStore::open.
//
// Versions 1..3 are what the engine's list created up to its version 4 (2: records and
// journal, 3: the vendor invoice totals index, 4: receivables and order-to-cash), moved
// here verbatim. A database from that time has the tables but no "finance" row in
// schema_components: its version is read from the objects it has (existing_version) and
// recorded, and only the steps after it run. Nothing is created twice or dropped.
// Thread-safety: functions on a Connection the caller owns.
#pragma once

#include "engine/common/result.h"
#include "storage/sqlite/connection.h"

namespace ledgerflow::storage {

inline constexpr const char* kFinanceComponent = "finance";

// The finance schema version this binary writes.
int finance_schema_version();

// The version of the finance tables in a database whose finance tables were created by
// the engine's combined list (no schema_components row): 0 when it has none.
Result<int> finance_existing_version(Connection& db);

// Brings the finance tables to finance_schema_version(). The engine's schema must be
// current (SqliteStore::open migrates it). Refuses a newer finance schema.
Result<void> migrate_finance(Connection& db);

}  // namespace ledgerflow::storage
