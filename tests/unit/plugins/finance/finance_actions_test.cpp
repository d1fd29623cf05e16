// The finance actions (plugins/finance/finance_actions.h) on the in-memory finance store
// (tests/support/finance_fakes.h; store_contract_test.cpp holds it to the SQLite store's
// behaviour):
// duplicate candidates by every rule of duplicate_rules.h, the three-way match with
// receipts cut off at the invoice date, idempotent journal postings, payment history.
#include <catch2/catch.hpp>

#include "engine/runtime/clock.h"
#include "plugins/finance/finance_actions.h"
#include "support/finance_fakes.h"
#include "unit/plugins/finance/records_test_support.h"

using namespace records_test;
using ledgerflow::finance::FinanceActionRunner;
namespace rt = ledgerflow::rt;

namespace {

struct Finance {
  finance_fakes::FakeFinanceStore store;
  rt::FakeClock clock{kNowUs};
  FinanceActionRunner runner{store, clock};

  rt::ActionResult run(const std::string& action, nlohmann::json args,
                       const std::string& instance = "inst-1", const std::string& state = "s") {
    return runner.run(action_request(action, std::move(args), instance, state));
  }
  nlohmann::json ok(const std::string& action, nlohmann::json args) {
    auto r = run(action, std::move(args));
    INFO(r.error << ": " << r.message);
    REQUIRE(r.ok);
    return r.output;
  }
  // The invoice as a workflow carries it (numbers for money).
  nlohmann::json invoice(const std::string& id) {
    const auto& t = *records::find_record_type("invoices");
    auto s = store.get(t, {id});
    REQUIRE(s.ok());
    REQUIRE(s->has_value());
    return records::to_workflow_json(t, (*s)->data);
  }
  nlohmann::json candidates(const std::string& id,
                            nlohmann::json extra = nlohmann::json::object()) {
    extra["invoice"] = invoice(id);
    return ok("ap.duplicate_candidates", std::move(extra));
  }
};

const char* kInvoiceHeader =
    "invoice_id,vendor_id,invoice_number,invoice_date,due_date,currency,amount,submitted_by\n";

std::string inv(const std::string& id, const std::string& vendor, const std::string& number,
                const std::string& date, const std::string& amount) {
  return id + "," + vendor + "," + number + "," + date + ",2027-01-01,EUR," + amount + ",alice\n";
}

void seed_vendors(records::RecordStore& store) {
  // V3 is a second record of V1's company: the same bank account.
  import_ok(store, "vendors",
            std::string(kVendorsCsv) +
                "V3,ACME GMBH,DE,DE89370400440532013000,DE111B,2024-01-01T00:00:00Z\n");
}

std::vector<std::string> candidate_ids(const nlohmann::json& out) {
  std::vector<std::string> ids;
  for (const auto& c : out["candidates"]) ids.push_back(c["invoice_id"].get<std::string>());
  return ids;
}

}  // namespace

TEST_CASE("ap.duplicate_candidates: each rule, against earlier-arrived invoices only",
          "[unit][finance]") {
  Finance f;
  seed_vendors(f.store);
  // In arrival order (the order of the file is the order of arrival).
  import_ok(f.store, "invoices",
            std::string(kInvoiceHeader) +
                inv("OLD", "V1", "OLD-1", "2025-01-01", "300") +       // 438 days before NEW
                inv("E1", "V1", "inv-000123", "2026-03-01", "500") +   // exact original
                inv("E2", "V1", "INV 123", "2026-03-01", "500") +      // re-typed number
                inv("N1", "V1", "RE12345", "2026-04-01", "1000.00") +  // near original
                inv("N2", "V1", "RE12354", "2026-04-05", "1009.00") +  // transposed, +0.9%
                inv("R1", "V1", "F0003210", "2026-05-01", "777.77") +  // resubmission original
                inv("R2", "V1", "F0009999", "2026-05-01", "777.77") +  // new number, 10 days on
                inv("C1", "V1", "X-1", "2026-06-01", "4242") +         // cross-vendor original
                inv("C2", "V3", "ZZ-9", "2026-06-01", "4242") +        // other vendor, same IBAN
                inv("NEW", "V1", "old 1", "2026-03-15", "300"));       // exact to OLD, too late

  SECTION("exact: the same number re-typed") {
    auto out = f.candidates("E2");
    INFO(out.dump(2));
    CHECK(candidate_ids(out) == std::vector<std::string>{"E1"});
    CHECK(out["candidates"][0]["rule"] == "exact");
    CHECK(out["candidates"][0]["similarity"] == 1.0);
    CHECK(out["candidates"][0]["invoice_number"] == "inv-000123");
    CHECK(out["candidates"][0]["invoice_date"] == "2026-03-01");
    CHECK(out["candidates"][0]["amount"] == "500.00");
    CHECK(out["candidate_count"] == 1);
    CHECK(out["exact_count"] == 1);
    CHECK(out["best_similarity"] == 1.0);
  }
  SECTION("the original is not flagged by its later copy") {
    for (const char* id : {"E1", "N1", "R1", "C1"}) {
      auto out = f.candidates(id);
      INFO(id << " " << out.dump(2));
      CHECK(out["candidate_count"] == 0);
      CHECK(out["best_similarity"] == 0.0);
      CHECK(out["candidates"].empty());
    }
  }
  SECTION("near: a transposition, amount within 1%, date within 7 days") {
    auto out = f.candidates("N2");
    INFO(out.dump(2));
    CHECK(candidate_ids(out) == std::vector<std::string>{"N1"});
    CHECK(out["candidates"][0]["rule"] == "near");
    CHECK(out["best_similarity"] == 0.95);
    CHECK(out["exact_count"] == 0);
  }
  SECTION("resubmission: same amount and date, another number") {
    auto out = f.candidates("R2");
    INFO(out.dump(2));
    CHECK(candidate_ids(out) == std::vector<std::string>{"R1"});
    CHECK(out["candidates"][0]["rule"] == "resubmission");
    CHECK(out["best_similarity"] == 0.9);
  }
  SECTION("cross-vendor: another vendor record with the same IBAN") {
    auto out = f.candidates("C2");
    INFO(out.dump(2));
    CHECK(candidate_ids(out) == std::vector<std::string>{"C1"});
    CHECK(out["candidates"][0]["rule"] == "cross_vendor");
    CHECK(out["candidates"][0]["vendor_id"] == "V1");
    CHECK(out["best_similarity"] == 0.9);
  }
  SECTION("an invoice beyond the lookback is not a candidate") {
    auto out = f.candidates("NEW");
    INFO(out.dump(2));
    CHECK(out["candidate_count"] == 0);
    CHECK(out["lookback_days"] == 365);
    auto longer = f.candidates("NEW", {{"lookback_days", 500}});
    CHECK(candidate_ids(longer) == std::vector<std::string>{"OLD"});
    CHECK(longer["exact_count"] == 1);
  }
  SECTION("an invoice not on file is compared with all") {
    nlohmann::json by_hand = {{"invoice_id", "HAND-1"},
                              {"vendor_id", "V1"},
                              {"invoice_number", "INV-123"},
                              {"invoice_date", "2026-03-02"},
                              {"amount", 500}};
    auto out = f.ok("ap.duplicate_candidates", {{"invoice", by_hand}});
    INFO(out.dump(2));
    CHECK(candidate_ids(out) == std::vector<std::string>{"E1", "E2"});
    CHECK(out["exact_count"] == 2);
    CHECK(out["candidate_count"] == 2);
  }
}

TEST_CASE("ap.duplicate_candidates: near misses are not candidates, split detection",
          "[unit][finance]") {
  Finance f;
  seed_vendors(f.store);
  import_ok(f.store, "invoices",
            std::string(kInvoiceHeader) + inv("A1", "V1", "RE12345", "2026-04-01", "1000") +
                inv("A2", "V1", "RE12354", "2026-04-09", "1000") +  // 8 days apart
                inv("B1", "V2", "RE500", "2026-05-01", "1000") +
                inv("B2", "V2", "RE505", "2026-05-02", "1011") +  // 1.1% apart
                inv("C4", "V2", "Q-7", "2026-06-25", "50") +      // 8 days before C3
                inv("C1", "V2", "S-1", "2026-07-01", "990") +     // three just under 1,000
                inv("C2", "V2", "S-2", "2026-07-02", "950") +
                inv("C3", "V2", "S-3", "2026-07-03", "900"));
  CHECK(f.candidates("A2")["candidate_count"] == 0);
  CHECK(f.candidates("B2")["candidate_count"] == 0);

  auto out = f.candidates("C3");
  INFO(out.dump(2));
  CHECK(out["candidate_count"] == 0);
  CHECK(out["same_vendor_recent"]["count"] == 2);
  CHECK(out["same_vendor_recent"]["window_days"] == 3);
  CHECK(out["same_vendor_recent"]["total_with_this"] == "2840.00");
  auto wider = f.candidates("C3", {{"split_window_days", 8}});
  CHECK(wider["same_vendor_recent"]["count"] == 3);
  // The first of them has nothing within 3 days before it (C4 is 6 days before).
  CHECK(f.candidates("C1")["same_vendor_recent"]["count"] == 0);
}

TEST_CASE("ap.duplicate_candidates: bad arguments name the argument", "[unit][finance]") {
  Finance f;
  nlohmann::json good = {{"invoice_id", "X"},
                         {"vendor_id", "V1"},
                         {"invoice_number", "1"},
                         {"invoice_date", "2026-03-01"},
                         {"amount", 10}};
  auto bad = [&](nlohmann::json args, const char* named) {
    auto r = f.run("ap.duplicate_candidates", std::move(args));
    INFO(r.message);
    CHECK_FALSE(r.ok);
    CHECK(r.error == "action_error");
    CHECK_THAT(r.message, Catch::Contains(named));
  };
  bad(nlohmann::json::object(), "'invoice'");
  bad({{"invoice", "X"}}, "'invoice'");
  auto no_vendor = good;
  no_vendor.erase("vendor_id");
  bad({{"invoice", no_vendor}}, "invoice.vendor_id");
  auto bad_date = good;
  bad_date["invoice_date"] = "2026-02-30";
  bad({{"invoice", bad_date}}, "invoice.invoice_date");
  auto bad_amount = good;
  bad_amount["amount"] = 10.123456;
  bad({{"invoice", bad_amount}}, "invoice.amount");
  bad({{"invoice", good}, {"lookback_days", -1}}, "'lookback_days'");
  bad({{"invoice", good}, {"split_window_days", "3"}}, "'split_window_days'");
  CHECK(f.run("ap.duplicate_candidates", {{"invoice", good}}).ok);
  auto unknown = f.run("ap.nope", nlohmann::json::object());
  CHECK_FALSE(unknown.ok);
  rt::ActionTable table;
  REQUIRE(
      FinanceActionRunner::install(std::make_shared<FinanceActionRunner>(f.store, f.clock), table)
          .ok());
  CHECK(table.find("ap.nope") == nullptr);
  CHECK(table.find("ledger.post") != nullptr);
}

TEST_CASE("ap.three_way_match: PO prices and receipts booked by the end of the invoice date",
          "[unit][finance]") {
  Finance f;
  seed_ap(f.store);
  import_ok(f.store, "receipts",
            "receipt_id,po_number,line_no,qty_received,received_at\n"
            "R1,PO1,1,10,2026-02-20T10:00:00Z\n"
            "R2,PO1,2,3,2026-02-20T10:00:00Z\n"
            "R3,PO1,2,1,2026-03-01T23:59:59Z\n"
            "R4,PO1,2,1,2026-03-02T00:00:00Z\n");
  import_ok(f.store, "invoices",
            R"([{"invoice_id": "M1", "vendor_id": "V1", "invoice_number": "M-1",
                 "invoice_date": "2026-03-01", "due_date": "2026-03-31", "currency": "EUR",
                 "amount": "1100", "po_number": "PO1", "submitted_by": "alice",
                 "lines": [{"line_no": 1, "po_line_no": 1, "qty": 10, "unit_price": 100},
                           {"line_no": 2, "po_line_no": 2, "qty": 5, "unit_price": 20}]}])",
            records::PayloadFormat::json);

  auto out = f.ok("ap.three_way_match", {{"invoice", f.invoice("M1")}});
  INFO(out.dump(2));
  CHECK(out["status"] == "mismatch");
  CHECK(out["lines_checked"] == 2);
  CHECK(out["discrepancy_count"] == 1);
  CHECK(out["discrepancies"][0]["kind"] == "quantity");
  CHECK(out["discrepancies"][0]["line_no"] == 2);
  CHECK(out["discrepancies"][0]["expected"] == "4.00");  // R4 came the day after

  auto next_day = f.invoice("M1");
  next_day["invoice_date"] = "2026-03-02";
  CHECK(f.ok("ap.three_way_match", {{"invoice", next_day}})["status"] == "matched");

  // Tolerances from the workflow: one more unit may be billed than received.
  auto tolerant =
      f.ok("ap.three_way_match", {{"invoice", f.invoice("M1")}, {"tolerances", {{"qty_abs", 1}}}});
  CHECK(tolerant["status"] == "matched");

  // An invoice not on file: its lines as the workflow carries them; price beyond 2%.
  nlohmann::json by_hand = {
      {"invoice_id", "M9"},
      {"vendor_id", "V1"},
      {"currency", "EUR"},
      {"amount", 1050.5},
      {"po_number", "PO1"},
      {"invoice_date", "2026-03-05"},
      {"lines", nlohmann::json::array(
                    {{{"line_no", 1}, {"po_line_no", 1}, {"qty", 10}, {"unit_price", 95.05}}})}};
  auto hand = f.ok("ap.three_way_match", {{"invoice", by_hand}});
  INFO(hand.dump(2));
  CHECK(hand["status"] == "mismatch");
  REQUIRE(hand["discrepancies"].size() >= 1);
  CHECK(hand["discrepancies"][0]["kind"] == "price");
  CHECK(hand["discrepancies"][0]["actual"] == "95.05");

  // The PO named in the arguments wins over the invoice's; an unknown PO.
  auto missing = f.ok("ap.three_way_match", {{"invoice", f.invoice("M1")}, {"po_number", "PO404"}});
  CHECK(missing["status"] == "po_not_found");
  CHECK(missing["po_number"] == "PO404");
  CHECK(missing["discrepancy_count"] == 2);
}

TEST_CASE("ap.three_way_match: bad arguments name the argument", "[unit][finance]") {
  Finance f;
  nlohmann::json invoice = {{"invoice_id", "M"},
                            {"vendor_id", "V1"},
                            {"currency", "EUR"},
                            {"amount", 1},
                            {"invoice_date", "2026-03-01"}};
  auto r = f.run("ap.three_way_match", {{"invoice", invoice}});
  CHECK(r.error == "action_error");
  CHECK_THAT(r.message, Catch::Contains("'po_number'"));
  auto t =
      f.run("ap.three_way_match",
            {{"invoice", invoice}, {"po_number", "PO1"}, {"tolerances", {{"price_pct", 500}}}});
  CHECK(t.error == "action_error");
  CHECK_THAT(t.message, Catch::Contains("'price_pct'"));
  auto no_currency = invoice;
  no_currency.erase("currency");
  auto c = f.run("ap.three_way_match", {{"invoice", no_currency}, {"po_number", "PO1"}});
  CHECK(c.error == "action_error");
  CHECK_THAT(c.message, Catch::Contains("invoice.currency"));
}

TEST_CASE("ledger.post: idempotent per instance and state, a conflict for another instance",
          "[unit][finance]") {
  Finance f;
  seed_ap(f.store);
  import_ok(f.store, "invoices",
            std::string(kInvoiceHeader) + inv("I1", "V1", "N1", "2026-03-01", "1234.5678"));
  nlohmann::json invoice = f.invoice("I1");
  // What was approved is what gets posted: an amount that differs from the record on file
  // (re-imported after the approval) is a conflict, and nothing is posted.
  invoice["amount"] = 1.0;
  auto changed = f.run("ledger.post", {{"invoice", invoice}}, "inst-0", "post");
  CHECK(changed.error == "conflict");
  CHECK_THAT(changed.message, Catch::Contains("changed since it was approved"));
  CHECK(f.store.journal_size().value() == 0);
  invoice["amount"] = 1234.5678;
  auto first = f.run("ledger.post", {{"invoice", invoice}, {"approval_tier", 2}}, "inst-1", "post");
  INFO(first.message);
  REQUIRE(first.ok);
  CHECK(first.output["already_posted"] == false);
  CHECK(first.output["amount"] == "1234.5678");
  CHECK(first.output["currency"] == "EUR");
  CHECK(first.output["posted_at"] == "2026-01-01T00:00:00Z");

  f.clock.advance_ms(60'000);
  auto again = f.run("ledger.post", {{"invoice", invoice}}, "inst-1", "post");
  REQUIRE(again.ok);
  CHECK(again.output["already_posted"] == true);
  CHECK(again.output["entry_id"] == first.output["entry_id"]);
  CHECK(again.output["posted_at"] == "2026-01-01T00:00:00Z");  // the first posting's time
  CHECK(f.store.journal_size().value() == 1);

  auto other = f.run("ledger.post", {{"invoice", invoice}}, "inst-2", "post");
  CHECK_FALSE(other.ok);
  CHECK(other.error == "conflict");
  CHECK_THAT(other.message, Catch::Contains("inst-1"));
  CHECK(f.store.journal_size().value() == 1);
  REQUIRE(f.store.journal().size() == 1);
  CHECK(f.store.journal()[0].posting.amount_e4 == 12'345'678);

  // An invoice not on file posts what the workflow carries.
  auto by_hand = f.run(
      "ledger.post", {{"invoice", {{"invoice_id", "X1"}, {"currency", "USD"}, {"amount", 12.34}}}},
      "inst-3", "post");
  REQUIRE(by_hand.ok);
  CHECK(by_hand.output["amount"] == "12.34");
  CHECK(f.store.journal_size().value() == 2);

  auto bad = f.run("ledger.post", {{"invoice", {{"invoice_id", "X2"}, {"amount", 1}}}});
  CHECK(bad.error == "action_error");
  CHECK_THAT(bad.message, Catch::Contains("invoice.currency"));
}

TEST_CASE("treasury.release_payment: known payments once, unknown ones are an action_error",
          "[unit][finance]") {
  Finance f;
  import_ok(f.store, "vendors", kVendorsCsv);
  import_ok(f.store, "outgoing_payments",
            "payment_id,vendor_id,amount,currency,iban,requested_by,requested_at\n"
            "P1,V1,250.5,EUR,DE89370400440532013000,u,2025-12-01T10:00:00Z\n");
  auto unknown = f.run("treasury.release_payment", {{"payment_id", "P404"}}, "inst-1", "pay");
  CHECK_FALSE(unknown.ok);
  CHECK(unknown.error == "action_error");
  CHECK_THAT(unknown.message, Catch::Contains("P404"));
  CHECK(f.store.journal_size().value() == 0);

  auto missing = f.run("treasury.release_payment", nlohmann::json::object());
  CHECK(missing.error == "action_error");
  CHECK_THAT(missing.message, Catch::Contains("payment_id"));

  auto first = f.run("treasury.release_payment", {{"payment_id", "P1"}}, "inst-1", "pay");
  REQUIRE(first.ok);
  CHECK(first.output["already_released"] == false);
  auto again = f.run("treasury.release_payment", {{"payment_id", "P1"}}, "inst-1", "pay");
  REQUIRE(again.ok);
  CHECK(again.output["already_released"] == true);
  REQUIRE(f.store.journal().size() == 1);
  CHECK(f.store.journal()[0].posting.amount_e4 == 2'505'000);
  auto other = f.run("treasury.release_payment", {{"payment_id", "P1"}}, "inst-2", "pay");
  CHECK(other.error == "conflict");
}

TEST_CASE(
    "ap.vendor_payment_history: earlier payments only, the latest bank change and its "
    "changer",
    "[unit][finance]") {
  Finance f;
  import_ok(f.store, "vendors", kVendorsCsv);
  // V1 changes its account twice: on 2025-12-01 by eve, on 2026-02-01 by frank.
  const std::string header =
      "vendor_id,name,country,iban,tax_id,created_at,bank_changed_at,bank_changed_by\n";
  import_ok(f.store, "vendors",
            header + "V1,Acme GmbH,DE," + kIbanD +
                ",DE111,2024-01-01T00:00:00Z,2025-12-01T00:00:00Z,eve\n");
  import_ok(f.store, "vendors",
            header + "V1,Acme GmbH,DE," + kIbanC +
                ",DE111,2024-01-01T00:00:00Z,2026-02-01T00:00:00Z,frank\n");
  import_ok(f.store, "outgoing_payments",
            "payment_id,vendor_id,amount,currency,iban,requested_by,requested_at\n"
            "P0,V1,99999,EUR,DE89370400440532013000,u,2024-11-01T00:00:00Z\n"  // > 365 days
            "P1,V1,100,EUR,DE89370400440532013000,u,2025-11-01T00:00:00Z\n"
            "P2,V1,200,EUR,DE89370400440532013000,u,2025-11-15T00:00:00Z\n"
            "P3,V1,300,EUR,DE62370400440532013001,u,2025-12-10T00:00:00Z\n"
            "P4,V1,5000,EUR,DE62370400440532013001,u,2025-12-19T23:00:00Z\n"   // the payment
            "P5,V1,10000,EUR,DE62370400440532013001,u,2025-12-25T00:00:00Z\n"  // later
            "P6,V2,7,EUR,GB82WEST12345698765432,u,2025-12-01T00:00:00Z\n");

  auto out = f.ok("ap.vendor_payment_history",
                  {{"vendor_id", "V1"}, {"as_of", "2025-12-20T00:00:00Z"}, {"payment_id", "P4"}});
  INFO(out.dump(2));
  CHECK(out["payment_count"] == 3);
  CHECK(out["mean_amount"].get<double>() == Approx(200.0));
  CHECK(out["stddev_amount"].get<double>() == Approx(100.0));
  CHECK(out["last_payment_at"] == "2025-12-10T00:00:00Z");
  CHECK(out["ibans_used"] == nlohmann::json::array({kIbanD, kIbanA}));  // sorted
  CHECK(out["iban_as_of"] == kIbanD);
  CHECK(out["bank_changed_by"] == "eve");
  CHECK(out["bank_changed_at"] == "2025-12-01T00:00:00Z");

  // Before eve's change the only entry is the vendor's first account: no change to report.
  auto before =
      f.ok("ap.vendor_payment_history", {{"vendor_id", "V1"}, {"as_of", "2025-11-20T00:00:00Z"}});
  INFO(before.dump(2));
  CHECK(before["payment_count"] == 2);
  CHECK(before["iban_as_of"] == kIbanA);
  CHECK_FALSE(before.contains("bank_changed_by"));

  // The clock is as_of by default (2026-01-01): P4 and P5 count, frank's change does not.
  auto now = f.ok("ap.vendor_payment_history", {{"vendor_id", "V1"}});
  CHECK(now["payment_count"] == 5);
  CHECK(now["bank_changed_by"] == "eve");
  f.clock.set_us(kNowUs + 40 * 86'400'000'000LL);  // 2026-02-10
  CHECK(f.ok("ap.vendor_payment_history", {{"vendor_id", "V1"}})["bank_changed_by"] == "frank");

  // One payment: no spread.
  auto one = f.ok("ap.vendor_payment_history", {{"vendor_id", "V2"}});
  CHECK(one["payment_count"] == 1);
  CHECK(one["stddev_amount"] == 0.0);
  CHECK_FALSE(one.contains("bank_changed_by"));
  auto nobody = f.ok("ap.vendor_payment_history", {{"vendor_id", "V404"}});
  CHECK(nobody["payment_count"] == 0);
  CHECK(nobody["mean_amount"] == 0.0);

  auto bad = [&](nlohmann::json args, const char* named) {
    auto r = f.run("ap.vendor_payment_history", std::move(args));
    INFO(r.message);
    CHECK(r.error == "action_error");
    CHECK_THAT(r.message, Catch::Contains(named));
  };
  bad(nlohmann::json::object(), "vendor_id");
  bad({{"vendor_id", "V1"}, {"as_of", "yesterday"}}, "'as_of'");
  bad({{"vendor_id", "V1"}, {"lookback_days", 0}}, "'lookback_days'");
}
