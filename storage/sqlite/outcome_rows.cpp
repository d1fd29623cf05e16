#include "storage/sqlite/outcome_rows.h"

#include <algorithm>
#include <sstream>

namespace ledgerflow::storage {
namespace {

constexpr std::size_t kMaxScoredOutcomes = 100'000;

constexpr const char* kInsertOutcome =
    "INSERT INTO outcomes (decision_id, instance_id, workflow, model, model_version, actual, "
    "recorded_at_us, recorded_by, note) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) "
    "ON CONFLICT (decision_id) DO NOTHING";

constexpr const char* kSelectOutcome =
    "SELECT decision_id, instance_id, workflow, model, model_version, actual, recorded_at_us, "
    "recorded_by, note FROM outcomes WHERE decision_id = ?1";

// The decision record of an outcome is found through the history key (instance_id, seq):
// only that instance's rows are scanned.
constexpr const char* kSelectScored =
    "SELECT o.model_version, o.actual, json_extract(h.data, '$.score') "
    "FROM outcomes o JOIN history h ON h.instance_id = o.instance_id AND h.type = 'decision' "
    "AND json_extract(h.data, '$.decision_id') = o.decision_id "
    "WHERE o.model = ?1 AND json_type(h.data, '$.score') IN ('real', 'integer') "
    "ORDER BY o.recorded_at_us DESC, o.decision_id LIMIT ?2";

std::string number_text(double v) {
  std::ostringstream out;
  out << v;
  return out.str();
}

rt::OutcomeRecord outcome_row(const Statement& s) {
  rt::OutcomeRecord o;
  o.decision_id = s.column_text(0);
  o.instance_id = s.column_text(1);
  o.workflow = s.column_text(2);
  o.model = s.column_text(3);
  o.model_version = s.column_text(4);
  o.actual = s.column_double(5);
  o.recorded_at_us = s.column_int(6);
  o.recorded_by = s.column_text(7);
  o.note = s.column_text(8);
  return o;
}

}  // namespace

Result<void> insert_outcome(Connection& db, const rt::OutcomeRecord& o) {
  auto inserted =
      db.run(kInsertOutcome, "inserting the outcome of decision '" + o.decision_id + "'",
             o.decision_id, o.instance_id, o.workflow, o.model, o.model_version, o.actual,
             o.recorded_at_us, o.recorded_by, o.note);
  if (!inserted) return inserted.error();
  if (db.changes() == 1) return {};
  auto stored = read_outcome(db, o.decision_id);
  if (!stored) return stored.error();
  if (*stored && (*stored)->actual == o.actual) return {};  // a repeat: nothing to do
  return Error{ErrorCode::conflict,
               "decision '" + o.decision_id + "' already has the outcome " +
                   (*stored ? number_text((*stored)->actual) : std::string("?")) +
                   " (recorded by " + (*stored ? (*stored)->recorded_by : std::string("?")) +
                   "); it differs from " + number_text(o.actual)};
}

Result<std::optional<rt::OutcomeRecord>> read_outcome(Connection& db,
                                                      const std::string& decision_id) {
  return db.query_one(kSelectOutcome, "reading the outcome of decision '" + decision_id + "'",
                      outcome_row, decision_id);
}

Result<std::vector<rt::ScoredOutcome>> read_scored_outcomes(Connection& db,
                                                            const std::string& model,
                                                            std::size_t limit) {
  return db.query(
      kSelectScored, "reading the outcomes of model '" + model + "'",
      [](const Statement& s) {
        return rt::ScoredOutcome{s.column_text(0), s.column_double(1), s.column_double(2)};
      },
      model, std::min(limit, kMaxScoredOutcomes));
}

}  // namespace ledgerflow::storage
