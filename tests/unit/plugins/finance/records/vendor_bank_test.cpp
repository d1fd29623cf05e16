// The vendor bank-history rule (vendor_bank.h), a named step of the import: when and by
// whom a vendor's IBAN changed.
#include <catch2/catch.hpp>

#include "engine/expr/timestamp.h"
#include "plugins/finance/records/vendor_bank.h"

namespace records = ledgerflow::records;

namespace {

constexpr std::int64_t kNow = 1'767'225'600'000'000;  // 2026-01-01T00:00:00Z

records::Record vendor(nlohmann::json data) {
  records::Record r;
  r.type = records::find_record_type("vendors");
  r.data = std::move(data);
  return r;
}

std::int64_t at(const char* timestamp) {
  return ledgerflow::expr::parse_timestamp(timestamp).value();
}

}  // namespace

TEST_CASE("vendor bank history: a new vendor has had its account since it was created",
          "[unit][records][finance]") {
  auto change = records::bank_account_change(
      vendor({{"vendor_id", "V1"}, {"iban", "DE89"}, {"created_at", "2025-06-01T00:00:00Z"}}),
      nullptr, "importer", kNow);
  REQUIRE(change);
  CHECK(change->vendor_id == "V1");
  CHECK(change->iban == "DE89");
  CHECK(change->changed_at_us == at("2025-06-01T00:00:00Z"));
  CHECK(change->changed_by == "importer");
}

TEST_CASE(
    "vendor bank history: a changed IBAN is dated and signed as the record says, else now "
    "by the importer",
    "[unit][records][finance]") {
  const nlohmann::json before = {{"vendor_id", "V1"}, {"iban", "DE89"}};
  auto said = records::bank_account_change(vendor({{"vendor_id", "V1"},
                                                   {"iban", "GB82"},
                                                   {"created_at", "2025-06-01T00:00:00Z"},
                                                   {"bank_changed_at", "2025-12-24T10:00:00Z"},
                                                   {"bank_changed_by", "mallory"}}),
                                           &before, "importer", kNow);
  REQUIRE(said);
  CHECK(said->changed_at_us == at("2025-12-24T10:00:00Z"));
  CHECK(said->changed_by == "mallory");
  auto unsaid = records::bank_account_change(
      vendor({{"vendor_id", "V1"}, {"iban", "GB82"}, {"created_at", "2025-06-01T00:00:00Z"}}),
      &before, "importer", kNow);
  REQUIRE(unsaid);
  CHECK(unsaid->changed_at_us == kNow);  // not created_at: the vendor existed before
  CHECK(unsaid->changed_by == "importer");
}

TEST_CASE("vendor bank history: the same IBAN or another record type is no change",
          "[unit][records][finance]") {
  const nlohmann::json before = {{"vendor_id", "V1"}, {"iban", "DE89"}, {"name", "Old"}};
  CHECK_FALSE(records::bank_account_change(
      vendor({{"vendor_id", "V1"}, {"iban", "DE89"}, {"name", "New"}}), &before, "u", kNow));
  records::Record invoice;
  invoice.type = records::find_record_type("invoices");
  invoice.data = {{"iban", "DE89"}};
  CHECK_FALSE(records::bank_account_change(invoice, nullptr, "u", kNow));
}
