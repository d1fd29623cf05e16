// Schema: the SQLite schema as ordered lists of migrations, plus the checks run when a
// database is opened.
//
// Versions. The engine's own tables follow the engine's list; its version is PRAGMA
// user_version (so every ledgerflow binary, including those from before components had
// lists of their own, reads the engine's version where it always did). A component that
// keeps tables of its own in the same file (a domain package) has its own list and its
// version is its row in the table schema_components (component, version), created by
// migrate_component(). Engine versions 3 and 4 are empty: up to then the engine's list
// also created a component's tables, which that component now recognises in an old
// database (ExistingVersion) instead of creating them again.
//
// A migration is never edited once released; a schema change is a new entry at the end of
// its list. A database newer than this binary (engine or component) is refused: it may
// hold data we would misread.
// Thread-safety: functions on a Connection the caller owns.
#pragma once

#include <functional>
#include <span>
#include <string_view>

#include "engine/common/result.h"
#include "storage/sqlite/connection.h"

namespace ledgerflow::storage {

// One step of a list: DDL (and backfills computed in SQL) only, never values.
struct Migration {
  int version;
  const char* what;
  const char* sql;
};

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

// A component's version as recorded in schema_components; 0 when it has none.
Result<int> component_version(Connection& db, std::string_view component);

// For a database without a row for the component: the version its objects already have
// (from a time before it had its own list), or 0. Runs inside the migration's transaction.
using ExistingVersion = std::function<Result<int>(Connection&)>;

// Brings `component` to the last version of `migrations` (ascending, from 1), each step in
// its own write transaction (BEGIN IMMEDIATE) that also records the new version. The
// engine's schema must be migrated first (migrate()). Refuses a newer recorded version
// with ErrorCode::unavailable.
Result<void> migrate_component(Connection& db, std::string_view component,
                               std::span<const Migration> migrations,
                               const ExistingVersion& existing);

}  // namespace ledgerflow::storage
