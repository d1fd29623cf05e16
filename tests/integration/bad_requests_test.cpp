// Bad requests against the real daemon, as a table: each row is one request that must be
// refused with a precise status and an RFC 7807 problem (application/problem+json with a
// title and a detail), and must change NOTHING — after every row the test reads the
// instances (with their history sequence numbers), every task and every workflow version
// back and compares them with the snapshot taken before. Then: a client that trickles
// its request one byte a second is cut off (408) within the read timeout while the
// daemon keeps serving everybody else.
#include <catch2/catch.hpp>
#include <functional>

#include "integration/daemon_helpers.h"

namespace {

using namespace ledgerflow::daemon_test;
using namespace std::chrono_literals;
using nlohmann::json;

const std::vector<std::string> kWorkflows = {"tests/data/daemon/ap_review.yaml",
                                             "tests/data/daemon/await_payment.yaml"};

const std::string kIban = "DE44500105175407324931";

json invoice(const std::string& id, double amount) {
  return {{"invoice", {{"id", id}, {"amount", amount}, {"vendor_iban", kIban}}}};
}

// Everything a bad request could have changed, read through the API as the admin.
json snapshot(const Daemon& d) {
  json s = json::object();
  const json instances = d.call("GET", "/v1/instances?limit=1000", "olga", 200);
  for (const auto& i : instances["items"]) {
    s["instances"].push_back({i["id"], i["workflow"], i["version"], i["status"], i["seq"],
                              i["business_key"], i["updated_at"], i["data"]});
  }
  const json tasks = d.call("GET", "/v1/tasks?status=all&mine=false&limit=1000", "olga", 200);
  for (const auto& t : tasks["items"]) {
    s["tasks"].push_back(
        {t["id"], t["status"], t["assignee"], t["candidate_users"], t["outcome"], t["detail"]});
  }
  const json workflows = d.call("GET", "/v1/workflows", "olga", 200);
  for (const auto& w : workflows["items"]) {
    s["workflows"].push_back({w["name"], w["latest_version"], w["versions"]});
  }
  return s;
}

struct BadRequest {
  std::string name;
  std::string method;
  std::string target;
  std::string user;  // "" = no Authorization header (see `headers`)
  std::string body;
  std::string headers;  // extra header lines, each ending in \r\n
  int status;
  std::string detail_has;  // a substring the detail must contain ("" = any)
  std::function<void(const Reply&, const json&)> also = {};
};

std::string deep_json(std::size_t depth) {
  return std::string(depth, '[') + std::string(depth, ']');
}

}  // namespace

TEST_CASE("Bad requests are refused precisely and change nothing", "[daemon]") {
  Daemon d(kWorkflows);

  // The world the bad requests try to disturb: an open AP review (task `open_task`, bob's
  // to act on; alice submitted it), a finished one (task `done_task` completed), a
  // payment wait, and an instance started with an Idempotency-Key.
  const json open = d.call("POST", "/v1/workflows/ap_review/instances?business_key=INV-1", "alice",
                           201, invoice("INV-1", 100));
  const std::string open_id = open["id"];
  const json done = d.call("POST", "/v1/workflows/ap_review/instances?business_key=INV-2", "alice",
                           201, invoice("INV-2", 200));
  const std::string done_id = done["id"];
  std::string open_task, done_task;
  const json bob_inbox = d.call("GET", "/v1/tasks", "bob", 200);
  for (const auto& t : bob_inbox["items"]) {
    (t["instance_id"] == open_id ? open_task : done_task) = t["id"].get<std::string>();
  }
  REQUIRE(!open_task.empty());
  REQUIRE(!done_task.empty());
  d.call("POST", "/v1/tasks/" + done_task + "/complete", "bob", 200, {{"outcome", "approved"}});
  REQUIRE(d.call("GET", "/v1/instances/" + done_id, "bob", 200)["status"] == "succeeded");
  const std::string waiting_id = d.call("POST", "/v1/workflows/await_payment/instances", "dave",
                                        201, {{"order", "SO-1"}})["id"];
  d.call("POST", "/v1/workflows/ap_review/instances", "alice", 201, invoice("INV-3", 300),
         "Idempotency-Key: idem-3\r\n");

  const std::string json_type = "Content-Type: application/json\r\n";
  const std::string yaml_type = "Content-Type: application/yaml\r\n";
  const std::string valid_yaml =
      "workflow: sneaky\nstart: done\nstates:\n  done: {type: succeed}\n";
  const std::string invalid_yaml =
      "workflow: broken\n"
      "start: first\n"
      "states:\n"
      "  first:\n"
      "    type: task\n"
      "    action: set\n"
      "    with: {x: 1}\n"
      "    next: nowhere\n"
      "  orphan: {type: succeed, colour: red}\n";
  const std::string start_ap = "/v1/workflows/ap_review/instances";
  const std::string unknown_id = "0000000000000-00000000ff";

  auto has_problems_with_positions = [](const Reply&, const json& body) {
    CHECK(body.contains("problems"));
    if (!body.contains("problems") || !body["problems"].is_array()) return;
    CHECK(!body["problems"].empty());
    for (const auto& p : body["problems"]) {
      INFO(p.dump());
      CHECK(p["line"].is_number_integer());
      CHECK(p["line"].get<int>() >= 1);
      CHECK(p["column"].is_number_integer());
      CHECK(p["column"].get<int>() >= 1);
      CHECK(p["message"].is_string());
    }
  };
  auto allow = [](std::vector<std::string> methods) {
    return [methods](const Reply& r, const json&) {
      const std::string allow_header = r.header("allow");
      INFO("Allow: " << allow_header);
      CHECK(!allow_header.empty());
      for (const auto& m : methods) CHECK(allow_header.find(m) != std::string::npos);
    };
  };
  auto challenges = [](const Reply& r, const json&) {
    CHECK(r.header("www-authenticate").rfind("Bearer", 0) == 0);
  };
  auto no_file = [](const Reply& r, const json&) {
    CHECK(r.body.find("root:") == std::string::npos);
  };

  const std::vector<BadRequest> table = {
      // --- bodies that are not (the right) JSON --------------------------------------------
      {"malformed JSON (start)", "POST", start_ap, "alice", R"({"invoice": {"id": "X",)", json_type,
       400, "not valid JSON"},
      {"malformed JSON (complete)", "POST", "/v1/tasks/" + open_task + "/complete", "bob",
       "{outcome: approved}", json_type, 400, "not valid JSON"},
      {"start input is an array", "POST", start_ap, "alice", "[1, 2]", json_type, 400, "object"},
      {"complete body is null", "POST", "/v1/tasks/" + open_task + "/complete", "bob", "null",
       json_type, 400, "object"},
      {"invalid UTF-8 in the start input", "POST", start_ap, "alice",
       "{\"invoice\": {\"id\": \"\xff\xfe\", \"amount\": 1}}", json_type, 400, ""},
      {"invalid UTF-8 in a comment", "POST", "/v1/tasks/" + open_task + "/complete", "bob",
       "{\"outcome\": \"approved\", \"comment\": \"ok\xc3\x28\"}", json_type, 400, ""},
      {"JSON nested 100,000 deep", "POST", start_ap, "alice", deep_json(100000), json_type, 400,
       ""},
      {"a 2 MiB body", "POST", start_ap, "alice",
       "{\"pad\": \"" + std::string(2 * 1024 * 1024, 'x') + "\"}", json_type, 413, ""},
      // --- wrong types and unknown fields --------------------------------------------------
      {"outcome is a number", "POST", "/v1/tasks/" + open_task + "/complete", "bob",
       R"({"outcome": 1})", json_type, 400, "outcome"},
      {"outcome is missing", "POST", "/v1/tasks/" + open_task + "/complete", "bob",
       R"({"comment": "fine"})", json_type, 400, "outcome"},
      {"comment is an object", "POST", "/v1/tasks/" + open_task + "/complete", "bob",
       R"({"outcome": "approved", "comment": {"text": "ok"}})", json_type, 400, "comment"},
      {"unknown field in complete", "POST", "/v1/tasks/" + open_task + "/complete", "bob",
       R"({"outcome": "approved", "approve_all": true})", json_type, 400, "approve_all"},
      {"unknown field in signal", "POST",
       "/v1/instances/" + waiting_id + "/signals/payment_received", "dave",
       R"({"payload": {}, "correlation": "SO-1", "urgent": true})", json_type, 400, "urgent"},
      {"unknown field in cancel", "POST", "/v1/instances/" + open_id + "/cancel", "alice",
       R"({"reason": "dup", "force": true})", json_type, 400, "force"},
      {"cancel reason is a number", "POST", "/v1/instances/" + open_id + "/cancel", "alice",
       R"({"reason": 42})", json_type, 400, "reason"},
      {"delegate without 'to'", "POST", "/v1/tasks/" + open_task + "/delegate", "bob",
       R"({"comment": "yours"})", json_type, 400, "to"},
      {"an outcome the task does not have", "POST", "/v1/tasks/" + open_task + "/complete", "bob",
       R"({"outcome": "maybe"})", json_type, 422, "approved"},
      // --- input that violates the workflow's input.schema -----------------------------------
      {"amount is a string", "POST", start_ap, "alice",
       R"({"invoice": {"id": "X", "amount": "lots"}})", json_type, 422, "/invoice/amount"},
      {"amount is negative", "POST", start_ap, "alice", R"({"invoice": {"id": "X", "amount": -5}})",
       json_type, 422, "/invoice/amount"},
      {"required field missing", "POST", start_ap, "alice", R"({"invoice": {"id": "X"}})",
       json_type, 422, "amount"},
      {"additional property", "POST", start_ap, "alice",
       R"({"invoice": {"id": "X", "amount": 1, "discount": 3}})", json_type, 422, "/invoice"},
      // --- authentication ---------------------------------------------------------------------
      {"no Authorization (read)", "GET", "/v1/instances", "", "", "", 401, "Authorization",
       challenges},
      {"no Authorization (start)", "POST", start_ap, "", invoice("X", 1).dump(), json_type, 401, "",
       challenges},
      {"unknown API key", "GET", "/v1/tasks", "", "", "Authorization: Bearer lf-demo-mallory\r\n",
       401, "", challenges},
      {"Basic auth scheme", "GET", "/v1/tasks", "", "",
       "Authorization: Basic YWxpY2U6bGYtZGVtby1hbGljZQ==\r\n", 401, "Bearer", challenges},
      {"empty bearer token", "GET", "/v1/tasks", "", "", "Authorization: Bearer \r\n", 401, "",
       challenges},
      // --- authorisation ----------------------------------------------------------------------
      {"auditor starts an instance", "POST", start_ap, "ivan", invoice("X", 1).dump(), json_type,
       403, "read-only"},
      {"auditor completes a task", "POST", "/v1/tasks/" + open_task + "/complete", "ivan",
       R"({"outcome": "approved"})", json_type, 403, ""},
      {"auditor cancels", "POST", "/v1/instances/" + open_id + "/cancel", "ivan", "{}", json_type,
       403, ""},
      {"clerk deploys a workflow", "POST", "/v1/workflows", "alice", valid_yaml, yaml_type, 403,
       "deploy"},
      {"collector completes bob's task", "POST", "/v1/tasks/" + open_task + "/complete", "erin",
       R"({"outcome": "approved"})", json_type, 403, "candidate"},
      {"collector claims bob's task", "POST", "/v1/tasks/" + open_task + "/claim", "erin", "", "",
       403, "candidate"},
      {"collector delegates bob's task to herself", "POST", "/v1/tasks/" + open_task + "/delegate",
       "erin", R"({"to": "erin"})", json_type, 403, ""},
      {"collector reads bob's task", "GET", "/v1/tasks/" + open_task, "erin", "", "", 403, ""},
      {"another user cancels alice's instance", "POST", "/v1/instances/" + open_id + "/cancel",
       "dave", "{}", json_type, 403, ""},
      {"delegation to the submitter (segregation of duties)", "POST",
       "/v1/tasks/" + open_task + "/delegate", "bob", R"({"to": "alice"})", json_type, 403,
       "segregation of duties"},
      // --- unknown things ---------------------------------------------------------------------
      {"unknown instance", "GET", "/v1/instances/" + unknown_id, "ivan", "", "", 404, ""},
      {"history of an unknown instance", "GET", "/v1/instances/" + unknown_id + "/history", "ivan",
       "", "", 404, ""},
      {"unknown task", "GET", "/v1/tasks/k-nope", "ivan", "", "", 404, ""},
      {"complete an unknown task", "POST", "/v1/tasks/k-nope/complete", "bob",
       R"({"outcome": "approved"})", json_type, 404, ""},
      {"signal to an unknown instance", "POST",
       "/v1/instances/" + unknown_id + "/signals/payment_received", "dave", "{}", json_type, 404,
       ""},
      {"cancel an unknown instance", "POST", "/v1/instances/" + unknown_id + "/cancel", "olga",
       "{}", json_type, 404, ""},
      {"start an unknown workflow", "POST", "/v1/workflows/no_such_flow/instances", "alice", "{}",
       json_type, 404, "no_such_flow"},
      {"unknown workflow", "GET", "/v1/workflows/no_such_flow", "ivan", "", "", 404, ""},
      {"unknown workflow version", "GET", "/v1/workflows/ap_review/versions/99", "ivan", "", "",
       404, ""},
      {"workflow version not a number", "GET", "/v1/workflows/ap_review/versions/latest", "ivan",
       "", "", 400, "version"},
      {"unknown route", "GET", "/v1/nothing-here", "ivan", "", "", 404, ""},
      {"unknown API version", "GET", "/v2/instances", "ivan", "", "", 404, ""},
      {"delegation to an unknown user", "POST", "/v1/tasks/" + open_task + "/delegate", "bob",
       R"({"to": "mallory"})", json_type, 422, "mallory"},
      // --- wrong method -----------------------------------------------------------------------
      {"DELETE an instance", "DELETE", "/v1/instances/" + open_id, "olga", "", "", 405, "",
       allow({"GET"})},
      {"PUT the workflow collection", "PUT", "/v1/workflows", "olga", "{}", json_type, 405, "",
       allow({"GET", "POST"})},
      {"GET a task action", "GET", "/v1/tasks/" + open_task + "/complete", "bob", "", "", 405, "",
       allow({"POST"})},
      // --- path traversal (never a file) -------------------------------------------------------
      {"dot segments under /assets", "GET", "/assets/../../etc/passwd", "", "", "", 400, "",
       no_file},
      {"encoded dot segments under /assets", "GET", "/assets/%2e%2e/%2e%2e/etc/passwd", "", "", "",
       400, "", no_file},
      {"encoded slashes under /assets", "GET", "/assets/..%2F..%2F..%2F..%2Fetc%2Fpasswd", "", "",
       "", 404, "", no_file},
      {"encoded slashes as an instance id", "GET", "/v1/instances/..%2F..%2Fetc", "ivan", "", "",
       404, "", no_file},
      {"a dot file under /assets", "GET", "/assets/.env", "", "", "", 404, "", no_file},
      // --- conflicts --------------------------------------------------------------------------
      {"business key used twice", "POST", start_ap + "?business_key=INV-1", "alice",
       invoice("INV-1", 100).dump(), json_type, 409, "INV-1",
       [&d](const Reply&, const json& body) {
         // Storage internals (SQL, the database file) are for the log, not the client.
         const std::string detail = body.value("detail", std::string());
         CHECK(detail.find(d.db_path()) == std::string::npos);
         CHECK(detail.find("sqlite") == std::string::npos);
         CHECK(detail.find("UNIQUE") == std::string::npos);
       }},
      {"Idempotency-Key reused with another body", "POST", start_ap, "alice",
       invoice("INV-3", 301).dump(), json_type + "Idempotency-Key: idem-3\r\n", 409, "idem-3",
       [](const Reply&, const json& body) {
         // The per-user key is an implementation detail: the client sees the key it sent.
         CHECK(body.value("detail", std::string()).find("alice\n") == std::string::npos);
       }},
      {"complete an already completed task", "POST", "/v1/tasks/" + done_task + "/complete", "bob",
       R"({"outcome": "approved"})", json_type, 409, ""},
      {"claim an already completed task", "POST", "/v1/tasks/" + done_task + "/claim", "bob", "",
       "", 409, ""},
      {"signal to a finished instance", "POST",
       "/v1/instances/" + done_id + "/signals/payment_received", "olga", "{}", json_type, 409,
       "succeeded"},
      {"cancel a finished instance", "POST", "/v1/instances/" + done_id + "/cancel", "alice", "{}",
       json_type, 409, ""},
      {"a signal the workflow's permissions do not name", "POST",
       "/v1/instances/" + waiting_id + "/signals/refund", "dave", R"({"correlation": "SO-1"})",
       json_type, 403, "permissions.signals"},
      {"a signal from a role its permission does not name", "POST",
       "/v1/instances/" + waiting_id + "/signals/payment_received", "tom",
       R"({"correlation": "SO-1"})", json_type, 403, "credit_controller"},
      {"a signal with the wrong correlation", "POST",
       "/v1/instances/" + waiting_id + "/signals/payment_received", "dave",
       R"({"correlation": "SO-2"})", json_type, 409, ""},
      // --- bad query parameters and headers ----------------------------------------------------
      {"limit=0", "GET", "/v1/instances?limit=0", "ivan", "", "", 400, "limit"},
      {"limit=5000", "GET", "/v1/instances?limit=5000", "ivan", "", "", 400, "limit"},
      {"limit=-1", "GET", "/v1/instances?limit=-1", "ivan", "", "", 400, "limit"},
      {"limit=ten", "GET", "/v1/instances?limit=ten", "ivan", "", "", 400, "limit"},
      {"status=bogus", "GET", "/v1/instances?status=bogus", "ivan", "", "", 400, "status"},
      {"created_after=yesterday", "GET", "/v1/instances?created_after=yesterday", "ivan", "", "",
       400, "created_after"},
      {"task status=bogus", "GET", "/v1/tasks?status=bogus", "bob", "", "", 400, "status"},
      {"task mine=maybe", "GET", "/v1/tasks?mine=maybe", "bob", "", "", 400, "mine"},
      {"task limit=0", "GET", "/v1/tasks?limit=0", "bob", "", "", 400, "limit"},
      {"history after=x", "GET", "/v1/instances/" + open_id + "/history?after=x", "ivan", "", "",
       400, "after"},
      {"empty business_key", "POST", start_ap + "?business_key=", "alice", invoice("X", 1).dump(),
       json_type, 400, "business_key"},
      {"business_key with a control character", "POST", start_ap + "?business_key=a%01b", "alice",
       invoice("X", 1).dump(), json_type, 400, "business_key"},
      {"Idempotency-Key of 300 bytes", "POST", start_ap, "alice", invoice("X", 1).dump(),
       json_type + "Idempotency-Key: " + std::string(300, 'k') + "\r\n", 400, "Idempotency-Key"},
      {"a 20 KiB header", "GET", "/v1/instances", "ivan", "",
       "X-Padding: " + std::string(20 * 1024, 'p') + "\r\n", 431, ""},
      // --- deployments ------------------------------------------------------------------------
      {"deploy an invalid workflow", "POST", "/v1/workflows", "olga", invalid_yaml, yaml_type, 422,
       "nowhere", has_problems_with_positions},
      {"deploy unparsable YAML", "POST", "/v1/workflows", "olga",
       "workflow: broken\nstates: [unclosed\n", yaml_type, 422, "", has_problems_with_positions},
      {"deploy an empty body", "POST", "/v1/workflows", "olga", "", yaml_type, 422, ""},
  };
  REQUIRE(table.size() >= 30);

  const json before = snapshot(d);
  REQUIRE(before["instances"].size() == 4);
  REQUIRE(before["tasks"].size() == 3);
  for (const auto& row : table) {
    {
      INFO("row '" << row.name << "': " << row.method << " " << row.target.substr(0, 120) << " as '"
                   << row.user << "'");
      const auto reply = d.request(row.method, row.target, row.user, row.body, row.headers);
      const json body = check_problem(reply, row.status);
      if (body.contains("detail") && !row.detail_has.empty()) {
        INFO("detail: " << body["detail"]);
        CHECK(body["detail"].get<std::string>().find(row.detail_has) != std::string::npos);
      }
      if (reply && row.also) row.also(*reply, body);
      // A refusal never echoes the sensitive field (many rows send it).
      if (reply) CHECK(reply->body.find(kIban) == std::string::npos);
      // Nothing changed.
      CHECK(snapshot(d) == before);
    }
  }
  CHECK(snapshot(d) == before);
  // Nor does the daemon's log.
  CHECK(d.log().find(kIban) == std::string::npos);
  CHECK(d.call("GET", "/healthz", "", 200)["status"] == "ok");
}

TEST_CASE("The Bearer scheme is case-insensitive (RFC 7235)", "[daemon]") {
  Daemon d({"tests/data/daemon/ap_review.yaml"});
  for (const std::string scheme : {"Bearer", "bearer", "BEARER"}) {
    INFO(scheme);
    auto r = d.request("GET", "/v1/tasks", "", "",
                       "Authorization: " + scheme + " " + key_of("bob") + "\r\n");
    REQUIRE(r);
    CHECK(r->status == 200);
  }
}

TEST_CASE("A client that trickles its request is cut off, others are served", "[daemon]") {
  Daemon d({"tests/data/daemon/ap_review.yaml"});  // limits.read_timeout_ms=1500
  const std::string request = "POST /v1/workflows/ap_review/instances HTTP/1.1\r\nHost: x\r\n" +
                              auth_header("alice") +
                              "Content-Type: application/json\r\nContent-Length: 100\r\n\r\n";
  RawClient slow(d.port());
  RawClient silent(d.port());  // connects and never sends a byte
  REQUIRE(slow.connected());
  REQUIRE(silent.connected());
  const auto t0 = std::chrono::steady_clock::now();
  std::string received;
  std::size_t sent = 0;
  bool write_failed = false;
  auto answered = [](const std::string& all) { return all.find("\r\n\r\n") != std::string::npos; };
  while (std::chrono::steady_clock::now() - t0 < 6s && sent < request.size()) {
    if (!slow.write(request.substr(sent, 1))) {
      write_failed = true;
      break;
    }
    ++sent;
    received = slow.read_until(answered, 1000ms);  // one byte a second
    if (answered(received) || !slow.connected()) break;
    // Meanwhile everybody else is served.
    CHECK(d.call("GET", "/v1/instances", "ivan", 200)["items"].is_array());
  }
  const auto cut_after = std::chrono::steady_clock::now() - t0;
  INFO("sent " << sent << " bytes; received: " << received);
  CHECK(cut_after < 5s);
  CHECK(sent < request.size());  // it never got to send the whole request
  if (!write_failed) {
    REQUIRE(answered(received));
    CHECK(received.rfind("HTTP/1.1 408", 0) == 0);
    CHECK(received.find("application/problem+json") != std::string::npos);
    CHECK(slow.wait_closed(2s));
  }
  // The silent connection was closed too (no request, nothing to answer).
  CHECK(silent.wait_closed(2s));
  CHECK(std::chrono::steady_clock::now() - t0 < 6s);
  // Nothing was started, and the daemon still works.
  CHECK(d.call("GET", "/v1/instances", "ivan", 200)["items"].empty());
  d.call("POST", "/v1/workflows/ap_review/instances", "alice", 201,
         {{"invoice", {{"id", "INV-9"}, {"amount", 9}}}});
}
