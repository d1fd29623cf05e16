#include "plugins/finance/sqlite/finance_schema.h"

#include <array>

#include "storage/sqlite/schema.h"

namespace ledgerflow::storage {
namespace {

// Version 1 (engine version 2 of the combined list): business records (docs/record_formats.md), the
// journal that ledger.post writes. Every record table has its key columns, the columns
// its lookups filter on (derived at import: normalised numbers, days since 1970-01-01,
// amounts in units of 1e-4; plugins/finance/records/record_types.cpp lists them),
// `seq` (the order records first arrived in, kept when a record is updated),
// `updated_at_us` and `data`: the validated record as canonical JSON. Money is kept
// exactly: decimal strings in `data`, integers here.
constexpr const char* kFinanceV1 = R"sql(
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
)sql";

// Version 2 (engine version 3 of the combined list): a covering index for a vendor's invoice count
// and total before an arrival (ap.duplicate_candidates' vendor_history, the amount_vs_vendor_mean
// feature).
constexpr const char* kFinanceV2 = R"sql(
CREATE INDEX rec_invoices_vendor_seq ON rec_invoices (vendor_id, seq, amount_e4);
)sql";

// Version 3 (engine version 4 of the combined list): accounts receivable and order-to-cash state.
// The rec_* tables stay the imported master data; what the workflows do to it lives beside it:
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
constexpr const char* kFinanceV3 = R"sql(
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

constexpr std::array kFinanceMigrations = {
    Migration{1, "business records, vendor bank history, journal", kFinanceV1},
    Migration{2, "vendor invoice totals index", kFinanceV2},
    Migration{3, "accounts receivable and order-to-cash state", kFinanceV3},
};

}  // namespace

int finance_schema_version() {
  return kFinanceMigrations.back().version;
}

Result<int> finance_existing_version(Connection& db) {
  // The first object each version created; a version's objects came in one transaction.
  auto count = [&](const char* type, const char* name) {
    return db.query_one(
        "SELECT count(*) FROM sqlite_schema WHERE type = ?1 AND name = ?2",
        "recognising the finance tables", [](const Statement& row) { return row.column_int(0); },
        type, name);
  };
  int version = 0;
  for (const auto& [type, name] :
       {std::pair{"table", "rec_vendors"}, std::pair{"index", "rec_invoices_vendor_seq"},
        std::pair{"table", "ar_invoice_state"}}) {
    auto n = count(type, name);
    if (!n) return n.error();
    if (**n == 0) break;
    ++version;
  }
  return version;
}

Result<void> migrate_finance(Connection& db) {
  return migrate_component(db, kFinanceComponent, kFinanceMigrations, finance_existing_version);
}

}  // namespace ledgerflow::storage
