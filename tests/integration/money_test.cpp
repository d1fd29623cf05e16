// Money is decimal end to end: amounts imported as records or sent by a client reach a
// workflow as decimal strings, the expression language computes on them exactly, and the
// REST API gives the exact values back (records, instance data, results).
#include <catch2/catch.hpp>

#include "integration/daemon_fixture.h"

namespace {

using namespace ledgerflow::daemon_test;
using nlohmann::json;

const std::string kCsv = "Content-Type: text/csv\r\n";
const std::string kJson = "Content-Type: application/json\r\n";

// Polls an instance until it is no longer running (each poll is an HTTP round trip; the
// workflow has no timers, so it settles within a few).
json settled(const Daemon& d, const std::string& id) {
  json view;
  for (int i = 0; i < 2000; ++i) {
    view = d.call("GET", "/v1/instances/" + id, "olga", 200);
    if (view["status"] != "running") return view;
  }
  return view;
}

std::string instance_of(const Daemon& d, const std::string& business_key) {
  const json page =
      d.call("GET", "/v1/instances?workflow=money&business_key=" + business_key, "olga", 200);
  REQUIRE(page["items"].size() == 1);
  return page["items"][0]["id"].get<std::string>();
}

json invoice(const std::string& id, json amount) {
  return {{"invoice_id", id},
          {"vendor_id", "V1"},
          {"invoice_number", id},
          {"invoice_date", "2026-01-05"},
          {"due_date", "2026-02-04"},
          {"currency", "EUR"},
          {"amount", std::move(amount)},
          {"submitted_by", "alice"}};
}

}  // namespace

json post_records(const Daemon& d, const std::string& target, const std::string& body,
                  const std::string& headers, int status) {
  auto reply = d.request("POST", target, "erp", body, headers);
  REQUIRE(reply);
  INFO(reply->body);
  REQUIRE(reply->status == status);
  return json::parse(reply->body);
}

TEST_CASE("Money stays exact from import through a workflow to REST", "[daemon][money]") {
  Daemon d({"tests/data/daemon/money.yaml"});
  post_records(d, "/v1/records/vendors",
               "vendor_id,name,country,iban,tax_id,created_at\n"
               "V1,Acme GmbH,DE,DE89370400440532013000,DE123456789,2020-01-01T00:00:00Z\n",
               kCsv, 200);

  // Amounts as decimal strings and as JSON numbers; 899999999999.9999 has 16 significant
  // digits, more than a double holds: the body is read keeping the number's text.
  const std::string body = "[" + invoice("M-1", "0.10").dump() + "," +
                           invoice("M-2", "0.20").dump() + "," +
                           invoice("M-3", "899999999999.99").dump() + "," +
                           R"({"invoice_id":"M-4","vendor_id":"V1","invoice_number":"M-4",)"
                           R"("invoice_date":"2026-01-05","due_date":"2026-02-04",)"
                           R"("currency":"EUR","amount":899999999999.9999,"submitted_by":"alice"})"
                           "]";
  const json report = post_records(d, "/v1/records/invoices?start=money", body, kJson, 200);
  CHECK(report["accepted"] == 4);
  CHECK(report["workflows"]["started"] == 4);

  // The records as stored and served.
  CHECK(d.call("GET", "/v1/records/invoices/M-1", "bob", 200)["record"]["amount"] == "0.10");
  CHECK(d.call("GET", "/v1/records/invoices/M-3", "bob", 200)["record"]["amount"] ==
        "899999999999.99");
  CHECK(d.call("GET", "/v1/records/invoices/M-4", "bob", 200)["record"]["amount"] ==
        "899999999999.9999");

  // 0.10 + 0.20 is 0.30 exactly, in a comparison and in the stored total.
  const json m1 = settled(d, instance_of(d, "M-1"));
  INFO(m1.dump(2));
  REQUIRE(m1["status"] == "succeeded");
  CHECK(m1["data"]["invoice"]["amount"] == "0.10");
  CHECK(m1["data"]["total"] == "0.3");
  CHECK(m1["data"]["total_is_030"] == true);
  CHECK(m1["data"]["tripled"] == "0.3");
  CHECK(m1["result"]["amount"] == "0.10");

  const json m4 = settled(d, instance_of(d, "M-4"));
  INFO(m4.dump(2));
  REQUIRE(m4["status"] == "succeeded");
  CHECK(m4["data"]["total"] == "900000000000.1999");
  CHECK(m4["data"]["tripled"] == "2699999999999.9997");
  CHECK(m4["data"]["total_is_030"] == false);

  // Beyond the records' range (900 billion) an amount is refused, never rounded.
  const json too_big =
      post_records(d, "/v1/records/invoices",
                   "[" + invoice("M-5", "1000000000000000.01").dump() + "]", kJson, 422);
  CHECK(too_big["report"]["errors"][0]["column"] == "amount");

  // A client's start input: 1e15 + 0.01 survives the workflow and the REST round trip.
  const json started = d.call("POST", "/v1/workflows/money/instances?business_key=Q-1", "olga", 201,
                              {{"invoice", {{"amount", "1000000000000000"}}}, {"extra", "0.01"}});
  const json q1 = settled(d, started["id"].get<std::string>());
  INFO(q1.dump(2));
  REQUIRE(q1["status"] == "succeeded");
  CHECK(q1["data"]["total"] == "1000000000000000.01");
  CHECK(q1["data"]["above_a_quadrillion"] == true);
  CHECK(q1["result"]["total"] == "1000000000000000.01");
  CHECK(q1["data"]["tripled"] == "3000000000000000");
}
