// The finance package's own migration list (plugins/finance/sqlite/finance_schema.h): the
// engine's schema has no finance table, the record store creates them on open, databases
// whose finance tables came from the engine's former combined list are recognised at the
// version they have (nothing created twice, nothing lost), and every record table has
// exactly the columns the record-type table (record_types.h) binds.
#include <catch2/catch.hpp>

#include <set>
#include <string>

#include "plugins/finance/records/record_types.h"
#include "plugins/finance/sqlite/finance_schema.h"
#include "storage/sqlite/schema.h"
#include "unit/plugins/finance/records_test_support.h"

using namespace records_test;

namespace {

constexpr const char* kInvoicesCsv =
    "invoice_id,vendor_id,invoice_number,invoice_date,due_date,currency,amount,submitted_by\n"
    "I1,V1,N1,2026-03-01,2026-03-31,EUR,10,alice\n"
    "I2,V1,N2,2026-03-02,2026-04-01,EUR,20.5,alice\n";

std::int64_t objects(const std::string& path, const std::string& where) {
  return storage_test::raw_int(path, "SELECT count(*) FROM sqlite_schema WHERE " + where);
}

std::int64_t finance_version(const std::string& path) {
  return storage_test::raw_int(path,
                               "SELECT version FROM schema_components WHERE component = 'finance'");
}

// The schema as SQLite keeps it, without the component bookkeeping.
std::int64_t schema_objects(const std::string& path) {
  return objects(path, "name != 'schema_components' AND name NOT LIKE 'sqlite_%'");
}

}  // namespace

TEST_CASE("finance schema: the engine creates no finance table; the record store does",
          "[unit][finance][storage]") {
  storage_test::TempDir dir;
  const std::string path = dir.path("lf.db");
  auto engine = storage_test::open_store(path);
  CHECK(objects(path,
                "name LIKE 'rec_%' OR name IN ('journal', 'vendor_bank_history', "
                "'ar_invoice_state', 'credit_holds', 'order_decisions')") == 0);
  CHECK(objects(path, "type = 'table' AND name = 'outcomes'") == 1);  // generic: the engine's
  auto store = RecordDb::open_records(path);
  CHECK(finance_version(path) == ledgerflow::storage::finance_schema_version());
  CHECK(objects(path, "type = 'table' AND name LIKE 'rec_%'") ==
        static_cast<std::int64_t>(records::record_types().size()));
  CHECK(objects(path, "type = 'trigger' AND name LIKE 'rec_ar_invoices_state_%'") == 2);
  // Opening again changes nothing.
  const auto before = schema_objects(path);
  auto again = RecordDb::open_records(path);
  CHECK(schema_objects(path) == before);
}

TEST_CASE("finance schema: a database from the combined list keeps its tables and data",
          "[unit][finance][storage]") {
  RecordDb db;
  seed_ap(*db.store);
  import_ok(*db.store, "invoices", kInvoicesCsv);
  const auto before = schema_objects(db.path);
  const auto invoices = db.count("rec_invoices");
  REQUIRE(invoices > 0);
  const std::int64_t history = db.count("vendor_bank_history");
  // What a database of the engine's list up to version 4 looks like: the same tables, no
  // component bookkeeping.
  db.store.reset();
  storage_test::raw_exec(db.path, "DROP TABLE schema_components");
  REQUIRE(ledgerflow::storage::schema_version() == 4);

  auto store = RecordDb::open_records(db.path);  // would fail creating a table twice
  CHECK(finance_version(db.path) == 3);
  CHECK(schema_objects(db.path) == before);
  CHECK(db.count("rec_invoices") == invoices);
  CHECK(db.count("vendor_bank_history") == history);
  import_ok(*store, "customers",
            "customer_id,name,country,credit_limit,currency,payment_terms_days,created_at\n"
            "C9,Nine,DE,100,EUR,30,2026-01-01T00:00:00Z\n");
  CHECK(db.count("rec_customers") == 1);
}

TEST_CASE("finance schema: a combined-list database at version 2 gets versions 2 and 3",
          "[unit][finance][storage]") {
  RecordDb db;
  seed_ap(*db.store);
  import_ok(*db.store, "invoices", kInvoicesCsv);
  const auto complete = schema_objects(db.path);
  db.store.reset();
  // Back to engine version 2 of the combined list: records and journal only.
  storage_test::raw_exec(db.path,
                         "DROP TABLE schema_components;"
                         "DROP TRIGGER rec_ar_invoices_state_insert;"
                         "DROP TRIGGER rec_ar_invoices_state_update;"
                         "DROP TABLE ar_invoice_state; DROP TABLE ar_applications;"
                         "DROP TABLE ar_payment_state; DROP TABLE credit_holds;"
                         "DROP TABLE credit_limit_changes; DROP TABLE order_decisions;"
                         "DROP INDEX rec_ar_invoices_number_key; DROP INDEX rec_ar_invoices_order;"
                         "DROP INDEX rec_orders_customer_seq; DROP INDEX rec_invoices_due;"
                         "DROP INDEX rec_invoices_vendor_seq;"
                         "ALTER TABLE rec_ar_invoices DROP COLUMN invoice_day;"
                         "ALTER TABLE rec_ar_invoices DROP COLUMN order_id;"
                         "ALTER TABLE rec_ar_invoices DROP COLUMN number_key;"
                         "ALTER TABLE rec_orders DROP COLUMN amount_e4;"
                         "ALTER TABLE rec_invoices DROP COLUMN due_day;"
                         "PRAGMA user_version = 2;");
  db.engine.reset();
  auto engine_again = storage_test::open_store(db.path);
  {
    auto c = ledgerflow::storage::Connection::open(
        db.path, ledgerflow::storage::Connection::Mode::read_write, 1000);
    REQUIRE(c);
    auto existing = ledgerflow::storage::finance_existing_version(**c);
    REQUIRE(existing);
    CHECK(*existing == 1);
  }
  auto store = RecordDb::open_records(db.path);
  CHECK(finance_version(db.path) == 3);
  CHECK(schema_objects(db.path) == complete);
  CHECK(objects(db.path, "type = 'index' AND name = 'rec_invoices_vendor_seq'") == 1);
  auto due = storage_test::raw_int(db.path, "SELECT count(*) FROM rec_invoices WHERE due_day > 0");
  CHECK(due == db.count("rec_invoices"));
}

TEST_CASE("finance schema: a newer finance schema is refused", "[unit][finance][storage]") {
  RecordDb db;
  db.store.reset();
  storage_test::raw_exec(db.path,
                         "UPDATE schema_components SET version = 99 WHERE component = 'finance'");
  ledgerflow::storage::RecordStoreOptions o;
  o.path = db.path;
  auto refused = ledgerflow::storage::SqliteRecordStore::open(o);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code == ErrorCode::unavailable);
  CHECK_THAT(refused.error().message, Catch::Contains("finance schema version 99 is newer"));
}

TEST_CASE("finance schema: each record table has the columns its record type binds",
          "[unit][finance][records]") {
  RecordDb db;
  for (const auto& type : records::record_types()) {
    INFO(type.name);
    REQUIRE_FALSE(type.table.empty());
    std::set<std::string> expected = {"seq", "updated_at_us", "data"};
    for (const auto& c : type.key_columns()) expected.insert(std::string(c.column));
    for (const auto& c : type.lookups) expected.insert(std::string(c.column));
    std::set<std::string> actual;
    auto c = ledgerflow::storage::Connection::open(
        db.path, ledgerflow::storage::Connection::Mode::read_only, 1000);
    REQUIRE(c);
    auto names = (*c)->query(
        "SELECT name FROM pragma_table_info(?)", "reading columns",
        [](const ledgerflow::storage::Statement& r) { return r.column_text(0); }, type.table);
    REQUIRE(names);
    actual.insert(names->begin(), names->end());
    CHECK(actual == expected);
    // Key columns are the primary key, in order.
    auto pk = (*c)->query(
        "SELECT name FROM pragma_table_info(?) WHERE pk > 0 ORDER BY pk", "reading the key",
        [](const ledgerflow::storage::Statement& r) { return r.column_text(0); }, type.table);
    REQUIRE(pk);
    std::vector<std::string> key;
    for (const auto& k : type.key_columns()) key.emplace_back(k.column);
    CHECK(*pk == key);
  }
}
