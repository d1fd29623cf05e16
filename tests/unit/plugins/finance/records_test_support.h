// Helpers for the record and finance tests: a temporary database with the engine store
// opened first (it migrates the schema) and the record store on the same file, an import
// helper, and small AP fixtures with valid IBANs. Tests whose subject is not SQLite import
// into support/finance_fakes.h's FakeFinanceStore instead of a RecordDb.
#pragma once

#include <catch2/catch.hpp>

#include <memory>
#include <string>

#include "engine/runtime/action_runner.h"
#include "plugins/finance/records/importer.h"
#include "plugins/finance/records/record_types.h"
#include "plugins/finance/sqlite/sqlite_record_store.h"
#include "storage/sqlite/sqlite_store.h"
#include "unit/storage/sqlite/storage_test_support.h"

namespace records_test {

namespace records = ledgerflow::records;
using ledgerflow::ErrorCode;
using ledgerflow::Result;

// Valid IBANs (mod-97 checked); kIbanA2 is kIbanA with its check digits broken.
inline constexpr const char* kIbanA = "DE89370400440532013000";
inline constexpr const char* kIbanB = "GB82WEST12345698765432";
inline constexpr const char* kIbanC = "NL91ABNA0417164300";
inline constexpr const char* kIbanD = "DE62370400440532013001";
inline constexpr const char* kIbanBadCheck = "DE88370400440532013000";

inline constexpr std::int64_t kNowUs = 1'767'225'600'000'000;  // 2026-01-01T00:00:00Z

// The engine store (migrates to schema v2) and the record store on one temporary file.
struct RecordDb {
  storage_test::TempDir dir;
  std::string path = dir.path("lf.db");
  std::unique_ptr<ledgerflow::storage::SqliteStore> engine = storage_test::open_store(path);
  std::unique_ptr<ledgerflow::storage::SqliteRecordStore> store = open_records(path);

  static std::unique_ptr<ledgerflow::storage::SqliteRecordStore> open_records(
      const std::string& path) {
    ledgerflow::storage::RecordStoreOptions o;
    o.path = path;
    auto s = ledgerflow::storage::SqliteRecordStore::open(o);
    if (!s) FAIL("opening the record store: " << s.error().message);
    return std::move(*s);
  }

  std::int64_t count(const std::string& table) {
    return storage_test::raw_int(path, "SELECT count(*) FROM " + table);
  }
};

// A request for `action` as the executor sends it from `instance` in `state` (first attempt).
inline ledgerflow::rt::ActionRequest action_request(const std::string& action, nlohmann::json args,
                                                    const std::string& instance,
                                                    const std::string& state) {
  ledgerflow::rt::ActionRequest r;
  r.action = action;
  r.args = std::move(args);
  r.instance_id = instance;
  r.state = state;
  r.idempotency_key = instance + ":" + state + ":1";
  return r;
}

inline records::ImportOptions options(const std::string& type,
                                      records::PayloadFormat format = records::PayloadFormat::csv) {
  records::ImportOptions o;
  o.type = records::find_record_type(type);
  REQUIRE(o.type != nullptr);
  o.format = format;
  o.source = type + (format == records::PayloadFormat::csv ? ".csv" : ".json");
  o.user = "importer";
  o.now_us = kNowUs;
  return o;
}

inline Result<records::ImportReport> import(
    records::RecordStore& store, const std::string& type, const std::string& payload,
    records::PayloadFormat format = records::PayloadFormat::csv) {
  return records::import_records(payload, options(type, format), store, nullptr);
}

// Imports and requires a committed import without row errors.
inline records::ImportReport import_ok(
    records::RecordStore& store, const std::string& type, const std::string& payload,
    records::PayloadFormat format = records::PayloadFormat::csv) {
  auto r = import(store, type, payload, format);
  if (!r) FAIL(type << ": " << r.error().message);
  INFO(r->to_json().dump());
  REQUIRE(r->error_count == 0);
  REQUIRE(r->committed);
  return std::move(*r);
}

inline const char* kVendorsCsv =
    "vendor_id,name,country,iban,tax_id,created_at\n"
    "V1,Acme GmbH,DE,DE89370400440532013000,DE111,2024-01-01T00:00:00Z\n"
    "V2,Bolt Ltd,GB,GB82WEST12345698765432,GB222,2024-01-01T00:00:00Z\n";

inline const char* kPurchaseOrdersCsv =
    "po_number,vendor_id,line_no,item,qty,unit_price,currency\n"
    "PO1,V1,1,Bolts,10,100.00,EUR\n"
    "PO1,V1,2,Nuts,5,20,EUR\n";

// The vendors and the PO above.
inline void seed_ap(records::RecordStore& store) {
  import_ok(store, "vendors", kVendorsCsv);
  import_ok(store, "purchase_orders", kPurchaseOrdersCsv);
}

}  // namespace records_test
