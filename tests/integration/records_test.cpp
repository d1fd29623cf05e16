// Record imports over HTTP: CSV/JSON/NDJSON bodies, per-row errors, all-or-nothing,
// idempotent re-imports, roles, and workflows started per record that run the finance
// actions (duplicates, three-way match, posting) on the imported records.
#include <catch2/catch.hpp>

#include <thread>

#include "integration/daemon_fixture.h"
#include "integration/daemon_helpers.h"

namespace {

using namespace ledgerflow::daemon_test;
using namespace std::chrono_literals;
using nlohmann::json;

const std::string kCsv = "Content-Type: text/csv\r\n";
const std::string kJson = "Content-Type: application/json\r\n";
const std::string kNdjson = "Content-Type: application/x-ndjson\r\n";

const char* kVendors =
    "vendor_id,name,country,iban,tax_id,created_at,bank_changed_at\n"
    "V1,Acme GmbH,DE,DE89370400440532013000,DE123456789,2020-01-01T00:00:00Z,\n"
    "V2,Beta SAS,FR,FR1420041010050500013M02606,FR987654321,2021-06-01T09:00:00+02:00,\n";

json post_records(const Daemon& d, const std::string& type, const std::string& query,
                  const std::string& user, const std::string& body, const std::string& headers,
                  int status) {
  auto reply = d.request("POST", "/v1/records/" + type + query, user, body, headers);
  REQUIRE(reply);
  INFO(reply->body);
  REQUIRE(reply->status == status);
  return json::parse(reply->body);
}

json settled(const Daemon& d, const std::string& id) {
  return settled_instance(d, id, "olga");
}

std::string instance_of(const Daemon& d, const std::string& business_key) {
  const json page =
      d.call("GET", "/v1/instances?workflow=ap_records&business_key=" + business_key, "olga", 200);
  REQUIRE(page["items"].size() == 1);
  return page["items"][0]["id"].get<std::string>();
}

}  // namespace

TEST_CASE("Importing records: per-row errors, idempotent re-imports, roles", "[daemon][records]") {
  Daemon d({"tests/data/daemon/ap_records.yaml"});

  // Only admin and integration import; everyone may read.
  post_records(d, "vendors", "", "bob", kVendors, kCsv, 403);
  const json first = post_records(d, "vendors", "", "erp", kVendors, kCsv, 200);
  CHECK(first["accepted"] == 2);
  CHECK(first["inserted"] == 2);
  CHECK(first["committed"] == true);
  const json again = post_records(d, "vendors", "", "erp", kVendors, kCsv, 200);
  CHECK(again["inserted"] == 0);
  CHECK(again["unchanged"] == 2);

  // Bad rows are reported with row, line, column and reason; the good rows are stored.
  const std::string mixed =
      "vendor_id,name,country,iban,tax_id,created_at\n"
      "V3,Gamma Ltd,GB,GB82WEST12345698765432,GB1,2022-01-01T00:00:00Z\n"
      "V4,Delta,XX,DE89370400440532013000,DE2,2022-01-01T00:00:00Z\n"
      "V5,Eps,DE,DE89370400440532013001,DE3,2022-01-01\n";
  const json report = post_records(d, "vendors", "", "olga", mixed, kCsv, 200);
  CHECK(report["accepted"] == 1);
  CHECK(report["rejected"] == 2);
  REQUIRE(report["errors"].size() >= 3);
  CHECK(report["errors"][0]["row"] == 2);
  CHECK(report["errors"][0]["line"] == 3);
  CHECK(report["errors"][0]["column"] == "country");
  const std::string all_errors = report["errors"].dump();
  CHECK(all_errors.find("IBAN check digits") != std::string::npos);
  CHECK(all_errors.find("not an ISO 8601 timestamp") != std::string::npos);
  d.call("GET", "/v1/records/vendors/V3", "ivan", 200);
  d.call("GET", "/v1/records/vendors/V4", "ivan", 404);

  // All or nothing: one bad row stores nothing, and the report comes with the 422.
  const std::string one_bad =
      "vendor_id,name,country,iban,tax_id,created_at\n"
      "V6,Zeta,DE,DE89370400440532013000,DE6,2022-01-01T00:00:00Z\n"
      "V7,Eta,DE,not-an-iban,DE7,2022-01-01T00:00:00Z\n";
  const json refused =
      post_records(d, "vendors", "?mode=all_or_nothing", "olga", one_bad, kCsv, 422);
  CHECK(refused["report"]["rejected"] == 1);
  CHECK(refused["report"]["committed"] == false);
  d.call("GET", "/v1/records/vendors/V6", "ivan", 404);

  // Whole-payload problems name the line or column; unknown types and media types.
  const json broken = post_records(
      d, "vendors", "", "olga",
      "vendor_id,name,country,iban,tax_id,created_at\nV8,\"Open quote,DE,X,Y,Z\n", kCsv, 422);
  CHECK(broken["detail"].get<std::string>().find("line 2") != std::string::npos);
  const json unknown_column =
      post_records(d, "vendors", "", "olga", "vendor_id,colour\nV9,red\n", kCsv, 422);
  CHECK(unknown_column["detail"].get<std::string>().find("'colour'") != std::string::npos);
  post_records(d, "ledgers", "", "olga", "[]", kJson, 404);
  post_records(d, "vendors", "", "olga", "a,b", "Content-Type: text/plain\r\n", 415);

  // Stored IBANs and tax ids are masked when read back.
  const json v1 = d.call("GET", "/v1/records/vendors/V1", "ivan", 200);
  CHECK(v1["record"]["iban"] == "****3000");
  CHECK(v1["record"]["name"] == "Acme GmbH");

  // References must exist: an invoice of an unknown vendor is rejected (NDJSON here).
  const json orphan = post_records(
      d, "invoices", "", "erp",
      R"({"invoice_id":"I-X","vendor_id":"V404","invoice_number":"1","invoice_date":"2026-01-05","due_date":"2026-02-04","currency":"EUR","amount":"10.00","submitted_by":"alice"})"
      "\n",
      kNdjson, 422);  // nothing at all could be stored
  CHECK(orphan["report"]["rejected"] == 1);
  CHECK(orphan["report"]["errors"][0]["column"] == "vendor_id");
}

TEST_CASE("Imported invoices start workflows that find duplicates, match and post",
          "[daemon][records]") {
  Daemon d({"tests/data/daemon/ap_records.yaml"});
  post_records(d, "vendors", "", "erp", kVendors, kCsv, 200);
  post_records(d, "purchase_orders", "", "erp",
               "po_number,vendor_id,line_no,item,qty,unit_price,currency\n"
               "PO-1,V1,1,Widget,10,5.00,EUR\n"
               "PO-2,V1,1,Gadget,4,100.00,EUR\n",
               kCsv, 200);
  post_records(d, "receipts", "", "erp",
               "receipt_id,po_number,line_no,qty_received,received_at\n"
               "GR-1,PO-1,1,10,2026-01-02T10:00:00Z\n"
               "GR-2,PO-2,1,4,2026-01-02T10:00:00Z\n",
               kCsv, 200);

  // JSON invoices carry their lines inline. I-2 re-keys I-1's number ("inv 0042" vs
  // "INV-42"); I-3 bills 10% over the PO price.
  const json invoices = json::array(
      {{{"invoice_id", "I-1"},
        {"vendor_id", "V1"},
        {"invoice_number", "INV-42"},
        {"invoice_date", "2026-01-05"},
        {"due_date", "2026-02-04"},
        {"currency", "EUR"},
        {"amount", "50.00"},
        {"po_number", "PO-1"},
        {"submitted_by", "alice"},
        {"lines", {{{"line_no", 1}, {"po_line_no", 1}, {"qty", 10}, {"unit_price", "5.00"}}}}},
       {{"invoice_id", "I-2"},
        {"vendor_id", "V1"},
        {"invoice_number", "inv 0042"},
        {"invoice_date", "2026-01-05"},
        {"due_date", "2026-02-04"},
        {"currency", "EUR"},
        {"amount", 50},
        {"submitted_by", "alice"}},
       {{"invoice_id", "I-3"},
        {"vendor_id", "V1"},
        {"invoice_number", "77"},
        {"invoice_date", "2026-01-06"},
        {"due_date", "2026-02-05"},
        {"currency", "EUR"},
        {"amount", "440.00"},
        {"po_number", "PO-2"},
        {"submitted_by", "alice"},
        {"lines", {{{"line_no", 1}, {"po_line_no", 1}, {"qty", 4}, {"unit_price", "110.00"}}}}},
       {{"invoice_id", "I-4"},
        {"vendor_id", "V1"},
        {"invoice_number", "78"},
        {"invoice_date", "2026-01-06"},
        {"due_date", "2026-01-01"},
        {"currency", "EUR"},
        {"amount", "1.00"},
        {"submitted_by", "alice"}}});
  const json report =
      post_records(d, "invoices", "?start=ap_records", "erp", invoices.dump(), kJson, 200);
  CHECK(report["accepted"] == 3);
  CHECK(report["rejected"] == 1);  // I-4: due before the invoice date
  CHECK(report["errors"][0]["column"] == "due_date");
  CHECK(report["workflows"]["started"] == 3);

  const json posted = settled(d, instance_of(d, "I-1"));
  CHECK(posted["status"] == "succeeded");
  const json dup = settled(d, instance_of(d, "I-2"));
  CHECK(dup["status"] == "failed");
  CHECK(dup["data"]["dup"]["exact_count"] == 1);
  CHECK(dup["data"]["dup"]["candidates"][0]["invoice_id"] == "I-1");
  CHECK(dup["data"]["dup"]["candidates"][0]["rule"] == "exact");
  const json mismatch = settled(d, instance_of(d, "I-3"));
  CHECK(mismatch["status"] == "failed");
  CHECK(mismatch["data"]["match"]["discrepancy_count"] == 1);
  CHECK(mismatch["data"]["match"]["discrepancies"][0]["kind"] == "price");

  // The invoice as stored, with its lines; a re-import starts nothing twice.
  const json stored = d.call("GET", "/v1/records/invoices/I-1", "bob", 200);
  CHECK(stored["record"]["amount"] == "50.00");
  CHECK(stored["record"]["lines"].size() == 1);
  const json again =
      post_records(d, "invoices", "?start=ap_records", "erp", invoices.dump(), kJson, 200);
  CHECK(again["unchanged"] == 5);  // 3 invoices and their 2 inline lines
  CHECK(again["workflows"]["started"] == 0);
  CHECK(again["workflows"]["already_started"] == 3);

  // Starting a workflow that is not deployed is refused before anything is stored.
  post_records(d, "invoices", "?start=nope", "erp", invoices.dump(), kJson, 404);
}

TEST_CASE("Whoever changed a vendor's bank details cannot release a payment to them",
          "[daemon][records]") {
  Daemon d({"workflows/payment_screening.yaml"});
  // tom (treasury) changed V1's account two days before the payment was requested.
  post_records(d, "vendors", "", "erp",
               "vendor_id,name,country,iban,tax_id,created_at,bank_changed_at,bank_changed_by\n"
               "V1,Acme GmbH,DE,DE89370400440532013000,DE123456789,2020-01-01T00:00:00Z,"
               "2026-01-10T09:00:00Z,tom\n",
               kCsv, 200);
  // A first payment of 25,000 to this payee: held for treasury review whatever the score.
  const json report =
      post_records(d, "outgoing_payments", "?start=payment_screening", "erp",
                   "payment_id,vendor_id,amount,currency,iban,requested_by,requested_at\n"
                   "P-1,V1,25000.00,EUR,DE89370400440532013000,alice,2026-01-12T10:00:00+01:00\n",
                   kCsv, 200);
  REQUIRE(report["workflows"]["started"] == 1);

  const json page =
      d.call("GET", "/v1/instances?workflow=payment_screening&business_key=P-1", "olga", 200);
  REQUIRE(page["items"].size() == 1);
  const std::string id = page["items"][0]["id"];
  const json view = settled(d, id);
  REQUIRE(view["status"] == "waiting");
  CHECK(view["data"]["history"]["bank_changed_by"] == "tom");
  CHECK(view["data"]["history"]["payment_count"] == 0);

  const json inbox = d.call("GET", "/v1/tasks?mine=true", "tom", 200);
  REQUIRE(inbox["items"].size() == 1);
  const std::string task = inbox["items"][0]["id"];
  CHECK(inbox["items"][0]["state"] == "treasury_review");
  const json refused =
      d.call("POST", "/v1/tasks/" + task + "/complete", "tom", 403, {{"outcome", "approved"}});
  CHECK(refused["detail"].get<std::string>().find("segregation of duties") != std::string::npos);
  // The requester may not release it either.
  d.call("POST", "/v1/tasks/" + task + "/complete", "alice", 403, {{"outcome", "approved"}});
}

TEST_CASE("Imports may be larger than other requests, other routes keep the normal limit",
          "[daemon][records]") {
  Daemon d({"tests/data/daemon/ap_records.yaml"});
  // About 2.4 MiB of vendors: over the 1 MiB body limit of other routes.
  std::string csv = "vendor_id,name,country,iban,tax_id,created_at\n";
  const int rows = 24000;
  for (int i = 0; i < rows; ++i) {
    csv += "VB" + std::to_string(i) + ",Bulk vendor number " + std::to_string(i) +
           " with a long name GmbH,DE,DE89370400440532013000,DE" + std::to_string(100000 + i) +
           ",2020-01-01T00:00:00Z\n";
  }
  REQUIRE(csv.size() > 2 * 1024 * 1024);
  const json report = post_records(d, "vendors", "", "erp", csv, kCsv, 200);
  CHECK(report["accepted"] == rows);
  CHECK(report["inserted"] == rows);

  // The same size elsewhere is refused at once with the normal limit.
  auto refused = d.request("POST", "/v1/workflows/ap_records/instances", "alice", csv, kJson);
  REQUIRE(refused);
  CHECK(refused->status == 413);
  CHECK(refused->body.find("1048576") != std::string::npos);
}
