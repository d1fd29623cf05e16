// The SQLite writer tags the conflicts callers act on with a reason (engine/common/result.h),
// so no caller reads the message: a taken business key, a taken idempotency key.
#include <catch2/catch.hpp>

#include "unit/storage/sqlite/storage_test_support.h"

using namespace storage_test;
using ledgerflow::ErrorReason;

TEST_CASE("A taken business key is a conflict with reason business_key_taken", "[unit][storage]") {
  TempDir dir;
  auto store = open_store(dir.path("ledger.db"));
  require_ok(store->submit_sync(
      insert_instance(make_instance("i-1", "invoice", rt::InstanceStatus::running, "INV-1"))));
  auto r = store->submit_sync(
      insert_instance(make_instance("i-2", "invoice", rt::InstanceStatus::running, "INV-1")));
  REQUIRE_FALSE(r);
  CHECK(r.error().code == ErrorCode::conflict);
  CHECK(r.error().is(ErrorReason::business_key_taken));
  // A different conflict on the same table carries no business-key reason.
  auto again = store->submit_sync(insert_instance(make_instance("i-1")));
  REQUIRE_FALSE(again);
  CHECK(again.error().code == ErrorCode::conflict);
  CHECK(again.error().reason == ErrorReason::none);
}

TEST_CASE("A stored idempotency key is a conflict with reason idempotency_key_taken",
          "[unit][storage]") {
  TempDir dir;
  auto store = open_store(dir.path("ledger.db"));
  rt::WriteSet ws;
  ws.idempotency = {{"k1", "h1", "", {{"ok", true}}, 1}};
  require_ok(store->submit_sync(ws));
  auto r = store->submit_sync(ws);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == ErrorCode::conflict);
  CHECK(r.error().is(ErrorReason::idempotency_key_taken));
}
