// outcome_rows: the SQL of realised outcomes (the `outcomes` table of schema v2, written
// by WriteSet::outcomes and read for POST /v1/outcomes and model performance).
//
// Write-once per decision: an outcome equal to the stored one (same actual) is a no-op, so
// a client may retry; a different actual for a stored decision is a conflict naming both
// values. Scores are not copied into the table: scored_outcomes() joins each outcome with
// its decision record in `history` (by instance id, the history key's prefix).
// Thread-safety: none; each function uses the connection it is given.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "engine/common/result.h"
#include "engine/runtime/records.h"
#include "storage/sqlite/connection.h"

namespace ledgerflow::storage {

// On the write connection, inside the writer's transaction.
Result<void> insert_outcome(Connection& db, const rt::OutcomeRecord& o);

Result<std::optional<rt::OutcomeRecord>> read_outcome(Connection& db,
                                                      const std::string& decision_id);

// Newest first; limit capped at 100,000.
Result<std::vector<rt::ScoredOutcome>> read_scored_outcomes(Connection& db,
                                                            const std::string& model,
                                                            std::size_t limit);

}  // namespace ledgerflow::storage
