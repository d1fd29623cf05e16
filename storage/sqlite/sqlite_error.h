// sqlite_error: turns a SQLite result code into a ledgerflow Error (docs/style.md, Errors).
// Every failing sqlite3 call in storage/sqlite ends up here, so the mapping from SQLite's
// codes to the closed set of ErrorCodes lives in one place:
//   UNIQUE / PRIMARY KEY constraint -> conflict      (duplicate key, the caller lost a race)
//   other constraints (FOREIGN KEY, NOT NULL, CHECK) -> invalid_argument (a caller bug)
//   BUSY / LOCKED                   -> unavailable   (retry later)
//   CORRUPT / NOTADB                -> corruption
//   everything else (FULL, IOERR, READONLY, CANTOPEN, PERM, NOMEM, ...) -> io_error
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "engine/common/result.h"

struct sqlite3;

namespace ledgerflow::storage {

ErrorCode error_code_for(int sqlite_rc);

// "<doing>: <sqlite message>[; hint] [sqlite code N, <path>]"; `db` may be null (then only the
// generic text of the code is used). Adds a hint for the codes an operator can act on.
Error sqlite_error(sqlite3* db, int sqlite_rc, std::string_view doing, std::string_view path);

}  // namespace ledgerflow::storage
