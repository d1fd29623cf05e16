// Schema: the SQLite schema as an ordered list of migrations, applied by PRAGMA
// user_version, plus the checks run when a database is opened.
//
// A migration is never edited once released; a schema change is a new entry at the end.
// A database newer than this binary is refused (it may hold data we would misread).
// Thread-safety: functions on a Connection the caller owns.
#pragma once

#include "engine/common/result.h"
#include "storage/sqlite/connection.h"

namespace ledgerflow::storage {

// The schema version this binary writes: the version of the last migration.
int schema_version();

// Identifies a ledgerflow database (PRAGMA application_id; "LFLW").
inline constexpr int kApplicationId = 0x4C464C57;

// Runs PRAGMA quick_check; a file that is not a database or fails the check is refused
// with ErrorCode::corruption naming the file.
Result<void> check_integrity(Connection& db);

// Brings the database to schema_version(). Refuses a newer schema (ErrorCode::unavailable,
// "database schema version N is newer than this ledgerflow (knows up to M); upgrade
// ledgerflow"), a SQLite database of another application (invalid_argument), and an older
// schema when `read_only` (io_error: it cannot be migrated).
Result<void> migrate(Connection& db, bool read_only);

}  // namespace ledgerflow::storage
