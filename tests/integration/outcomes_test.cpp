// Outcomes and realised accuracy over HTTP: POST /v1/outcomes (roles, validation against
// the decision, write-once semantics, arrays all or nothing) and
// GET /v1/models/{name}/performance; and the deploy-time check of score features.
#include <catch2/catch.hpp>

#include "integration/daemon_fixture.h"

namespace {

using namespace ledgerflow::daemon_test;
using nlohmann::json;

std::string decision_of(const Daemon& d, double amount, bool weekend) {
  static int n = 0;
  const json inst =
      d.call("POST", "/v1/workflows/scored_invoice/instances", "alice", 201,
             {{"invoice",
               {{"id", "I-" + std::to_string(++n)}, {"amount", amount}, {"weekend", weekend}}}});
  const json decisions =
      d.call("GET", "/v1/instances/" + inst["id"].get<std::string>() + "/decisions", "ivan", 200);
  REQUIRE(decisions["items"].size() == 1);
  return decisions["items"][0]["decision_id"].get<std::string>();
}

}  // namespace

TEST_CASE("Outcomes are recorded once per decision and give realised accuracy", "[daemon]") {
  Daemon d({"tests/data/daemon/scored_invoice.yaml"});
  const std::string low = decision_of(d, 100, false);   // score ~0.05
  const std::string high = decision_of(d, 9000, true);  // score ~0.89
  const std::string mid = decision_of(d, 5000, false);  // score ~0.27

  // Who may record outcomes.
  d.call("POST", "/v1/outcomes", "alice", 403, {{"decision_id", low}, {"actual", 0}});
  d.call("POST", "/v1/outcomes", "ivan", 403, {{"decision_id", low}, {"actual", 0}});

  const json created = d.call("POST", "/v1/outcomes", "bob", 201,
                              {{"decision_id", low}, {"actual", 0}, {"note", "paid once"}});
  REQUIRE(created["items"].size() == 1);
  CHECK(created["items"][0]["status"] == "created");
  CHECK(created["items"][0]["model"] == "invoice_risk");
  CHECK(created["items"][0]["version"] == "1");
  // A retry is harmless; a different value is a conflict.
  const json again =
      d.call("POST", "/v1/outcomes", "bob", 200, {{"decision_id", low}, {"actual", 0}});
  CHECK(again["items"][0]["status"] == "unchanged");
  d.call("POST", "/v1/outcomes", "bob", 409, {{"decision_id", low}, {"actual", 1}});

  // Bad input.
  d.call("POST", "/v1/outcomes", "bob", 404, {{"decision_id", "nope-e1"}, {"actual", 1}});
  d.call("POST", "/v1/outcomes", "bob", 404, {{"decision_id", "garbage"}, {"actual", 1}});
  d.call("POST", "/v1/outcomes", "bob", 422, {{"decision_id", high}, {"actual", 0.5}});
  d.call("POST", "/v1/outcomes", "bob", 400, {{"decision_id", high}, {"actual", "1"}});
  d.call("POST", "/v1/outcomes", "bob", 400, {{"decision_id", high}, {"actual", 1}, {"extra", 1}});
  d.call("POST", "/v1/outcomes", "bob", 400, {{"decision_id", high}});
  d.call("POST", "/v1/outcomes", "bob", 400, json::array());
  // An array is all or nothing: the unknown decision stops the valid one too.
  d.call("POST", "/v1/outcomes", "olga", 404,
         json::array(
             {{{"decision_id", high}, {"actual", 1}}, {{"decision_id", "x-e9"}, {"actual", 0}}}));

  const json batch = d.call("POST", "/v1/outcomes", "olga", 201,
                            json::array({{{"decision_id", high}, {"label", 1}},
                                         {{"decision_id", mid}, {"actual", 1}},
                                         {{"decision_id", low}, {"actual", 0}}}));
  REQUIRE(batch["items"].size() == 3);
  CHECK(batch["items"][0]["status"] == "created");
  CHECK(batch["items"][2]["status"] == "unchanged");

  const json perf = d.call("GET", "/v1/models/invoice_risk/performance", "ivan", 200);
  CHECK(perf["outcomes"] == 3);
  REQUIRE(perf["versions"].size() == 1);
  const json& v1 = perf["versions"][0];
  CHECK(v1["version"] == "1");
  CHECK(v1["kind"] == "binary");
  CHECK(v1["count"] == 3);
  CHECK(v1["positives"] == 2);
  CHECK(v1["auc"].get<double>() == Approx(1.0));
  CHECK(v1["accuracy"].get<double>() == Approx(2.0 / 3));  // mid (0.27) was a positive
  CHECK(v1["brier"].get<double>() > 0);
  d.call("GET", "/v1/models/nope/performance", "ivan", 404);
}

TEST_CASE("Deploying a score state whose features do not match the model fails, located",
          "[daemon]") {
  Daemon d({});
  const std::string yaml =
      "workflow: mismatch\n"
      "start: s\n"
      "states:\n"
      "  s:\n"
      "    type: score\n"
      "    model: invoice_risk\n"
      "    features: {amount: x.amount, colour: x.colour}\n"
      "    next: done\n"
      "  done: {type: succeed}\n";
  auto reply =
      d.request("POST", "/v1/workflows", "olga", yaml, "Content-Type: application/yaml\r\n");
  REQUIRE(reply);
  INFO(reply->body);
  REQUIRE(reply->status == 422);
  const json body = json::parse(reply->body);
  REQUIRE(body["problems"].size() == 1);
  CHECK(body["problems"][0]["line"] == 7);
  CHECK(body["problems"][0]["column"] == 5);
  const std::string message = body["problems"][0]["message"];
  CHECK(message.find("version 1") != std::string::npos);
  CHECK(message.find("missing: weekend") != std::string::npos);
  CHECK(message.find("unexpected: colour") != std::string::npos);
  // A model that does not resolve is located at the reference.
  std::string unknown = yaml;
  unknown.replace(unknown.find("model: invoice_risk"), 19, "model: invoice_riks");
  reply = d.request("POST", "/v1/workflows", "olga", unknown, "Content-Type: application/yaml\r\n");
  REQUIRE(reply);
  CHECK(reply->status == 422);
  CHECK(reply->body.find("does not resolve") != std::string::npos);
}
