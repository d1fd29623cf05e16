// The AR and O2C actions (plugins/finance/ar_actions.h) on the in-memory finance store
// (tests/support/finance_fakes.h; store_contract_test.cpp holds it to the SQLite store's
// behaviour): each
// action's output, its bad arguments (`action_error` naming the argument) and ledger
// conflicts (`conflict`); cash application end to end (ar.match_payment, then
// ar.apply_payment with what it suggested); dunning stages; the promise-to-pay window;
// the credit exposure of an order; credit-limit changes.
#include <catch2/catch.hpp>

#include "engine/expr/timestamp.h"
#include "engine/runtime/clock.h"
#include "plugins/finance/ar_actions.h"
#include "plugins/finance/records/decimal.h"
#include "support/finance_fakes.h"
#include "unit/plugins/finance/records_test_support.h"

using namespace records_test;
using ledgerflow::finance::ArActionRunner;
namespace rt = ledgerflow::rt;
namespace expr = ledgerflow::expr;
using nlohmann::json;
using records::kE4;

namespace {

std::int64_t micros(const std::string& timestamp) {
  auto us = expr::parse_timestamp(timestamp);
  REQUIRE(us);
  return *us;
}

int day(const std::string& date) {
  return static_cast<int>(micros(date) / expr::kMicrosPerDay);
}

const char* kCustomersCsv =
    "customer_id,name,country,credit_limit,currency,payment_terms_days,created_at\n"
    "C1,Contoso AG,DE,10000,EUR,30,2024-01-01T00:00:00Z\n"
    "C2,Fabrikam Ltd,GB,5000,EUR,30,2024-01-01T00:00:00Z\n"
    "C3,Northwind SA,FR,0,EUR,14,2024-01-01T00:00:00Z\n";

// Open on 2026-06-01 (the clock's day): C1's five, C2's one.
const char* kInvoicesCsv =
    "invoice_id,customer_id,invoice_number,invoice_date,due_date,currency,amount,disputed\n"
    "E1,C1,SI-2026-000101,2026-05-01,2026-05-31,EUR,1000.00,0\n"
    "E2,C1,SI-2026-000102,2026-05-02,2026-06-01,EUR,250.00,0\n"
    "E3,C1,SI-2026-000103,2026-05-03,2026-06-02,EUR,400.00,0\n"
    "E4,C1,SI-2026-000104,2026-05-04,2026-06-03,USD,1500.00,0\n"
    "E5,C1,SI-2026-000105,2026-05-05,2026-06-20,EUR,3333.33,0\n"
    "F1,C2,SI-2026-000201,2026-05-01,2026-05-31,EUR,777.00,0\n";

struct Ar {
  finance_fakes::FakeFinanceStore store;
  rt::FakeClock clock{micros("2026-06-01T10:00:00Z")};
  ArActionRunner runner{store, store, clock};

  Ar() {
    import_ok(store, "customers", kCustomersCsv);
    import_ok(store, "ar_invoices", kInvoicesCsv);
  }

  rt::ActionResult run(const std::string& action, json args, const std::string& instance = "inst-1",
                       const std::string& state = "s") {
    return runner.run(action_request(action, std::move(args), instance, state));
  }
  json ok(const std::string& action, json args, const std::string& instance = "inst-1") {
    auto r = run(action, std::move(args), instance);
    INFO(action << ": " << r.error << ": " << r.message);
    REQUIRE(r.ok);
    return r.output;
  }
  // A failure named `error` whose message mentions `mentions`.
  void fails(const std::string& action, json args, const std::string& error,
             const std::string& mentions, bool prefixed = true) {
    const std::string shown = args.dump();
    auto r = run(action, std::move(args));
    INFO(action << " " << shown << " -> " << r.error << ": " << r.message);
    REQUIRE_FALSE(r.ok);
    CHECK(r.error == error);
    CHECK_THAT(r.message, Catch::Contains(mentions));
    if (prefixed) CHECK_THAT(r.message, Catch::StartsWith(action + ": "));
  }
  records::ArInvoiceState state(const std::string& id) {
    auto s = store.ar_invoice(id);
    REQUIRE(s);
    REQUIRE(s->has_value());
    return **s;
  }
  json customer(const std::string& id) {
    const auto& t = *records::find_record_type("customers");
    auto s = store.get(t, {id});
    REQUIRE(s);
    REQUIRE(s->has_value());
    return records::to_workflow_json(t, (*s)->data);
  }
};

json payment(const std::string& id, const std::string& customer, double amount,
             const std::string& reference, const std::string& currency = "EUR",
             const std::string& received_at = "2026-06-01T09:30:00Z") {
  json p = {{"payment_id", id},
            {"amount", amount},
            {"currency", currency},
            {"received_at", received_at},
            {"reference", reference}};
  if (!customer.empty()) p["customer_id"] = customer;
  return p;
}

// The dunning schedule of workflows/ar_collections.yaml.
json stages() {
  return json::array({{{"level", "reminder"}, {"days", -3}, {"action", "notice"}},
                      {{"level", "first_notice"}, {"days", 7}, {"action", "notice"}},
                      {{"level", "second_notice"}, {"days", 21}, {"action", "notice"}},
                      {{"level", "collector_call"}, {"days", 45}, {"action", "call"}},
                      {{"level", "credit_hold"}, {"days", 60}, {"action", "hold"}}});
}

std::vector<std::string> allocated_ids(const json& suggestion) {
  std::vector<std::string> out;
  for (const auto& a : suggestion["allocations"]) out.push_back(a["invoice_id"]);
  return out;
}

bool has_flag(const json& match, const std::string& flag) {
  for (const auto& f : match["flags"]) {
    if (f == flag) return true;
  }
  return false;
}

// Applies what ar.match_payment suggested first, as ar_cash_application.yaml does.
json apply_first(Ar& f, const json& pay, const json& match, const std::string& instance) {
  return f.ok("ar.apply_payment",
              {{"payment", pay},
               {"customer_id", match["customer_id"]},
               {"allocations", match["suggestions"][0]["allocations"]},
               {"short_amount", match["short_amount"]},
               {"flags", match["flags"]}},
              instance);
}

}  // namespace

TEST_CASE("ArActionRunner installs the AR and O2C actions only", "[unit][ar]") {
  Ar f;
  rt::ActionTable table;
  REQUIRE(
      ArActionRunner::install(std::make_shared<ArActionRunner>(f.store, f.store, f.clock), table)
          .ok());
  CHECK(table.size() == 19);
  for (const char* a :
       {"ar.customer_history", "ar.track_invoice", "ar.dunning_next", "ar.record_dunning",
        "ar.record_promise", "ar.promise_broken", "ar.record_dispute", "ar.issue_credit_note",
        "ar.write_off", "ar.place_credit_hold", "ar.release_credit_hold", "ar.match_payment",
        "ar.apply_payment", "ar.leave_unapplied", "o2c.credit_exposure", "o2c.release_order",
        "o2c.block_order", "o2c.update_credit_limit"}) {
    INFO(a);
    CHECK(table.find(a) != nullptr);
  }
  CHECK(table.find("ar.resolve_dispute") != nullptr);
  CHECK(table.find("ap.duplicate_candidates") == nullptr);
  CHECK(table.find("ar.unknown") == nullptr);
  f.fails("ar.unknown", json::object(), "action_error", "unknown AR/O2C action", false);
}

TEST_CASE("ar.customer_history: the ledger's figures as workflow data", "[unit][ar]") {
  Ar f;
  // One payment 5 days late on F1 (due 05-31) leaves C2 with a settled history.
  f.ok("ar.apply_payment",
       {{"payment", payment("PF", "C2", 777, "SI-2026-000201", "EUR", "2026-06-05T12:00:00Z")},
        {"allocations", {{{"invoice_id", "F1"}, {"amount", 777}}}}});

  const json c1 = f.ok("ar.customer_history", {{"customer_id", "C1"}, {"as_of", "2026-06-02"}});
  INFO(c1.dump(2));
  CHECK(c1["as_of"] == "2026-06-02");
  CHECK(c1["settled_count"] == 0);
  CHECK(c1["avg_days_late"].is_null());
  CHECK(c1["late_ratio"].is_null());
  CHECK(c1["sd_days_late"].is_null());
  CHECK(c1["recent_days_late"].is_null());
  CHECK(c1["open_count"] == 5);
  CHECK(c1["open_amount"] == "6483.33");     // in EUR and USD alike (no FX)
  CHECK(c1["overdue_amount"] == "1250.00");  // E1 due 05-31, E2 due 06-01
  CHECK(c1["overdue_30_count"] == 0);
  CHECK(c1["disputed_open_count"] == 0);
  CHECK(c1["issued_count"] == 5);
  CHECK(c1["mean_amount"] == Approx(6483.33 / 5).epsilon(1e-6));
  CHECK(c1["on_credit_hold"] == false);

  const json c2 =
      f.ok("ar.customer_history",
           {{"customer_id", "C2"}, {"as_of", "2026-06-10T08:00:00Z"}, {"lookback_days", 30}});
  INFO(c2.dump(2));
  CHECK(c2["as_of"] == "2026-06-10");
  CHECK(c2["settled_count"] == 1);
  CHECK(c2["avg_days_late"] == 5.0);
  CHECK(c2["late_ratio"] == 1.0);
  CHECK(c2["sd_days_late"].is_null());  // one settlement
  CHECK(c2["recent_days_late"] == 5.0);
  CHECK(c2["open_count"] == 0);
  CHECK(c2["issued_count"] == 0);  // F1 was issued more than 30 days before
  CHECK(c2["mean_amount"].is_null());

  const json unknown =
      f.ok("ar.customer_history", {{"customer_id", "NOPE"}, {"as_of", "2026-06-02"}});
  CHECK(unknown["open_count"] == 0);

  f.fails("ar.customer_history", {{"as_of", "2026-06-02"}}, "action_error", "customer_id");
  f.fails("ar.customer_history", {{"customer_id", ""}, {"as_of", "2026-06-02"}}, "action_error",
          "customer_id");
  f.fails("ar.customer_history", {{"customer_id", "C1"}}, "action_error", "as_of");
  f.fails("ar.customer_history", {{"customer_id", "C1"}, {"as_of", "2026-02-30"}}, "action_error",
          "as_of");
  f.fails("ar.customer_history", {{"customer_id", "C1"}, {"as_of", 20260602}}, "action_error",
          "as_of");
  f.fails("ar.customer_history",
          {{"customer_id", "C1"}, {"as_of", "2026-06-02"}, {"lookback_days", 0}}, "action_error",
          "lookback_days");
  f.fails("ar.customer_history",
          {{"customer_id", "C1"}, {"as_of", "2026-06-02"}, {"lookback_days", "365"}},
          "action_error", "lookback_days");
}

TEST_CASE("ar.track_invoice records the model's view of an invoice", "[unit][ar]") {
  Ar f;
  const json out = f.ok("ar.track_invoice", {{"invoice_id", "E1"},
                                             {"p_late", 0.8},
                                             {"expected_days_late", 12.5},
                                             {"sd_days_late", 6},
                                             {"model_version", "ar_late_payment@2"}});
  CHECK(out["invoice_id"] == "E1");
  CHECK(out["p_late"] == 0.8);
  const auto s = f.state("E1");
  CHECK(s.p_late == Approx(0.8));
  CHECK(s.expected_days_late == Approx(12.5));
  CHECK(s.sd_days_late == Approx(6));
  CHECK(s.model_version == "ar_late_payment@2");
  // No sd (a customer without two settlements sends null): the default; never below 1.
  f.ok("ar.track_invoice", {{"invoice_id", "E2"},
                            {"p_late", 0.1},
                            {"expected_days_late", -2},
                            {"sd_days_late", nullptr}});
  CHECK(f.state("E2").sd_days_late == Approx(10));
  CHECK(f.state("E2").model_version.empty());
  f.ok("ar.track_invoice",
       {{"invoice_id", "E3"}, {"p_late", 0.1}, {"expected_days_late", 0}, {"sd_days_late", 0}});
  CHECK(f.state("E3").sd_days_late == Approx(1));

  f.fails("ar.track_invoice", {{"p_late", 0.5}}, "action_error", "invoice_id");
  f.fails("ar.track_invoice", {{"invoice_id", "E1"}, {"p_late", 1.5}}, "action_error", "p_late");
  f.fails("ar.track_invoice", {{"invoice_id", "E1"}, {"p_late", "high"}}, "action_error", "p_late");
  f.fails("ar.track_invoice", {{"invoice_id", "E1"}, {"expected_days_late", 5000}}, "action_error",
          "expected_days_late");
  f.fails("ar.track_invoice", {{"invoice_id", "NOPE"}, {"p_late", 0.5}}, "action_error", "NOPE");
}

TEST_CASE("ar.dunning_next: the stage after the last one done, closed, done", "[unit][ar]") {
  Ar f;
  // E5 is due 2026-06-20.
  json next = f.ok("ar.dunning_next", {{"invoice_id", "E5"}, {"stages", stages()}});
  INFO(next.dump(2));
  CHECK(next["status"] == "open");
  CHECK(next["level"] == "reminder");
  CHECK(next["action"] == "notice");
  CHECK(next["days"] == -3);
  CHECK(next["at"] == "2026-06-17T08:00:00Z");
  CHECK(next["days_overdue"] == 0);
  CHECK(next["outstanding"] == "3333.33");
  CHECK(next["due_date"] == "2026-06-20");
  CHECK(next["invoice_number"] == "SI-2026-000105");
  CHECK(next["promised_date"].is_null());
  CHECK(next["disputed"] == false);

  f.ok("ar.record_dunning", {{"invoice_id", "E5"}, {"level", "reminder"}});
  CHECK(f.state("E5").dunning_level == "reminder");
  next = f.ok("ar.dunning_next", {{"invoice_id", "E5"}, {"stages", stages()}});
  CHECK(next["level"] == "first_notice");
  CHECK(next["dunning_level"] == "reminder");
  CHECK(next["at"] == "2026-06-27T08:00:00Z");
  f.ok("ar.record_dunning", {{"invoice_id", "E5"}, {"level", "collector_call"}});
  next = f.ok("ar.dunning_next", {{"invoice_id", "E5"}, {"stages", stages()}});
  CHECK(next["level"] == "credit_hold");
  CHECK(next["action"] == "hold");
  CHECK(next["at"] == "2026-08-19T08:00:00Z");
  f.ok("ar.record_dunning", {{"invoice_id", "E5"}, {"level", "credit_hold"}});
  next = f.ok("ar.dunning_next", {{"invoice_id", "E5"}, {"stages", stages()}});
  CHECK(next["level"] == "done");
  CHECK(next["status"] == "open");

  // Overdue: days counted by the clock; a stage without an action is a notice.
  f.clock.set_us(micros("2026-07-01T10:00:00Z"));
  next = f.ok("ar.dunning_next",
              {{"invoice_id", "E1"}, {"stages", {{{"level", "only"}, {"days", 10}}}}});
  CHECK(next["days_overdue"] == 31);
  CHECK(next["action"] == "notice");
  CHECK(next["at"] == "2026-06-10T08:00:00Z");  // already past: the workflow goes at once

  // Paid: closed, whatever the stages.
  f.ok("ar.apply_payment", {{"payment", payment("P1", "C1", 250, "x")},
                            {"allocations", {{{"invoice_id", "E2"}, {"amount", 250}}}}});
  next = f.ok("ar.dunning_next", {{"invoice_id", "E2"}, {"stages", stages()}});
  CHECK(next["level"] == "closed");
  CHECK(next["status"] == "paid");
  CHECK(next["outstanding"] == "0.00");

  f.fails("ar.dunning_next", {{"invoice_id", "E1"}}, "action_error", "stages");
  f.fails("ar.dunning_next", {{"invoice_id", "E1"}, {"stages", json::array()}}, "action_error",
          "stages");
  f.fails("ar.dunning_next", {{"invoice_id", "E1"}, {"stages", "reminder"}}, "action_error",
          "stages");
  f.fails("ar.dunning_next", {{"invoice_id", "E1"}, {"stages", json::array({"reminder"})}},
          "action_error", "stages[0]");
  f.fails("ar.dunning_next", {{"invoice_id", "E1"}, {"stages", {{{"days", 3}}}}}, "action_error",
          "level");
  f.fails("ar.dunning_next", {{"invoice_id", "E1"}, {"stages", {{{"level", "a"}, {"days", "7"}}}}},
          "action_error", "days");
  f.fails("ar.dunning_next", {{"invoice_id", "E1"}, {"stages", {{{"level", "a"}, {"days", 7.5}}}}},
          "action_error", "days");
  f.fails("ar.dunning_next", {{"invoice_id", "NOPE"}, {"stages", stages()}}, "action_error",
          "no AR invoice NOPE");
  f.fails("ar.record_dunning", {{"invoice_id", "E1"}}, "action_error", "level");
  f.fails("ar.record_dunning", {{"invoice_id", "NOPE"}, {"level", "x"}}, "action_error", "NOPE");
}

TEST_CASE("ar.record_promise: a date from today to max_days ahead, broken promises", "[unit][ar]") {
  Ar f;  // today is 2026-06-01
  json out = f.ok("ar.record_promise", {{"invoice_id", "E1"}, {"promised_date", "2026-06-15"}});
  CHECK(out["invoice_id"] == "E1");
  CHECK(out["promised_date"] == "2026-06-15");
  CHECK(out["watch_until"] == "2026-06-19T00:00:00Z");  // + 3 days' grace, end of day
  CHECK(f.state("E1").promised_day == day("2026-06-15"));

  // Today, and exactly max_days ahead, are fine; a timestamp counts by its day.
  out = f.ok("ar.record_promise",
             {{"invoice_id", "E2"}, {"promised_date", "2026-06-01"}, {"grace_days", 0}});
  CHECK(out["watch_until"] == "2026-06-02T00:00:00Z");
  f.ok("ar.record_promise", {{"invoice_id", "E3"}, {"promised_date", "2026-07-31T17:00:00Z"}});
  CHECK(f.state("E3").promised_day == day("2026-07-31"));
  f.ok("ar.record_promise",
       {{"invoice_id", "E3"}, {"promised_date", "2026-08-20"}, {"max_days", 90}});

  f.fails("ar.record_promise", {{"invoice_id", "E5"}, {"promised_date", "2026-05-31"}},
          "action_error", "promised_date");
  f.fails("ar.record_promise", {{"invoice_id", "E5"}, {"promised_date", "2026-08-01"}},
          "action_error", "60 days");
  f.fails("ar.record_promise",
          {{"invoice_id", "E5"}, {"promised_date", "2026-06-10"}, {"max_days", 5}}, "action_error",
          "promised_date");
  f.fails("ar.record_promise", {{"invoice_id", "E5"}, {"promised_date", "soon"}}, "action_error",
          "promised_date");
  f.fails("ar.record_promise", {{"invoice_id", "E5"}}, "action_error", "promised_date");
  f.fails("ar.record_promise",
          {{"invoice_id", "E5"}, {"promised_date", "2026-06-10"}, {"max_days", 400}},
          "action_error", "max_days");
  f.fails("ar.record_promise",
          {{"invoice_id", "E5"}, {"promised_date", "2026-06-10"}, {"grace_days", -1}},
          "action_error", "grace_days");
  f.fails("ar.record_promise", {{"invoice_id", "NOPE"}, {"promised_date", "2026-06-10"}},
          "action_error", "NOPE");
  CHECK_FALSE(f.state("E5").promised_day);

  // A paid invoice takes no promise: a conflict.
  f.ok("ar.apply_payment", {{"payment", payment("P1", "C1", 3333.33, "x")},
                            {"allocations", {{{"invoice_id", "E5"}, {"amount", 3333.33}}}}});
  f.fails("ar.record_promise", {{"invoice_id", "E5"}, {"promised_date", "2026-06-10"}}, "conflict",
          "paid");

  // Broken: the promise goes, the invoice is shown as it is now.
  out = f.ok("ar.promise_broken", {{"invoice_id", "E1"}});
  CHECK(out["promised_date"].is_null());
  CHECK(out["status"] == "open");
  CHECK_FALSE(f.state("E1").promised_day);
  f.fails("ar.promise_broken", json::object(), "action_error", "invoice_id");
  f.fails("ar.promise_broken", {{"invoice_id", "NOPE"}}, "action_error", "NOPE");
}

TEST_CASE("ar.record_dispute, ar.issue_credit_note and ar.write_off", "[unit][ar]") {
  Ar f;
  json out = f.ok("ar.record_dispute", {{"invoice_id", "E1"}});
  CHECK(out["disputed"] == true);
  CHECK(f.state("E1").disputed_day == day("2026-06-01"));
  f.fails("ar.record_dispute", json::object(), "action_error", "invoice_id");
  f.fails("ar.record_dispute", {{"invoice_id", "NOPE"}}, "action_error", "NOPE");

  out = f.ok("ar.issue_credit_note", {{"invoice_id", "E1"}, {"by", "fay"}});
  CHECK(out["kind"] == "credit_note");
  CHECK(out["amount"] == "1000.00");
  CHECK(out["already_done"] == false);
  CHECK(f.state("E1").status == "credited");
  CHECK(f.state("E1").closed_day == day("2026-06-01"));
  out = f.ok("ar.issue_credit_note", {{"invoice_id", "E1"}});  // a re-run
  CHECK(out["already_done"] == true);
  CHECK(f.state("E1").applied_e4 == 1000 * kE4);

  // A write-off takes what is left after a partial payment.
  f.ok("ar.apply_payment", {{"payment", payment("P1", "C1", 100, "x")},
                            {"allocations", {{{"invoice_id", "E3"}, {"amount", 100}}}}});
  out = f.ok("ar.write_off", {{"invoice_id", "E3"}});
  CHECK(out["kind"] == "write_off");
  CHECK(out["amount"] == "300.00");
  CHECK(f.state("E3").status == "written_off");

  f.fails("ar.write_off", {{"invoice_id", "E1"}}, "conflict", "credited");
  f.fails("ar.issue_credit_note", {{"invoice_id", "E3"}}, "conflict", "written_off");
  f.fails("ar.write_off", json::object(), "action_error", "invoice_id");
  f.fails("ar.write_off", {{"invoice_id", "NOPE"}}, "action_error", "NOPE");
}

TEST_CASE("ar.place_credit_hold and ar.release_credit_hold", "[unit][ar]") {
  Ar f;
  json out = f.ok("ar.place_credit_hold", {{"customer_id", "C1"}, {"invoice_id", "E1"}});
  CHECK(out["on_hold"] == true);
  f.ok("ar.place_credit_hold", {{"customer_id", "C1"}, {"invoice_id", "E2"}});
  CHECK(f.ok("ar.customer_history",
             {{"customer_id", "C1"}, {"as_of", "2026-06-01"}})["on_credit_hold"] == true);

  out = f.ok("ar.release_credit_hold", {{"customer_id", "C1"}, {"invoice_id", "E1"}});
  CHECK(out["released"] == 1);
  CHECK(out["on_hold"] == true);  // E2's hold stands
  out = f.ok("ar.release_credit_hold", {{"customer_id", "C1"}, {"by", "dave"}});
  CHECK(out["released"] == 1);
  CHECK(out["on_hold"] == false);
  out = f.ok("ar.release_credit_hold", {{"customer_id", "C1"}});
  CHECK(out["released"] == 0);

  f.fails("ar.place_credit_hold", {{"customer_id", "C1"}}, "action_error", "invoice_id");
  f.fails("ar.place_credit_hold", {{"invoice_id", "E1"}}, "action_error", "customer_id");
  f.fails("ar.release_credit_hold", json::object(), "action_error", "customer_id");
}

TEST_CASE("Cash application: ar.match_payment, then ar.apply_payment", "[unit][ar]") {
  Ar f;

  SECTION("the reference names one invoice, the amount is exact") {
    const json pay = payment("P1", "C1", 1000, "Payment SI-2026-000101 thank you");
    const json m = f.ok("ar.match_payment", {{"payment", pay}});
    INFO(m.dump(2));
    CHECK(m["status"] == "matched");
    CHECK(m["customer_id"] == "C1");
    REQUIRE(!m["suggestions"].empty());
    CHECK(allocated_ids(m["suggestions"][0]) == std::vector<std::string>{"E1"});
    CHECK(m["suggestions"][0]["allocations"][0]["amount"] == "1000.00");
    CHECK(m["suggestions"][0]["allocations"][0]["invoice_number"] == "SI-2026-000101");
    CHECK(m["suggestions"][0]["confidence"].get<double>() >= 0.9);
    CHECK(m["unapplied"] == "0.00");
    CHECK(m["short_amount"] == "0.00");

    const json applied = apply_first(f, pay, m, "cash-1");
    INFO(applied.dump(2));
    CHECK(applied["applied"] == "1000.00");
    CHECK(applied["bank_charges"] == "0.00");
    CHECK(applied["unapplied"] == "0.00");
    CHECK(applied["closed"] == json::array({"E1"}));
    CHECK(applied["already_applied"] == false);
    const auto e1 = f.state("E1");
    CHECK(e1.status == "paid");
    CHECK(e1.closed_day == day("2026-06-01"));
    auto ps = f.store.payment_state("P1");
    REQUIRE(ps);
    REQUIRE(ps->has_value());
    CHECK((*ps)->status == "applied");
    CHECK((*ps)->customer_id == "C1");
    CHECK((*ps)->instance_id == "cash-1");

    // A re-run of the step applies nothing more.
    const json again = apply_first(f, pay, m, "cash-1");
    CHECK(again["already_applied"] == true);
    CHECK(f.state("E1").applied_e4 == 1000 * kE4);
    // The same invoice for another payment: a conflict.
    f.fails("ar.apply_payment",
            {{"payment", payment("P2", "C1", 1000, "SI-2026-000101")},
             {"allocations", {{{"invoice_id", "E1"}, {"amount", 1000}}}}},
            "conflict", "E1");
    // Matching again finds the invoice closed.
    const json later =
        f.ok("ar.match_payment", {{"payment", payment("P3", "C1", 1000, "SI-2026-000101")}});
    CHECK(later["status"] != "matched");
    CHECK(has_flag(later, "reference_names_closed_invoice"));
  }
  SECTION("a typo in the number") {
    const json pay = payment("P1", "C1", 1000, "SI-2026-000110");  // 01 -> 10
    const json m = f.ok("ar.match_payment", {{"payment", pay}});
    INFO(m.dump(2));
    CHECK(m["status"] == "matched");
    CHECK(allocated_ids(m["suggestions"][0]) == std::vector<std::string>{"E1"});
    apply_first(f, pay, m, "cash-1");
    CHECK(f.state("E1").status == "paid");
  }
  SECTION("the sum of two invoices, named or not") {
    for (const char* reference : {"SI-2026-000102 / SI-2026-000103", "May invoices"}) {
      INFO(reference);
      const json m = f.ok("ar.match_payment", {{"payment", payment("P1", "C1", 650, reference)}});
      INFO(m.dump(2));
      CHECK(m["status"] == "matched");
      auto ids = allocated_ids(m["suggestions"][0]);
      std::sort(ids.begin(), ids.end());
      CHECK(ids == std::vector<std::string>{"E2", "E3"});
    }
    const json pay = payment("P1", "C1", 650, "SI-2026-000102 / SI-2026-000103");
    const json m = f.ok("ar.match_payment", {{"payment", pay}});
    const json applied = apply_first(f, pay, m, "cash-1");
    CHECK(applied["closed"].size() == 2);
    CHECK(f.state("E2").status == "paid");
    CHECK(f.state("E3").status == "paid");
  }
  SECTION("a short payment within tolerance closes the invoice with bank charges") {
    const json pay = payment("P1", "C1", 990, "SI-2026-000101");
    const json m = f.ok("ar.match_payment", {{"payment", pay}});
    INFO(m.dump(2));
    CHECK(m["status"] == "matched");
    CHECK(has_flag(m, "short_payment"));
    CHECK(m["short_amount"] == "10.00");
    CHECK(m["suggestions"][0]["allocations"][0]["amount"] == "1000.00");
    const json applied = apply_first(f, pay, m, "cash-1");
    INFO(applied.dump(2));
    CHECK(applied["applied"] == "990.00");
    CHECK(applied["bank_charges"] == "10.00");
    CHECK(applied["unapplied"] == "0.00");
    CHECK(applied["closed"] == json::array({"E1"}));
    CHECK(applied["invoices"].size() == 1);
    const auto e1 = f.state("E1");
    CHECK(e1.status == "paid");
    CHECK(e1.applied_e4 == 1000 * kE4);
    CHECK((*f.store.payment_state("P1"))->applied_e4 == 990 * kE4);
  }
  SECTION("short beyond tolerance is a partial payment, not applied automatically") {
    const json m =
        f.ok("ar.match_payment", {{"payment", payment("P1", "C1", 900, "SI-2026-000101")}});
    INFO(m.dump(2));
    CHECK(m["status"] == "ambiguous");
    CHECK(has_flag(m, "partial_payment"));
    CHECK(f.state("E1").status == "open");
  }
  SECTION("a reference to another customer's invoice is never applied automatically") {
    const json m =
        f.ok("ar.match_payment", {{"payment", payment("P1", "C1", 777, "SI-2026-000201")}});
    INFO(m.dump(2));
    CHECK(m["status"] == "ambiguous");
    CHECK(has_flag(m, "reference_other_customer"));
    bool offers_f1 = false;
    for (const auto& s : m["suggestions"]) {
      if (allocated_ids(s) == std::vector<std::string>{"F1"}) {
        offers_f1 = true;
        CHECK(s["confidence"].get<double>() < 0.9);
        CHECK(s["allocations"][0]["customer_id"] == "C2");
      }
    }
    CHECK(offers_f1);
  }
  SECTION("a payment in another currency than the invoice it names") {
    const json m =
        f.ok("ar.match_payment", {{"payment", payment("P1", "C1", 1500, "SI-2026-000104")}});
    INFO(m.dump(2));
    CHECK(m["status"] != "matched");
    CHECK(has_flag(m, "currency_mismatch"));
    for (const auto& s : m["suggestions"])
      CHECK(allocated_ids(s) != std::vector<std::string>{"E4"});
  }
  SECTION("no customer id: inferred from the invoice the reference names") {
    const json pay = payment("P1", "", 400, "SI-2026-000103");
    const json m = f.ok("ar.match_payment", {{"payment", pay}});
    INFO(m.dump(2));
    CHECK(m["status"] == "matched");
    CHECK(m["customer_id"] == "C1");
    CHECK(has_flag(m, "customer_inferred"));
    const json applied = apply_first(f, pay, m, "cash-1");
    CHECK(applied["closed"] == json::array({"E3"}));
    CHECK((*f.store.payment_state("P1"))->customer_id == "C1");
  }
  SECTION("nobody's payment: unmatched and flagged") {
    const json m = f.ok("ar.match_payment", {{"payment", payment("P1", "", 12345.67, "hello")}});
    INFO(m.dump(2));
    CHECK(m["status"] == "unmatched");
    CHECK(has_flag(m, "unknown_payer"));
    CHECK(m["unapplied"] == "12345.67");
  }
  SECTION("negative and zero amounts are never matched nor applied") {
    for (double amount : {-100.0, 0.0}) {
      const json m =
          f.ok("ar.match_payment", {{"payment", payment("P1", "C1", amount, "SI-2026-000101")}});
      INFO(m.dump(2));
      CHECK(m["status"] == "unmatched");
      CHECK(has_flag(m, "invalid_amount"));
      CHECK(m["suggestions"].empty());
      f.fails("ar.apply_payment",
              {{"payment", payment("P1", "C1", amount, "SI-2026-000101")},
               {"allocations", {{{"invoice_id", "E1"}, {"amount", 100}}}}},
              "action_error", "exceeds");
    }
    f.fails("ar.apply_payment",
            {{"payment", payment("P1", "C1", 100, "x")},
             {"allocations", {{{"invoice_id", "E1"}, {"amount", -100}}}}},
            "action_error", "positive");
    CHECK(f.state("E1").applied_e4 == 0);
  }
  SECTION("ar.apply_payment refuses over-allocations atomically") {
    f.fails("ar.apply_payment",
            {{"payment", payment("P1", "C1", 2000, "x")},
             {"allocations",
              {{{"invoice_id", "E2"}, {"amount", 250}}, {{"invoice_id", "E3"}, {"amount", 500}}}}},
            "conflict", "E3");
    CHECK(f.state("E2").applied_e4 == 0);
    auto ps = f.store.payment_state("P1");
    REQUIRE(ps);
    CHECK_FALSE(ps->has_value());
    // An overpayment leaves the rest unapplied.
    const json out =
        f.ok("ar.apply_payment", {{"payment", payment("P1", "C1", 300, "x")},
                                  {"allocations", {{{"invoice_id", "E2"}, {"amount", 250}}}}});
    CHECK(out["unapplied"] == "50.00");
    CHECK((*f.store.payment_state("P1"))->unapplied_e4 == 50 * kE4);
  }
  SECTION("ar.apply_payment's bad arguments") {
    const json pay = payment("P1", "C1", 1000, "x");
    const json one = {{{"invoice_id", "E1"}, {"amount", 1000}}};
    f.fails("ar.apply_payment", {{"allocations", one}}, "action_error", "payment");
    f.fails("ar.apply_payment", {{"payment", pay}}, "action_error", "allocations");
    f.fails("ar.apply_payment", {{"payment", pay}, {"allocations", json::array()}}, "action_error",
            "allocations");
    f.fails("ar.apply_payment", {{"payment", pay}, {"allocations", json::array({"E1"})}},
            "action_error", "allocations");
    f.fails("ar.apply_payment",
            {{"payment", pay}, {"allocations", {{{"invoice_id", "E1"}, {"amount", "lots"}}}}},
            "action_error", "amount");
    f.fails("ar.apply_payment",
            {{"payment", pay}, {"allocations", {{{"invoice_id", "E1"}, {"amount", 0.00001}}}}},
            "action_error", "amount");
    f.fails("ar.apply_payment", {{"payment", pay}, {"allocations", {{{"amount", 5}}}}},
            "action_error", "invoice_id");
    f.fails("ar.apply_payment", {{"payment", payment("P1", "C1", 999, "x")}, {"allocations", one}},
            "action_error", "exceeds");
    f.fails("ar.apply_payment", {{"payment", pay}, {"allocations", one}, {"short_amount", 1000}},
            "action_error", "short_amount");
    f.fails("ar.apply_payment", {{"payment", pay}, {"allocations", one}, {"short_amount", -1}},
            "action_error", "short_amount");
    f.fails("ar.apply_payment", {{"payment", pay}, {"allocations", one}, {"flags", "x"}},
            "action_error", "flags");
    json no_date = pay;
    no_date.erase("received_at");
    f.fails("ar.apply_payment", {{"payment", no_date}, {"allocations", one}}, "action_error",
            "received_at");
    f.fails("ar.apply_payment",
            {{"payment", pay}, {"allocations", {{{"invoice_id", "NOPE"}, {"amount", 5}}}}},
            "action_error", "NOPE");
    CHECK(f.state("E1").applied_e4 == 0);
  }
  SECTION("ar.match_payment's bad arguments") {
    f.fails("ar.match_payment", json::object(), "action_error", "payment");
    json p = payment("P1", "C1", 10, "x");
    p.erase("currency");
    f.fails("ar.match_payment", {{"payment", p}}, "action_error", "currency");
    p = payment("P1", "C1", 10, "x");
    p["amount"] = "ten";
    f.fails("ar.match_payment", {{"payment", p}}, "action_error", "amount");
    p = payment("P1", "C1", 10, "x", "EUR", "yesterday");
    f.fails("ar.match_payment", {{"payment", p}}, "action_error", "received_at");
    f.fails("ar.match_payment",
            {{"payment", payment("P1", "C1", 10, "x")}, {"policy", {{"auto_apply_min", 2}}}},
            "action_error", "auto_apply_min");
  }
}

TEST_CASE("ar.leave_unapplied records a review or an unapplied payment", "[unit][ar]") {
  Ar f;
  json out = f.ok("ar.leave_unapplied",
                  {{"payment", payment("P1", "", 55.5, "?")},
                   {"customer_id", "C1"},
                   {"status", "review"},
                   {"flags", {"customer_inferred", "overpayment"}}},
                  "cash-9");
  CHECK(out["status"] == "review");
  CHECK(out["unapplied"] == "55.50");
  auto ps = f.store.payment_state("P1");
  REQUIRE(ps);
  REQUIRE(ps->has_value());
  CHECK((*ps)->status == "review");
  CHECK((*ps)->customer_id == "C1");
  CHECK((*ps)->flags == "customer_inferred,overpayment");
  CHECK((*ps)->unapplied_e4 == 555'000);
  CHECK((*ps)->instance_id == "cash-9");
  f.ok("ar.leave_unapplied",
       {{"payment", payment("P1", "C2", 55.5, "?")}, {"status", "unapplied"}});
  ps = f.store.payment_state("P1");
  CHECK((*ps)->status == "unapplied");
  CHECK((*ps)->customer_id == "C2");  // the payment's own

  f.fails("ar.leave_unapplied", {{"payment", payment("P1", "", 1, "?")}}, "action_error", "status");
  f.fails("ar.leave_unapplied", {{"payment", payment("P1", "", 1, "?")}, {"status", "applied"}},
          "action_error", "status");
  f.fails("ar.leave_unapplied",
          {{"payment", payment("P1", "", 1, "?")}, {"status", "review"}, {"flags", {1, 2}}},
          "action_error", "flags");
  f.fails("ar.leave_unapplied", {{"status", "review"}}, "action_error", "payment");
}

TEST_CASE("o2c.credit_exposure: open AR + open orders + this order against the limit",
          "[unit][ar]") {
  Ar f;
  import_ok(f.store, "orders",
            "order_id,customer_id,order_date,currency,amount\n"
            "O1,C2,2026-05-20,EUR,1000\n"
            "O2,C2,2026-05-25,EUR,600\n"
            "O9,C2,2026-06-01,EUR,500\n"
            "Z1,C3,2026-06-01,EUR,10\n");
  auto order = [](const std::string& id, const std::string& customer, double amount,
                  const std::string& date = "2026-06-01") {
    return json{{"order_id", id},
                {"customer_id", customer},
                {"order_date", date},
                {"currency", "EUR"},
                {"amount", amount}};
  };

  // C2: F1 777 open, O1 and O2 before O9, O9 itself; limit 5000.
  json e = f.ok("o2c.credit_exposure",
                {{"order", order("O9", "C2", 500)}, {"customer", f.customer("C2")}});
  INFO(e.dump(2));
  CHECK(e["open_ar"] == "777.00");
  CHECK(e["open_ar_count"] == 1);
  CHECK(e["open_orders"] == "1600.00");
  CHECK(e["open_order_count"] == 2);
  CHECK(e["this_order"] == "500.00");
  CHECK(e["total"] == "2877.00");
  CHECK(e["credit_limit"] == "5000.00");
  CHECK(e["within_limit"] == true);
  CHECK(e["utilisation"] == Approx(2877.0 / 5000.0));
  CHECK(e["overdue_ar_amount"] == "777.00");  // due 05-31
  CHECK(e["overdue_invoice_count"] == 0);  // not 30 days
  CHECK(e["disputed_invoice_count"] == 0);
  CHECK(e["on_credit_hold"] == false);
  CHECK(e["late_ratio"].is_null());

  // A blocked order no longer counts; O2's own check sees only O1.
  f.ok("o2c.block_order", {{"order_id", "O1"}, {"reason", "over limit"}, {"by", "dave"}});
  e = f.ok("o2c.credit_exposure",
           {{"order", order("O9", "C2", 500)}, {"customer", f.customer("C2")}});
  CHECK(e["open_orders"] == "600.00");
  e = f.ok("o2c.credit_exposure",
           {{"order", order("O2", "C2", 600, "2026-05-25")}, {"customer", f.customer("C2")}});
  CHECK(e["open_orders"] == "0.00");
  CHECK(e["open_ar"] == "777.00");  // issued 05-01

  // Over the limit.
  e = f.ok("o2c.credit_exposure",
           {{"order", order("O9", "C2", 4000)}, {"customer", f.customer("C2")}});
  CHECK(e["total"] == "5377.00");
  CHECK(e["within_limit"] == false);
  CHECK(e["utilisation"].get<double>() > 1.0);

  // A limit of zero: no credit at all.
  e = f.ok("o2c.credit_exposure",
           {{"order", order("Z1", "C3", 10)}, {"customer", f.customer("C3")}});
  CHECK(e["credit_limit"] == "0.00");
  CHECK(e["utilisation"] == 10.0);
  CHECK(e["within_limit"] == false);

  // On credit hold once dunning placed one.
  f.ok("ar.place_credit_hold", {{"customer_id", "C2"}, {"invoice_id", "F1"}});
  e = f.ok("o2c.credit_exposure",
           {{"order", order("O9", "C2", 500)}, {"customer", f.customer("C2")}});
  CHECK(e["on_credit_hold"] == true);

  // An order not on file (a check before import) counts every open order.
  e = f.ok("o2c.credit_exposure",
           {{"order", order("NEW", "C2", 1)}, {"customer", f.customer("C2")}});
  CHECK(e["open_order_count"] == 2);  // O2 and O9 (O1 blocked)

  const json c2 = f.customer("C2");
  f.fails("o2c.credit_exposure", {{"customer", c2}}, "action_error", "order");
  f.fails("o2c.credit_exposure", {{"order", order("O9", "C2", 500)}}, "action_error", "customer");
  f.fails("o2c.credit_exposure", {{"order", order("O9", "C1", 500)}, {"customer", c2}},
          "action_error", "customer.customer_id");
  json bad = order("O9", "C2", 500);
  bad["order_date"] = "06/01/2026";
  f.fails("o2c.credit_exposure", {{"order", bad}, {"customer", c2}}, "action_error", "order_date");
  bad = order("O9", "C2", 500);
  bad.erase("amount");
  f.fails("o2c.credit_exposure", {{"order", bad}, {"customer", c2}}, "action_error", "amount");
  json no_limit = c2;
  no_limit.erase("credit_limit");
  f.fails("o2c.credit_exposure", {{"order", order("O9", "C2", 500)}, {"customer", no_limit}},
          "action_error", "credit_limit");
  f.fails("o2c.credit_exposure",
          {{"order", order("O9", "C2", 500)}, {"customer", c2}, {"lookback_days", 0}},
          "action_error", "lookback_days");
}

TEST_CASE("o2c.release_order, o2c.block_order and o2c.update_credit_limit", "[unit][ar]") {
  Ar f;
  import_ok(f.store, "orders",
            "order_id,customer_id,order_date,currency,amount\nO1,C1,2026-05-20,EUR,1000\n");
  json out = f.ok("o2c.release_order", {{"order_id", "O1"}});
  CHECK(out["status"] == "released");
  CHECK(out["by"] == "system");
  CHECK(*f.store.order_decision("O1") == std::optional<std::string>("released"));
  out = f.ok("o2c.block_order", {{"order_id", "O1"}, {"reason", "limit"}, {"by", "dave"}});
  CHECK(out["status"] == "blocked");
  CHECK(out["by"] == "dave");
  CHECK(*f.store.order_decision("O1") == std::optional<std::string>("blocked"));
  f.fails("o2c.release_order", json::object(), "action_error", "order_id");
  f.fails("o2c.block_order", {{"order_id", "NOPE"}}, "action_error", "no order NOPE");

  out = f.ok("o2c.update_credit_limit",
             {{"customer_id", "C1"},
              {"new_limit", 15000},
              {"reason", "raised after review"},
              {"approved_by", "carol"}},
             "o2c-1");
  CHECK(out["old_limit"] == "10000.00");
  CHECK(out["new_limit"] == "15000.00");
  CHECK(out["approved_by"] == "carol");
  CHECK(f.customer("C1")["credit_limit"] == "15000.00");
  REQUIRE(f.store.credit_limit_changes().size() == 1);
  const auto logged = f.store.credit_limit_changes().front();
  CHECK(logged.changed_by == "carol");
  CHECK(logged.reason == "raised after review");
  CHECK(logged.instance_id == "o2c-1");
  CHECK(logged.old_limit_e4 == 10000 * kE4);
  // A decimal string works too (records carry money as strings).
  out = f.ok("o2c.update_credit_limit",
             {{"customer_id", "C1"}, {"new_limit", "15000.50"}, {"approved_by", "carol"}});
  CHECK(out["old_limit"] == "15000.00");
  CHECK(out["new_limit"] == "15000.50");

  f.fails("o2c.update_credit_limit", {{"customer_id", "C1"}, {"new_limit", 1}}, "action_error",
          "approved_by");
  f.fails("o2c.update_credit_limit", {{"customer_id", "C1"}, {"approved_by", "carol"}},
          "action_error", "new_limit");
  f.fails("o2c.update_credit_limit",
          {{"customer_id", "C1"}, {"new_limit", "much"}, {"approved_by", "carol"}}, "action_error",
          "new_limit");
  f.fails("o2c.update_credit_limit",
          {{"customer_id", "C1"}, {"new_limit", -5}, {"approved_by", "carol"}}, "action_error",
          "credit limit");
  f.fails("o2c.update_credit_limit",
          {{"customer_id", "NOPE"}, {"new_limit", 5}, {"approved_by", "carol"}}, "action_error",
          "no customer NOPE");
  f.fails("o2c.update_credit_limit", {{"new_limit", 5}, {"approved_by", "carol"}}, "action_error",
          "customer_id");
  CHECK(f.store.credit_limit_changes().size() == 2);
}

TEST_CASE("ar.apply_payment spreads bank charges over the invoices, largest first", "[unit][ar]") {
  Ar f;
  // 20.00 of charges, while the last allocation is only 10.00: they go on E1 (the largest).
  const json pay = payment("PS2", "C1", 990, "SI-2026-000101 SI-2026-000102");
  const json out =
      f.ok("ar.apply_payment",
           {{"payment", pay},
            {"allocations",
             {{{"invoice_id", "E1"}, {"amount", 1000}}, {{"invoice_id", "E2"}, {"amount", 10}}}},
            {"short_amount", 20}});
  INFO(out.dump(2));
  CHECK(out["bank_charges"] == "20.00");
  CHECK(out["closed"] == json::array({"E1"}));
  CHECK(f.state("E1").status == "paid");
  CHECK(f.state("E2").status == "open");
  CHECK(f.state("E2").outstanding_e4() == 240 * records::kE4);
}
