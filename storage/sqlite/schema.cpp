#include "storage/sqlite/schema.h"

#include <array>
#include <optional>
#include <string>

namespace ledgerflow::storage {
namespace {

// Version 1: the initial schema. Statuses are stored as text (readable with the sqlite3
// shell); JSON columns are TEXT. Indexes serve exactly the filters of engine/runtime/store.h.
constexpr const char* kSchemaV1 = R"sql(
CREATE TABLE definitions (
  name          TEXT    NOT NULL,
  version       INTEGER NOT NULL,
  hash          TEXT    NOT NULL,
  format        TEXT    NOT NULL,
  source        TEXT    NOT NULL,
  created_at_us INTEGER NOT NULL,
  created_by    TEXT    NOT NULL,
  PRIMARY KEY (name, version)
);
CREATE INDEX definitions_name_hash ON definitions (name, hash);

CREATE TABLE instances (
  id            TEXT    NOT NULL PRIMARY KEY,
  workflow      TEXT    NOT NULL,
  version       INTEGER NOT NULL,
  status        TEXT    NOT NULL
                CHECK (status IN ('running', 'waiting', 'succeeded', 'failed', 'cancelled')),
  business_key  TEXT    NOT NULL,
  created_by    TEXT    NOT NULL,
  parent_id     TEXT    NOT NULL,
  created_at_us INTEGER NOT NULL,
  updated_at_us INTEGER NOT NULL,
  seq           INTEGER NOT NULL,
  row_version   INTEGER NOT NULL,
  state         TEXT    NOT NULL
);
-- Unique per workflow; business_key first so a filter on the key alone can use it too.
-- Partial: queries add "business_key != ''" so the planner may use it.
CREATE UNIQUE INDEX instances_business_key ON instances (business_key, workflow)
  WHERE business_key != '';
CREATE INDEX instances_status ON instances (status, id);
CREATE INDEX instances_workflow ON instances (workflow, status, id);
CREATE INDEX instances_created ON instances (created_at_us);

CREATE TABLE history (
  instance_id TEXT    NOT NULL REFERENCES instances (id),
  seq         INTEGER NOT NULL,
  at_us       INTEGER NOT NULL,
  type        TEXT    NOT NULL,
  state       TEXT    NOT NULL,
  actor       TEXT    NOT NULL,
  data        TEXT    NOT NULL,
  PRIMARY KEY (instance_id, seq)
);
CREATE TRIGGER history_no_update BEFORE UPDATE ON history
  BEGIN SELECT RAISE(ABORT, 'history is append-only'); END;
CREATE TRIGGER history_no_delete BEFORE DELETE ON history
  BEGIN SELECT RAISE(ABORT, 'history is append-only'); END;

CREATE TABLE tasks (
  id              TEXT    NOT NULL PRIMARY KEY,
  instance_id     TEXT    NOT NULL REFERENCES instances (id),
  workflow        TEXT    NOT NULL,
  state           TEXT    NOT NULL,
  status          TEXT    NOT NULL CHECK (status IN ('open', 'completed', 'cancelled')),
  title           TEXT    NOT NULL,
  candidate_roles TEXT    NOT NULL,
  candidate_users TEXT    NOT NULL,
  assignee        TEXT    NOT NULL,
  due_at_us       INTEGER,
  created_at_us   INTEGER NOT NULL,
  completed_at_us INTEGER,
  outcome         TEXT    NOT NULL,
  detail          TEXT    NOT NULL
);
CREATE INDEX tasks_status ON tasks (status, id);
CREATE INDEX tasks_instance ON tasks (instance_id, id);
CREATE INDEX tasks_assignee ON tasks (assignee, id);

-- The inbox index: one row per candidate user or role of a task, rewritten with the task.
CREATE TABLE task_candidates (
  kind    TEXT NOT NULL CHECK (kind IN ('user', 'role')),
  name    TEXT NOT NULL,
  task_id TEXT NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
  PRIMARY KEY (kind, name, task_id)
) WITHOUT ROWID;
CREATE INDEX task_candidates_task ON task_candidates (task_id);

CREATE TABLE timers (
  id          TEXT    NOT NULL PRIMARY KEY,
  instance_id TEXT    NOT NULL REFERENCES instances (id),
  due_at_us   INTEGER NOT NULL,
  payload     TEXT    NOT NULL
);
CREATE INDEX timers_due ON timers (due_at_us, id);

CREATE TABLE outbox (
  id            TEXT    NOT NULL PRIMARY KEY,
  instance_id   TEXT    NOT NULL REFERENCES instances (id),
  kind          TEXT    NOT NULL,
  created_at_us INTEGER NOT NULL,
  payload       TEXT    NOT NULL
);
CREATE INDEX outbox_created ON outbox (created_at_us, id);

CREATE TABLE idempotency_keys (
  key           TEXT    NOT NULL PRIMARY KEY,
  request_hash  TEXT    NOT NULL,
  instance_id   TEXT    NOT NULL,
  response      TEXT    NOT NULL,
  created_at_us INTEGER NOT NULL
);

CREATE TABLE events (
  seq         INTEGER PRIMARY KEY AUTOINCREMENT,
  at_us       INTEGER NOT NULL,
  kind        TEXT    NOT NULL,
  instance_id TEXT    NOT NULL,
  task_id     TEXT    NOT NULL,
  payload     TEXT    NOT NULL
);
CREATE TRIGGER events_no_update BEFORE UPDATE ON events
  BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;

PRAGMA application_id = 1279675479;
)sql";

// Version 2: realised outcomes of decisions (POST /v1/outcomes, written by
// WriteSet::outcomes).
constexpr const char* kSchemaV2 = R"sql(
-- What really happened to a scored item (POST /v1/outcomes), for realised accuracy.
CREATE TABLE outcomes (
  decision_id    TEXT    NOT NULL PRIMARY KEY,
  instance_id    TEXT    NOT NULL,
  workflow       TEXT    NOT NULL,
  model          TEXT    NOT NULL,
  model_version  TEXT    NOT NULL,
  actual         REAL    NOT NULL,
  recorded_at_us INTEGER NOT NULL,
  recorded_by    TEXT    NOT NULL,
  note           TEXT    NOT NULL
);
CREATE INDEX outcomes_model ON outcomes (model, model_version, recorded_at_us);
)sql";

// Versions 3 and 4 change nothing of the engine's tables. Up to version 4 this list also
// created the tables of a domain package, which now keeps its own list (a component: a
// row of schema_components, below); the numbers stay taken so that an old database's
// user_version keeps its meaning, and that package recognises the tables it already has.
constexpr const char* kSchemaV3 = "-- nothing: see above";
constexpr const char* kSchemaV4 = "-- nothing: see above";

constexpr std::array kMigrations = {
    Migration{1, "initial schema", kSchemaV1},
    Migration{2, "decision outcomes", kSchemaV2},
    Migration{3, "(none: was a component's)", kSchemaV3},
    Migration{4, "(none: was a component's)", kSchemaV4},
};

static_assert(kApplicationId == 1279675479, "kSchemaV1 sets the application id literally");

Result<void> rollback_after(Connection& db, Error error) {
  if (db.in_transaction()) {
    auto rolled_back = db.exec("ROLLBACK", "rolling back a failed migration");
    if (!rolled_back) error.message += "; " + rolled_back.error().message;
  }
  return error;
}

Result<void> apply(Connection& db, const Migration& m) {
  const std::string doing =
      "migrating the schema to version " + std::to_string(m.version) + " (" + m.what + ")";
  auto begun = db.exec("BEGIN IMMEDIATE", doing);
  if (!begun) return begun.error();
  // Another process may have migrated while we waited for the write lock.
  auto current = db.query_int("PRAGMA user_version", doing);
  if (!current) return rollback_after(db, current.error());
  if (*current >= m.version) return db.exec("COMMIT", doing);
  auto created = db.exec_script(m.sql, doing);
  if (!created) return rollback_after(db, created.error());
  // PRAGMA takes no parameters; the version is a compile-time constant, not a value.
  const std::string set_version = "PRAGMA user_version = " + std::to_string(m.version);
  auto set = db.exec(set_version, doing);
  if (!set) return rollback_after(db, set.error());
  auto committed = db.exec("COMMIT", doing);
  if (!committed) return rollback_after(db, committed.error());
  return {};
}

}  // namespace

int schema_version() {
  return kMigrations.back().version;
}

Result<void> check_integrity(Connection& db) {
  const std::string doing = "checking the integrity of " + db.path() + " (PRAGMA quick_check)";
  // A file that is not a database fails here already: say which file first.
  auto st = db.prepare("PRAGMA quick_check");
  if (!st) {
    Error error = st.error();
    error.message = db.path() + ": " + error.message;
    return error;
  }
  std::string problems;
  int problem_count = 0;
  auto checked = db.each_row(st->get(), doing, [&](const Statement& row) {
    const std::string line = row.column_text(0);
    if (line == "ok") return;
    if (++problem_count <= 5) problems.append(problems.empty() ? "" : "; ").append(line);
  });
  if (!checked) return checked.error();
  if (problems.empty()) return {};
  return Error{ErrorCode::corruption,
               db.path() + " is corrupted: PRAGMA quick_check reported: " + problems};
}

Result<void> migrate(Connection& db, bool read_only) {
  auto version = db.query_int("PRAGMA user_version", "reading the schema version");
  if (!version) return version.error();
  const int known = schema_version();
  if (*version > known) {
    return Error{ErrorCode::unavailable, db.path() + ": database schema version " +
                                             std::to_string(*version) +
                                             " is newer than this ledgerflow (knows up to " +
                                             std::to_string(known) + "); upgrade ledgerflow"};
  }
  auto app_id = db.query_int("PRAGMA application_id", "reading the application id");
  if (!app_id) return app_id.error();
  auto tables = db.query_int("SELECT count(*) FROM sqlite_schema", "reading the schema");
  if (!tables) return tables.error();
  const bool foreign =
      (*app_id != 0 && *app_id != kApplicationId) || (*version == 0 && *tables > 0);
  if (foreign) {
    return Error::invalid(db.path() +
                          " is a SQLite database of another application, not a ledgerflow one");
  }
  if (*version == known) return {};
  if (read_only) {
    return Error::io(db.path() + ": database schema version " + std::to_string(*version) +
                     " must be migrated to " + std::to_string(known) +
                     ", which a read-only store cannot do; open it once read-write");
  }
  for (const Migration& m : kMigrations) {
    if (m.version <= *version) continue;
    auto applied = apply(db, m);
    if (!applied) return applied.error();
  }
  return {};
}

namespace {

constexpr const char* kComponentsTable =
    "CREATE TABLE IF NOT EXISTS schema_components (component TEXT NOT NULL PRIMARY KEY, "
    "version INTEGER NOT NULL) WITHOUT ROWID";

// The component's recorded version; nullopt when it has no row (or there is no table yet).
Result<std::optional<int>> recorded_version(Connection& db, std::string_view component,
                                            std::string_view doing) {
  auto has_table = db.query_int(
      "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'schema_components'",
      doing);
  if (!has_table) return has_table.error();
  if (*has_table == 0) return std::optional<int>();
  return db.query_one(
      "SELECT version FROM schema_components WHERE component = ?1", doing,
      [](const Statement& row) { return static_cast<int>(row.column_int(0)); }, component);
}

Error newer_component(Connection& db, std::string_view component, int found, int known) {
  return Error{ErrorCode::unavailable, db.path() + ": the " + std::string(component) +
                                           " schema version " + std::to_string(found) +
                                           " is newer than this ledgerflow (knows up to " +
                                           std::to_string(known) + "); upgrade ledgerflow"};
}

// One migration of a component in its own write transaction (see apply() for the engine's).
Result<void> apply_component(Connection& db, std::string_view component, const Migration& m,
                             int known, const ExistingVersion& existing) {
  const std::string doing = "migrating the " + std::string(component) + " schema to version " +
                            std::to_string(m.version) + " (" + m.what + ")";
  auto begun = db.exec("BEGIN IMMEDIATE", doing);
  if (!begun) return begun.error();
  auto created = db.exec(kComponentsTable, doing);
  if (!created) return rollback_after(db, created.error());
  // Read again under the write lock: another process may have migrated meanwhile.
  auto recorded = recorded_version(db, component, doing);
  if (!recorded) return rollback_after(db, recorded.error());
  int current = recorded->value_or(0);
  if (!*recorded && existing) {
    auto found = existing(db);
    if (!found) return rollback_after(db, found.error());
    current = *found;
  }
  if (current > known) return rollback_after(db, newer_component(db, component, current, known));
  if (current < m.version) {
    auto applied = db.exec_script(m.sql, doing);
    if (!applied) return rollback_after(db, applied.error());
    current = m.version;
  }
  auto set = db.run(
      "INSERT INTO schema_components (component, version) VALUES (?1, ?2) ON CONFLICT "
      "(component) DO UPDATE SET version = excluded.version",
      doing, component, current);
  if (!set) return rollback_after(db, set.error());
  auto committed = db.exec("COMMIT", doing);
  if (!committed) return rollback_after(db, committed.error());
  return {};
}

}  // namespace

Result<int> component_version(Connection& db, std::string_view component) {
  auto recorded =
      recorded_version(db, component, "reading the schema version of " + std::string(component));
  if (!recorded) return recorded.error();
  return recorded->value_or(0);
}

Result<void> migrate_component(Connection& db, std::string_view component,
                               std::span<const Migration> migrations,
                               const ExistingVersion& existing) {
  if (migrations.empty()) return {};
  const int known = migrations.back().version;
  auto recorded =
      recorded_version(db, component, "reading the schema version of " + std::string(component));
  if (!recorded) return recorded.error();
  if (*recorded && **recorded == known) return {};
  if (*recorded && **recorded > known) return newer_component(db, component, **recorded, known);
  for (const Migration& m : migrations) {
    if (*recorded && m.version <= **recorded) continue;
    auto applied = apply_component(db, component, m, known, existing);
    if (!applied) return applied.error();
  }
  return {};
}

}  // namespace ledgerflow::storage
