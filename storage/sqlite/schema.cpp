#include "storage/sqlite/schema.h"

#include <sqlite3.h>

#include <array>
#include <string>

namespace ledgerflow::storage {
namespace {

struct Migration {
  int version;
  const char* what;
  const char* sql;  // DDL only: no values
};

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

// Version 2: business records (../shared/docs/DATA.md), the journal that ledger.post
// writes, and realised outcomes of decisions. Every record table has its key columns,
// the columns its lookups filter on (derived at import: normalised numbers, days since
// 1970-01-01, amounts in units of 1e-4), `seq` (the order records first arrived in,
// kept when a record is updated), `updated_at_us` and `data`: the validated record as
// canonical JSON. Money is kept exactly: decimal strings in `data`, integers here.
constexpr const char* kSchemaV2 = R"sql(
CREATE TABLE rec_vendors (
  vendor_id     TEXT    NOT NULL PRIMARY KEY,
  iban          TEXT    NOT NULL,
  seq           INTEGER NOT NULL UNIQUE,
  updated_at_us INTEGER NOT NULL,
  data          TEXT    NOT NULL
);
CREATE INDEX rec_vendors_iban ON rec_vendors (iban);

-- Every IBAN a vendor has had, as the imports saw it change: who changed it and when.
CREATE TABLE vendor_bank_history (
  vendor_id  TEXT    NOT NULL,
  changed_at_us INTEGER NOT NULL,
  iban       TEXT    NOT NULL,
  changed_by TEXT    NOT NULL,
  PRIMARY KEY (vendor_id, changed_at_us, iban)
) WITHOUT ROWID;

CREATE TABLE rec_purchase_orders (
  po_number     TEXT    NOT NULL,
  line_no       INTEGER NOT NULL,
  vendor_id     TEXT    NOT NULL,
  seq           INTEGER NOT NULL UNIQUE,
  updated_at_us INTEGER NOT NULL,
  data          TEXT    NOT NULL,
  PRIMARY KEY (po_number, line_no)
);

CREATE TABLE rec_receipts (
  receipt_id    TEXT    NOT NULL PRIMARY KEY,
  po_number     TEXT    NOT NULL,
  line_no       INTEGER NOT NULL,
  seq           INTEGER NOT NULL UNIQUE,
  updated_at_us INTEGER NOT NULL,
  data          TEXT    NOT NULL
);
CREATE INDEX rec_receipts_po ON rec_receipts (po_number, line_no);

CREATE TABLE rec_invoices (
  invoice_id    TEXT    NOT NULL PRIMARY KEY,
  vendor_id     TEXT    NOT NULL,
  number_norm   TEXT    NOT NULL,
  invoice_day   INTEGER NOT NULL,
  amount_e4     INTEGER NOT NULL,
  po_number     TEXT    NOT NULL,
  seq           INTEGER NOT NULL UNIQUE,
  updated_at_us INTEGER NOT NULL,
  data          TEXT    NOT NULL
);
CREATE INDEX rec_invoices_vendor_number ON rec_invoices (vendor_id, number_norm);
CREATE INDEX rec_invoices_vendor_day ON rec_invoices (vendor_id, invoice_day);

CREATE TABLE rec_invoice_lines (
  invoice_id    TEXT    NOT NULL,
  line_no       INTEGER NOT NULL,
  seq           INTEGER NOT NULL UNIQUE,
  updated_at_us INTEGER NOT NULL,
  data          TEXT    NOT NULL,
  PRIMARY KEY (invoice_id, line_no)
);

CREATE TABLE rec_outgoing_payments (
  payment_id      TEXT    NOT NULL PRIMARY KEY,
  vendor_id       TEXT    NOT NULL,
  requested_at_us INTEGER NOT NULL,
  seq             INTEGER NOT NULL UNIQUE,
  updated_at_us   INTEGER NOT NULL,
  data            TEXT    NOT NULL
);
CREATE INDEX rec_outgoing_payments_vendor ON rec_outgoing_payments (vendor_id, requested_at_us);

CREATE TABLE rec_customers (
  customer_id   TEXT    NOT NULL PRIMARY KEY,
  seq           INTEGER NOT NULL UNIQUE,
  updated_at_us INTEGER NOT NULL,
  data          TEXT    NOT NULL
);

CREATE TABLE rec_ar_invoices (
  invoice_id    TEXT    NOT NULL PRIMARY KEY,
  customer_id   TEXT    NOT NULL,
  number_norm   TEXT    NOT NULL,
  due_day       INTEGER NOT NULL,
  amount_e4     INTEGER NOT NULL,
  seq           INTEGER NOT NULL UNIQUE,
  updated_at_us INTEGER NOT NULL,
  data          TEXT    NOT NULL
);
CREATE INDEX rec_ar_invoices_customer ON rec_ar_invoices (customer_id, due_day);
CREATE INDEX rec_ar_invoices_number ON rec_ar_invoices (number_norm);

CREATE TABLE rec_incoming_payments (
  payment_id     TEXT    NOT NULL PRIMARY KEY,
  customer_id    TEXT    NOT NULL,
  received_at_us INTEGER NOT NULL,
  seq            INTEGER NOT NULL UNIQUE,
  updated_at_us  INTEGER NOT NULL,
  data           TEXT    NOT NULL
);
CREATE INDEX rec_incoming_payments_customer ON rec_incoming_payments (customer_id, received_at_us);

CREATE TABLE rec_orders (
  order_id      TEXT    NOT NULL PRIMARY KEY,
  customer_id   TEXT    NOT NULL,
  order_day     INTEGER NOT NULL,
  seq           INTEGER NOT NULL UNIQUE,
  updated_at_us INTEGER NOT NULL,
  data          TEXT    NOT NULL
);
CREATE INDEX rec_orders_customer ON rec_orders (customer_id, order_day);

-- The built-in stand-in for an ERP: ledger.post appends one entry per posted document.
-- The idempotency key (instance, state, attempt-independent) makes a re-run post once.
CREATE TABLE journal (
  entry_id        INTEGER PRIMARY KEY AUTOINCREMENT,
  idempotency_key TEXT    NOT NULL UNIQUE,
  posted_at_us    INTEGER NOT NULL,
  instance_id     TEXT    NOT NULL,
  document_type   TEXT    NOT NULL,
  document_id     TEXT    NOT NULL,
  amount_e4       INTEGER NOT NULL,
  currency        TEXT    NOT NULL,
  data            TEXT    NOT NULL
);
CREATE UNIQUE INDEX journal_document ON journal (document_type, document_id);
CREATE TRIGGER journal_no_update BEFORE UPDATE ON journal
  BEGIN SELECT RAISE(ABORT, 'the journal is append-only'); END;
CREATE TRIGGER journal_no_delete BEFORE DELETE ON journal
  BEGIN SELECT RAISE(ABORT, 'the journal is append-only'); END;

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

// Version 3: a covering index for a vendor's invoice count and total before an arrival
// (ap.duplicate_candidates' vendor_history, the amount_vs_vendor_mean feature).
constexpr const char* kSchemaV3 = R"sql(
CREATE INDEX rec_invoices_vendor_seq ON rec_invoices (vendor_id, seq, amount_e4);
)sql";

// Version 4: accounts receivable and order-to-cash state. The rec_* tables stay the
// imported master data; what the workflows do to it lives beside it:
//   ar_invoice_state   one row per AR invoice (created by a trigger on import): the
//                      cash applied, open/paid/credited/written_off and since when,
//                      dispute, promise to pay, dunning level, the late-payment risk
//   ar_applications    cash (and bank charges, credit notes, write-offs) applied to
//                      invoices, one row per payment x invoice x kind
//   ar_payment_state   what cash application decided for an incoming payment
//   credit_holds       dunning's credit holds per customer and invoice (released or not)
//   credit_limit_changes  every limit raised by the O2C workflow, with who and why
//   order_decisions    released / blocked orders
// New lookup columns: rec_ar_invoices.invoice_day, order_id, number_key (letters and
// digits of the number, upper case: what bank references are matched against),
// rec_orders.amount_e4, rec_invoices.due_day (the cash forecast's AP outflows). Existing
// rows are backfilled here; number_key's backfill drops the usual separators only
// (space - / . _ # :), new rows get the exact key from the importer.
constexpr const char* kSchemaV4 = R"sql(
ALTER TABLE rec_ar_invoices ADD COLUMN invoice_day INTEGER NOT NULL DEFAULT 0;
ALTER TABLE rec_ar_invoices ADD COLUMN order_id TEXT NOT NULL DEFAULT '';
ALTER TABLE rec_ar_invoices ADD COLUMN number_key TEXT NOT NULL DEFAULT '';
UPDATE rec_ar_invoices SET
  invoice_day = CAST(julianday(json_extract(data, '$.invoice_date')) - 2440587.5 AS INTEGER),
  order_id = coalesce(json_extract(data, '$.order_id'), ''),
  number_key = upper(replace(replace(replace(replace(replace(replace(replace(
    json_extract(data, '$.invoice_number'), ' ', ''), '-', ''), '/', ''), '.', ''), '_', ''),
    '#', ''), ':', ''));
CREATE INDEX rec_ar_invoices_number_key ON rec_ar_invoices (number_key);
CREATE INDEX rec_ar_invoices_order ON rec_ar_invoices (order_id) WHERE order_id != '';

ALTER TABLE rec_orders ADD COLUMN amount_e4 INTEGER NOT NULL DEFAULT 0;
UPDATE rec_orders SET amount_e4 = CAST(round(CAST(json_extract(data, '$.amount') AS REAL) * 10000)
  AS INTEGER);
CREATE INDEX rec_orders_customer_seq ON rec_orders (customer_id, seq);

ALTER TABLE rec_invoices ADD COLUMN due_day INTEGER NOT NULL DEFAULT 0;
UPDATE rec_invoices SET
  due_day = CAST(julianday(json_extract(data, '$.due_date')) - 2440587.5 AS INTEGER);
CREATE INDEX rec_invoices_due ON rec_invoices (due_day);

CREATE TABLE ar_invoice_state (
  invoice_id         TEXT    NOT NULL PRIMARY KEY,
  customer_id        TEXT    NOT NULL,
  currency           TEXT    NOT NULL,
  invoice_day        INTEGER NOT NULL,
  due_day            INTEGER NOT NULL,
  amount_e4          INTEGER NOT NULL,
  applied_e4         INTEGER NOT NULL DEFAULT 0,
  status             TEXT    NOT NULL DEFAULT 'open',
  closed_day         INTEGER,
  disputed_day       INTEGER,
  dispute_resolved_day INTEGER,
  promised_day       INTEGER,
  dunning_level      TEXT    NOT NULL DEFAULT '',
  dunning_at_us      INTEGER,
  p_late             REAL,
  expected_days_late REAL,
  sd_days_late       REAL,
  model_version      TEXT    NOT NULL DEFAULT '',
  updated_at_us      INTEGER NOT NULL
);
CREATE INDEX ar_state_open_due ON ar_invoice_state (due_day) WHERE status = 'open';
CREATE INDEX ar_state_open_id ON ar_invoice_state (invoice_id) WHERE status = 'open';
CREATE INDEX ar_state_open_amount ON ar_invoice_state (amount_e4 - applied_e4)
  WHERE status = 'open';
CREATE INDEX ar_state_customer_issued ON ar_invoice_state (customer_id, invoice_day);
CREATE INDEX ar_state_customer_open ON ar_invoice_state (customer_id, invoice_day)
  WHERE status = 'open';
CREATE INDEX ar_state_customer_disputed ON ar_invoice_state (customer_id, disputed_day)
  WHERE disputed_day IS NOT NULL;
CREATE INDEX ar_state_customer_closed ON ar_invoice_state (customer_id, closed_day)
  WHERE closed_day IS NOT NULL;

INSERT INTO ar_invoice_state (invoice_id, customer_id, currency, invoice_day, due_day, amount_e4,
  status, closed_day, disputed_day, updated_at_us)
SELECT invoice_id, customer_id, json_extract(data, '$.currency'), invoice_day, due_day, amount_e4,
  CASE WHEN amount_e4 > 0 THEN 'open' ELSE 'paid' END,
  CASE WHEN amount_e4 > 0 THEN NULL ELSE invoice_day END,
  CASE WHEN json_extract(data, '$.disputed') THEN coalesce(
    CAST(julianday(json_extract(data, '$.disputed_at')) - 2440587.5 AS INTEGER), invoice_day) END,
  updated_at_us
FROM rec_ar_invoices;

-- An invoice of nothing (amount 0) is paid on its invoice day: nothing to collect.
CREATE TRIGGER rec_ar_invoices_state_insert AFTER INSERT ON rec_ar_invoices BEGIN
  INSERT INTO ar_invoice_state (invoice_id, customer_id, currency, invoice_day, due_day,
    amount_e4, status, closed_day, disputed_day, updated_at_us)
  VALUES (NEW.invoice_id, NEW.customer_id, json_extract(NEW.data, '$.currency'), NEW.invoice_day,
    NEW.due_day, NEW.amount_e4,
    CASE WHEN NEW.amount_e4 > 0 THEN 'open' ELSE 'paid' END,
    CASE WHEN NEW.amount_e4 > 0 THEN NULL ELSE NEW.invoice_day END,
    CASE WHEN json_extract(NEW.data, '$.disputed') THEN coalesce(
      CAST(julianday(json_extract(NEW.data, '$.disputed_at')) - 2440587.5 AS INTEGER),
      NEW.invoice_day) END,
    NEW.updated_at_us)
  ON CONFLICT (invoice_id) DO NOTHING;
END;
-- A corrected invoice keeps its payments: the amount, dates and customer follow the record;
-- an invoice marked disputed gets a dispute day: its disputed_at, else the day the ledger
-- learned of it (never cleared by a re-import). An open or
-- paid invoice is paid when what was applied covers the new amount (closed the day of the
-- correction if it was open; a credit balance stays as negative outstanding) and open
-- again when it does not. Credited and written-off invoices stay closed.
CREATE TRIGGER rec_ar_invoices_state_update AFTER UPDATE ON rec_ar_invoices BEGIN
  UPDATE ar_invoice_state SET
    status = CASE WHEN status NOT IN ('open', 'paid') THEN status
      WHEN applied_e4 >= NEW.amount_e4 THEN 'paid' ELSE 'open' END,
    closed_day = CASE WHEN status NOT IN ('open', 'paid') THEN closed_day
      WHEN applied_e4 >= NEW.amount_e4
        THEN coalesce(closed_day, NEW.updated_at_us / 86400000000) ELSE NULL END,
    customer_id = NEW.customer_id,
    currency = json_extract(NEW.data, '$.currency'),
    invoice_day = NEW.invoice_day,
    due_day = NEW.due_day,
    amount_e4 = NEW.amount_e4,
    disputed_day = CASE WHEN json_extract(NEW.data, '$.disputed') THEN coalesce(
      CAST(julianday(json_extract(NEW.data, '$.disputed_at')) - 2440587.5 AS INTEGER),
      disputed_day, NEW.updated_at_us / 86400000000) ELSE disputed_day END,
    updated_at_us = NEW.updated_at_us
  WHERE invoice_id = NEW.invoice_id;
  -- Closed by the correction: it holds its customer on credit hold no more.
  UPDATE credit_holds SET released_at_us = NEW.updated_at_us, released_by = 'correction'
  WHERE invoice_id = NEW.invoice_id AND released_at_us IS NULL
    AND (SELECT status FROM ar_invoice_state WHERE invoice_id = NEW.invoice_id) != 'open';
END;

CREATE TABLE ar_applications (
  payment_id    TEXT    NOT NULL,
  invoice_id    TEXT    NOT NULL,
  kind          TEXT    NOT NULL,
  amount_e4     INTEGER NOT NULL,
  applied_day   INTEGER NOT NULL,
  applied_at_us INTEGER NOT NULL,
  applied_by    TEXT    NOT NULL,
  instance_id   TEXT    NOT NULL,
  PRIMARY KEY (payment_id, invoice_id, kind)
) WITHOUT ROWID;
CREATE INDEX ar_applications_invoice ON ar_applications (invoice_id);

CREATE TABLE ar_payment_state (
  payment_id    TEXT    NOT NULL PRIMARY KEY,
  status        TEXT    NOT NULL,
  customer_id   TEXT    NOT NULL,
  applied_e4    INTEGER NOT NULL,
  unapplied_e4  INTEGER NOT NULL,
  flags         TEXT    NOT NULL,
  instance_id   TEXT    NOT NULL,
  updated_at_us INTEGER NOT NULL
);
CREATE INDEX ar_payment_state_status ON ar_payment_state (status, updated_at_us);

CREATE TABLE credit_holds (
  customer_id    TEXT    NOT NULL,
  invoice_id     TEXT    NOT NULL,
  placed_at_us   INTEGER NOT NULL,
  placed_by      TEXT    NOT NULL,
  released_at_us INTEGER,
  released_by    TEXT,
  PRIMARY KEY (customer_id, invoice_id)
) WITHOUT ROWID;
CREATE INDEX credit_holds_open_invoice ON credit_holds (invoice_id) WHERE released_at_us IS NULL;

CREATE TABLE credit_limit_changes (
  change_id     INTEGER PRIMARY KEY AUTOINCREMENT,
  customer_id   TEXT    NOT NULL,
  old_limit_e4  INTEGER NOT NULL,
  new_limit_e4  INTEGER NOT NULL,
  changed_at_us INTEGER NOT NULL,
  changed_by    TEXT    NOT NULL,
  reason        TEXT    NOT NULL,
  instance_id   TEXT    NOT NULL
);
CREATE INDEX credit_limit_changes_customer ON credit_limit_changes (customer_id, changed_at_us);

CREATE TABLE order_decisions (
  order_id      TEXT    NOT NULL PRIMARY KEY,
  status        TEXT    NOT NULL,
  decided_at_us INTEGER NOT NULL,
  decided_by    TEXT    NOT NULL,
  instance_id   TEXT    NOT NULL,
  reason        TEXT    NOT NULL
);
)sql";

constexpr std::array kMigrations = {
    Migration{1, "initial schema", kSchemaV1},
    Migration{2, "business records, journal, outcomes", kSchemaV2},
    Migration{3, "vendor invoice totals index", kSchemaV3},
    Migration{4, "accounts receivable and order-to-cash state", kSchemaV4},
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
  auto st = db.prepare("PRAGMA quick_check");
  if (!st) {
    Error error = st.error();
    error.message = db.path() + ": " + error.message;
    return error;
  }
  Statement& q = st->get();
  std::string problems;
  int problem_count = 0;
  for (;;) {
    const int rc = q.step();
    if (rc == SQLITE_DONE) break;
    if (rc != SQLITE_ROW) return db.error(rc, doing);
    const std::string line = q.column_text(0);
    if (line == "ok") continue;
    if (++problem_count <= 5) problems.append(problems.empty() ? "" : "; ").append(line);
  }
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

}  // namespace ledgerflow::storage
