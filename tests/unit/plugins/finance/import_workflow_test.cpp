// Importing with start_workflow (importer.h): one instance per accepted record, business
// key = record key, input {invoice: {..., lines}, vendor: {...}}; a re-import starts none.
#include <catch2/catch.hpp>

#include "engine/runtime/clock.h"
#include "engine/runtime/definition_registry.h"
#include "engine/runtime/executor.h"
#include "plugins/finance/finance_actions.h"
#include "unit/plugins/finance/records_test_support.h"

using namespace records_test;
namespace rt = ledgerflow::rt;
namespace def = ledgerflow::def;

namespace {

const char* kFlow = R"(
workflow: ap_import
input: {schema: {type: object, required: [invoice, vendor], properties: {invoice: {type: object, required: [amount, lines], properties: {amount: {type: string}, lines: {type: array}}}, vendor: {type: object}}}}
start: done
states:
  done: {type: succeed}
)";

struct Engine {
  RecordDb db;
  rt::FakeClock clock{kNowUs};
  rt::DefinitionRegistry defs{*db.engine};
  std::unique_ptr<rt::Executor> exec =
      std::make_unique<rt::Executor>(*db.engine, defs, clock, nullptr, rt::ActionTable{});

  Engine() {
    REQUIRE(exec->recover().ok());
    auto d = defs.deploy(kFlow, def::Format::yaml, "olga", clock.now_us());
    REQUIRE(d.ok());
    INFO((d->problems.empty() ? "" : d->problems[0].message));
    REQUIRE(d->problems.empty());
  }
  ~Engine() { exec.reset(); }

  records::ImportReport import_starting(const std::string& json,
                                        const std::string& workflow = "ap_import") {
    auto o = options("invoices", records::PayloadFormat::json);
    o.start_workflow = workflow;
    auto r = records::import_records(json, o, *db.store, exec.get());
    if (!r) FAIL(r.error().message);
    exec->wait_idle();
    return std::move(*r);
  }
  std::optional<rt::InstanceRecord> instance(const std::string& key) {
    auto i = db.engine->instance_by_business_key("ap_import", key);
    REQUIRE(i.ok());
    return *i;
  }
};

std::string invoice_json(const std::string& id, const std::string& amount = "1100") {
  return R"({"invoice_id": ")" + id + R"(", "vendor_id": "V1", "invoice_number": "N-)" + id +
         R"(", "invoice_date": "2026-03-01", "due_date": "2026-03-31", "currency": "EUR", "amount": ")" +
         amount + R"(", "po_number": "PO1", "submitted_by": "alice", "lines": [
           {"line_no": 1, "po_line_no": 1, "qty": 10, "unit_price": "100"},
           {"line_no": 2, "po_line_no": 2, "qty": 5, "unit_price": "20"}]})";
}

}  // namespace

TEST_CASE("import: start_workflow starts one instance per record, once", "[unit][records]") {
  Engine e;
  seed_ap(*e.db.store);
  const std::string payload = "[" + invoice_json("I1") + "," + invoice_json("I2", "99.5") + "]";
  auto first = e.import_starting(payload);
  INFO(first.to_json().dump(2));
  CHECK(first.committed);
  CHECK(first.started == 2);
  CHECK(first.already_started == 0);
  CHECK(first.start_failed == 0);
  CHECK(first.to_json()["workflows"]["started"] == 2);

  auto i1 = e.instance("I1");
  REQUIRE(i1.has_value());
  CHECK(i1->business_key == "I1");
  CHECK(i1->created_by == "importer");
  CHECK(i1->status == rt::InstanceStatus::succeeded);
  const nlohmann::json& data = i1->state["data"];
  INFO(data.dump(2));
  CHECK(data["invoice"]["invoice_id"] == "I1");
  CHECK(data["invoice"]["amount"] == "1100.00");  // exact text: number() reads it
  REQUIRE(data["invoice"]["lines"].size() == 2);
  CHECK(data["invoice"]["lines"][0]["line_no"] == 1);
  CHECK(data["invoice"]["lines"][1]["unit_price"] == "20.00");
  CHECK(data["vendor"]["vendor_id"] == "V1");
  CHECK(data["vendor"]["iban"] == kIbanA);
  CHECK_FALSE(data.contains("purchase_order"));  // a PO is named by a key prefix
  auto i2 = e.instance("I2");
  REQUIRE(i2.has_value());
  CHECK(i2->state["data"]["invoice"]["amount"] == "99.50");

  // The same file again: nothing rewritten, nothing started.
  auto again = e.import_starting(payload);
  CHECK(again.counts.unchanged == 6);  // two invoices and their four lines
  CHECK(again.started == 0);
  CHECK(again.already_started == 2);
  auto all = e.db.engine->instances(rt::InstanceFilter{});
  REQUIRE(all.ok());
  CHECK(all->size() == 2);

  // A new invoice next to known ones starts only itself.
  auto more = e.import_starting("[" + invoice_json("I1") + "," + invoice_json("I3") + "]");
  CHECK(more.started == 1);
  CHECK(more.already_started == 1);
  CHECK(e.instance("I3").has_value());
}

TEST_CASE("import: a workflow that cannot start leaves the records committed and says why",
          "[unit][records]") {
  Engine e;
  seed_ap(*e.db.store);
  auto r = e.import_starting("[" + invoice_json("I1") + "]", "not_deployed");
  CHECK(r.committed);
  CHECK(r.counts.inserted == 3);
  CHECK(r.started == 0);
  CHECK(r.start_failed == 1);
  REQUIRE(r.start_errors.size() == 1);
  CHECK_THAT(r.start_errors[0], Catch::StartsWith("I1: "));
  CHECK(e.db.count("rec_invoices") == 1);

  // Rows refused by validation start nothing.
  auto bad = e.import_starting("[" + invoice_json("I9", "-1") + "]");
  CHECK(bad.rejected == 1);
  CHECK(bad.started == 0);
  CHECK_FALSE(e.instance("I9").has_value());
}

TEST_CASE("import: imported invoices post to the journal once through ledger.post",
          "[unit][finance]") {
  RecordDb db;
  seed_ap(*db.store);
  rt::FakeClock clock{kNowUs};
  rt::DefinitionRegistry defs{*db.engine};
  auto finance = std::make_shared<ledgerflow::finance::FinanceActionRunner>(*db.store, clock);
  rt::ActionTable actions;
  REQUIRE(ledgerflow::finance::FinanceActionRunner::install(finance, actions).ok());
  auto exec = std::make_unique<rt::Executor>(*db.engine, defs, clock, nullptr, std::move(actions));
  REQUIRE(exec->recover().ok());
  auto d = defs.deploy(R"(
workflow: ap_post
input: {schema: {type: object, required: [invoice], properties: {invoice: {type: object}}}}
start: post
states:
  post: {type: task, action: ledger.post, with: {invoice: "${invoice}"}, output: posted, next: done}
  done: {type: succeed}
)",
                       def::Format::yaml, "olga", clock.now_us());
  REQUIRE(d.ok());
  INFO((d->problems.empty() ? "" : d->problems[0].message));
  REQUIRE(d->problems.empty());

  auto o = options("invoices", records::PayloadFormat::json);
  o.start_workflow = "ap_post";
  const std::string payload = "[" + invoice_json("I1") + "," + invoice_json("I2", "12.3456") + "]";
  auto r = records::import_records(payload, o, *db.store, exec.get());
  REQUIRE(r.ok());
  exec->wait_idle();
  CHECK(r->started == 2);
  CHECK(db.store->journal_size().value() == 2);
  auto i2 = db.engine->instance_by_business_key("ap_post", "I2");
  REQUIRE(i2.ok());
  REQUIRE(i2->has_value());
  const rt::InstanceRecord& instance = **i2;
  INFO(instance.state.dump(2));
  CHECK(instance.status == rt::InstanceStatus::succeeded);
  CHECK(instance.state["data"]["posted"]["amount"] == "12.3456");
  CHECK(instance.state["data"]["posted"]["already_posted"] == false);
  CHECK(storage_test::raw_int(db.path, "SELECT amount_e4 FROM journal WHERE document_id = 'I2'") ==
        123'456);

  // A re-run of the same step (after a crash before its result was stored) posts nothing new.
  rt::ActionRequest rerun;
  rerun.action = "ledger.post";
  rerun.args = {{"invoice", instance.state["data"]["invoice"]}};
  rerun.instance_id = instance.id;
  rerun.state = "post";
  rerun.attempt = 2;
  auto again = finance->run(rerun);
  REQUIRE(again.ok);
  CHECK(again.output["already_posted"] == true);
  CHECK(db.store->journal_size().value() == 2);

  // Re-importing starts no second instance, so nothing is posted twice.
  auto re = records::import_records(payload, o, *db.store, exec.get());
  REQUIRE(re.ok());
  exec->wait_idle();
  CHECK(re->already_started == 2);
  CHECK(db.store->journal_size().value() == 2);
  exec.reset();
}
