#include "storage/sqlite/outcome_rows.h"

#include <sqlite3.h>

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

}  // namespace

Result<void> insert_outcome(Connection& db, const rt::OutcomeRecord& o) {
  {
    auto st = db.prepare(kInsertOutcome);
    if (!st) return st.error();
    Statement& s = st->get();
    s.bind_text(1, o.decision_id);
    s.bind_text(2, o.instance_id);
    s.bind_text(3, o.workflow);
    s.bind_text(4, o.model);
    s.bind_text(5, o.model_version);
    s.bind_double(6, o.actual);
    s.bind_int(7, o.recorded_at_us);
    s.bind_text(8, o.recorded_by);
    s.bind_text(9, o.note);
    const int rc = s.step();
    if (rc != SQLITE_DONE)
      return db.error(rc, "inserting the outcome of decision '" + o.decision_id + "'");
  }
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
  auto st = db.prepare(kSelectOutcome);
  if (!st) return st.error();
  Statement& s = st->get();
  s.bind_text(1, decision_id);
  const int rc = s.step();
  if (rc == SQLITE_DONE) return std::optional<rt::OutcomeRecord>();
  if (rc != SQLITE_ROW)
    return db.error(rc, "reading the outcome of decision '" + decision_id + "'");
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
  return std::optional<rt::OutcomeRecord>(std::move(o));
}

Result<std::vector<rt::ScoredOutcome>> read_scored_outcomes(Connection& db,
                                                            const std::string& model,
                                                            std::size_t limit) {
  auto st = db.prepare(kSelectScored);
  if (!st) return st.error();
  Statement& s = st->get();
  s.bind_text(1, model);
  s.bind_int(2, static_cast<std::int64_t>(std::min(limit, kMaxScoredOutcomes)));
  std::vector<rt::ScoredOutcome> out;
  for (;;) {
    const int rc = s.step();
    if (rc == SQLITE_DONE) return out;
    if (rc != SQLITE_ROW) return db.error(rc, "reading the outcomes of model '" + model + "'");
    out.push_back(rt::ScoredOutcome{s.column_text(0), s.column_double(1), s.column_double(2)});
  }
}

}  // namespace ledgerflow::storage
