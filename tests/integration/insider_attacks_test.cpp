// Insider attacks (issue: finance-grade trust), each against the real daemon with the
// demo users' own keys: every test asserts that the attack had no effect and that the
// daemon still serves everyone else.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "integration/daemon_fixture.h"

namespace {

using namespace ledgerflow::daemon_test;
using ledgerflow::api::http::test::RawClient;
using nlohmann::json;

const std::string kJson = "Content-Type: application/json\r\n";

// The daemon still answers and still starts instances.
void still_serving(const Daemon& d) {
  d.call("GET", "/healthz", "", 200);
  d.call("POST", "/v1/workflows/patterned/instances", "alice", 201, {{"amount", "12.50"}});
}

std::string nested(std::size_t depth) {
  return std::string(depth, '[') + std::string(depth, ']');
}

int status_of(const Daemon& d, const std::string& method, const std::string& target,
              const std::string& user, const std::string& body) {
  auto reply = d.request(method, target, user, body, kJson);
  REQUIRE(reply);
  INFO(reply->body);
  return reply->status;
}

}  // namespace

TEST_CASE("One request cannot kill the daemon: every bad body is a 400 naming the problem",
          "[daemon][security][attack]") {
  Daemon d({"tests/data/daemon/patterned.yaml", "tests/data/daemon/await_payment.yaml"});
  const std::string waiting =
      d.call("POST", "/v1/workflows/await_payment/instances", "dave", 201, {{"order", "SO-1"}})["id"];

  // 200 KB of nesting on a start and on a signal (any writer, no instance needed).
  const std::string deep = R"({"x":)" + nested(100'000) + "}";
  CHECK(status_of(d, "POST", "/v1/workflows/patterned/instances", "alice", deep) == 400);
  CHECK(status_of(d, "POST", "/v1/instances/" + waiting + "/signals/payment_received", "dave",
                  R"({"payload":)" + nested(100'000) + "}") == 400);
  CHECK(status_of(d, "POST", "/v1/instances/nope/signals/x", "alice", deep) == 400);

  // Numbers: beyond a double, and more digits than a JSON number carries exactly.
  auto reply = d.request("POST", "/v1/workflows/patterned/instances", "alice",
                         R"({"amount": 1e400})", kJson);
  REQUIRE(reply);
  CHECK(reply->status == 400);
  CHECK(reply->body.find("beyond the range") != std::string::npos);
  reply = d.request("POST", "/v1/workflows/patterned/instances", "alice",
                    R"({"amount": 1000000000000000.01})", kJson);
  REQUIRE(reply);
  CHECK(reply->status == 400);
  CHECK(reply->body.find("decimal string") != std::string::npos);

  // A 40,000-character string where the schema checks a pattern or a format (std::regex
  // recursion would exhaust the stack at ~30,000).
  const std::string digits(40'000, '1');
  reply = d.request("POST", "/v1/workflows/patterned/instances", "alice",
                    json{{"amount", digits}}.dump(), kJson);
  REQUIRE(reply);
  CHECK(reply->status == 422);  // the input does not match its schema
  CHECK(reply->body.find("4096 bytes") != std::string::npos);
  reply = d.request("POST", "/v1/workflows/patterned/instances", "alice",
                    json{{"day", digits}}.dump(), kJson);
  REQUIRE(reply);
  CHECK(reply->status == 422);

  // Definitions: a 50 KB number, a 70 KB name, deep nesting.
  const std::string big_number =
      "workflow: big\nstart: s\nstates:\n  s: {type: succeed, result: " +
      std::string(50'000, '9') + "}\n";
  reply = d.request("POST", "/v1/workflows", "olga", big_number, "Content-Type: application/yaml\r\n");
  REQUIRE(reply);
  CHECK(reply->status < 500);  // deployed or refused, never a crash
  const std::string long_name =
      "workflow: " + std::string(70'000, 'a') + "\nstart: s\nstates:\n  s: {type: succeed}\n";
  reply = d.request("POST", "/v1/workflows", "olga", long_name, "Content-Type: application/yaml\r\n");
  REQUIRE(reply);
  CHECK(reply->status >= 400);
  CHECK(reply->status < 500);
  const std::string long_state =
      "workflow: longstate\nstart: s\nstates:\n  " + std::string(60'000, 's') +
      ": {type: succeed}\n";
  reply = d.request("POST", "/v1/workflows", "olga", long_state, "Content-Type: application/yaml\r\n");
  REQUIRE(reply);
  CHECK(reply->status >= 400);
  CHECK(reply->status < 500);

  still_serving(d);
}

TEST_CASE("A request without a valid key is refused before its body is read",
          "[daemon][security][attack]") {
  Daemon d({"tests/data/daemon/patterned.yaml"});
  // Announce a 60 MB import and send none of it: the 401 comes back at once.
  RawClient c(d.port());
  REQUIRE(c.connected());
  REQUIRE(c.write("POST /v1/records/invoices HTTP/1.1\r\nHost: x\r\nContent-Type: text/csv\r\n"
                  "Content-Length: 60000000\r\nAuthorization: Bearer wrong-key\r\n\r\n"));
  auto reply = c.read_reply();
  REQUIRE(reply);
  CHECK(reply->status == 401);
  CHECK(c.wait_closed(std::chrono::milliseconds(3000)));

  // Readiness and metrics need a key.
  CHECK(d.request("GET", "/metrics", "")->status == 401);
  CHECK(d.request("GET", "/readyz", "")->status == 401);
  CHECK(d.request("GET", "/metrics", "alice")->status == 403);
  CHECK(d.request("GET", "/metrics", "olga")->status == 200);
  CHECK(d.request("GET", "/healthz", "")->status == 200);

  // Failed keys are limited per address: after the burst, 429 with Retry-After.
  int limited = 0;
  for (int i = 0; i < 40; ++i) {
    auto r = d.request("GET", "/v1/instances", "nobody");
    REQUIRE(r);
    if (r->status == 429) {
      ++limited;
      CHECK_FALSE(r->header("retry-after").empty());
    } else {
      CHECK(r->status == 401);
    }
  }
  CHECK(limited > 0);
  // A valid key still works from the same address.
  d.call("GET", "/v1/instances", "ivan", 200);

}

TEST_CASE("One user cannot take every event stream", "[daemon][security][attack]") {
  Daemon d({}, {"--set", "limits.max_sse_clients_per_user=2"});
  std::vector<std::unique_ptr<RawClient>> streams;
  for (int i = 0; i < 2; ++i) {
    streams.push_back(std::make_unique<RawClient>(d.port()));
    REQUIRE(streams.back()->send_request("GET", "/v1/events", "",
                                         "Authorization: Bearer " + key_of("alice") + "\r\n"));
    const std::string head = streams.back()->read_until(
        [](const std::string& s) { return s.find("\r\n\r\n") != std::string::npos; },
        std::chrono::milliseconds(3000));
    CHECK(head.rfind("HTTP/1.1 200", 0) == 0);
  }
  auto third = d.request("GET", "/v1/events", "alice");
  REQUIRE(third);
  CHECK(third->status == 429);
  // Another user is not affected.
  RawClient other(d.port());
  REQUIRE(other.send_request("GET", "/v1/events", "",
                             "Authorization: Bearer " + key_of("ivan") + "\r\n"));
  const std::string head = other.read_until(
      [](const std::string& s) { return s.find("\r\n\r\n") != std::string::npos; },
      std::chrono::milliseconds(3000));
  CHECK(head.rfind("HTTP/1.1 200", 0) == 0);
}

TEST_CASE("Only the integration path starts a finance workflow, so nobody squats its business key",
          "[daemon][security][attack]") {
  Daemon d({"workflows/payment_screening.yaml"});
  // A clerk, treasury and even the admin may not start a screening with invented data or
  // claim the payment's business key before the ERP's payment arrives.
  for (const char* user : {"alice", "tom", "olga", "bob"}) {
    INFO(user);
    const json refused = d.call("POST", "/v1/workflows/payment_screening/instances?business_key=PAY-77",
                                user, 403, {{"payment", {{"payment_id", "PAY-77"}}}});
    CHECK(refused["detail"].get<std::string>().find("permissions.start") != std::string::npos);
  }
  const json none = d.call("GET", "/v1/instances?workflow=payment_screening", "ivan", 200);
  CHECK(none["items"].empty());
}

TEST_CASE("An import whose business key is held by someone else's instance is reported",
          "[daemon][security][attack]") {
  // ap_records has no start permission (any writer starts it): the clerk takes the key of
  // the ERP's invoice I-77 with an invented 480.00 first.
  Daemon d({"tests/data/daemon/ap_records.yaml"});
  auto reply = d.request("POST", "/v1/records/vendors", "erp",
                         "vendor_id,name,country,iban,tax_id,created_at\n"
                         "V1,Acme GmbH,DE,DE89370400440532013000,DE123456789,2020-01-01T00:00:00Z\n",
                         "Content-Type: text/csv\r\n");
  REQUIRE(reply);
  REQUIRE(reply->status == 200);
  const json squat = d.call("POST", "/v1/workflows/ap_records/instances?business_key=I-77",
                            "alice", 201,
                            {{"invoice", {{"invoice_id", "I-77"}, {"amount", "480.00"}}}});
  const json invoice = json::array({{{"invoice_id", "I-77"},
                                     {"vendor_id", "V1"},
                                     {"invoice_number", "77"},
                                     {"invoice_date", "2026-01-05"},
                                     {"due_date", "2026-02-04"},
                                     {"currency", "EUR"},
                                     {"amount", "48000.00"},
                                     {"submitted_by", "carl"}}});
  reply = d.request("POST", "/v1/records/invoices?start=ap_records", "erp", invoice.dump(), kJson);
  REQUIRE(reply);
  INFO(reply->body);
  REQUIRE(reply->status == 200);
  const json report = json::parse(reply->body);
  CHECK(report["workflows"]["started"] == 0);
  CHECK(report["workflows"]["already_started"] == 0);
  CHECK(report["workflows"]["key_conflicts"] == 1);
  const std::string conflict = report["workflows"]["conflicts"][0];
  CHECK(conflict.find(squat["id"].get<std::string>()) != std::string::npos);
  CHECK(conflict.find("alice") != std::string::npos);
}

TEST_CASE("The published demo keys are enabled only by --demo, and only on loopback",
          "[daemon][security][attack]") {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("lf_demo_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  auto exit_code = [&](std::vector<std::string> args, const std::string& log) {
    args.insert(args.end(), {"--db", (dir / "x.db").string()});
    auto child = ledgerflow::crash::ChildProcess::spawn(LF_DAEMON_PATH, args, (dir / log).string());
    REQUIRE(child);
    return (*child)->wait();
  };
  auto log_of = [&](const std::string& log) {
    std::ifstream in(dir / log);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  };
  // `demo: true` in a config file (or LEDGERFLOW_DEMO in the environment) is refused.
  { std::ofstream(dir / "demo.yaml") << "listen: 127.0.0.1:0\ndemo: true\n"; }
  CHECK(exit_code({"--config", (dir / "demo.yaml").string()}, "config.log") == 2);
  CHECK(log_of("config.log").find("--demo flag") != std::string::npos);
  // --demo on a listener others can reach is refused unless forced.
  CHECK(exit_code({"--demo", "--listen", "0.0.0.0:0"}, "network.log") == 2);
  CHECK(log_of("network.log").find("not loopback") != std::string::npos);
  CHECK_FALSE(fs::exists(dir / "x.db"));
  fs::remove_all(dir);
}

TEST_CASE("Read scopes: an instance is read only by its creator, readers and candidates",
          "[daemon][security][attack]") {
  Daemon d({"tests/data/daemon/scoped.yaml", "tests/data/daemon/patterned.yaml"});
  // Treasury opens the event stream first, from the beginning.
  RawClient stream(d.port());
  REQUIRE(stream.send_request("GET", "/v1/events?after=0", "",
                              "Authorization: Bearer " + key_of("tom") + "\r\n"));

  const std::string id =
      d.call("POST", "/v1/workflows/scoped/instances", "alice", 201, json::object())["id"];
  for (const char* user : {"alice", "bob", "carol", "ivan", "olga"}) {  // creator, reader,
    INFO(user);                                                           // candidate, auditor,
    d.call("GET", "/v1/instances/" + id, user, 200);                      // admin
  }
  for (const char* user : {"tom", "erin", "dave"}) {
    INFO(user);
    // The same 404 as for an instance that does not exist.
    const json hidden = d.call("GET", "/v1/instances/" + id, user, 404);
    const json missing = d.call("GET", "/v1/instances/no-such-id", user, 404);
    CHECK(hidden["code"] == missing["code"]);
    d.call("GET", "/v1/instances/" + id + "/history", user, 404);
    d.call("GET", "/v1/instances/" + id + "/decisions", user, 404);
    const json list = d.call("GET", "/v1/instances?workflow=scoped", user, 200);
    CHECK(list["items"].empty());
  }
  CHECK(d.call("GET", "/v1/instances?workflow=scoped", "bob", 200)["items"].size() == 1);

  // Treasury's stream skips the scoped instance's events: everything it receives up to
  // its own instance's start is about other instances.
  const std::string own =
      d.call("POST", "/v1/workflows/patterned/instances", "tom", 201, {{"amount", "1.00"}})["id"];
  const std::string seen = stream.read_until(
      [&](const std::string& s) { return s.find(own) != std::string::npos; },
      std::chrono::milliseconds(10000));
  CHECK(seen.find(own) != std::string::npos);
  CHECK(seen.find(id) == std::string::npos);

  // Records follow their book: a collector does not read the payables side, an AP clerk
  // not the receivables side.
  auto vendor = d.request("POST", "/v1/records/vendors", "erp",
                          "vendor_id,name,country,iban,tax_id,created_at\n"
                          "V1,Acme GmbH,DE,DE89370400440532013000,DE123456789,2020-01-01T00:00:00Z\n",
                          "Content-Type: text/csv\r\n");
  REQUIRE(vendor);
  REQUIRE(vendor->status == 200);
  d.call("GET", "/v1/records/vendors/V1", "bob", 200);
  d.call("GET", "/v1/records/vendors/V1", "erin", 403);
  d.call("GET", "/v1/records/customers/C1", "alice", 403);
  d.call("GET", "/v1/collections/worklist", "alice", 403);
  d.call("GET", "/v1/forecast/cash", "bob", 403);
}
