// Loading: YAML and JSON of the same definition are equal; shipped workflows validate;
// fields land in the model as written.
#include <catch2/catch.hpp>

#include <filesystem>

#include "engine/definition/describe.h"
#include "engine/definition/loader.h"
#include "engine/runtime/definition_file.h"

using namespace ledgerflow::def;

namespace {

std::shared_ptr<const Definition> load_file(const std::string& path) {
  auto r = load_definition_file(path);
  REQUIRE(r.ok());
  std::string problems;
  for (const auto& p : r->problems) problems += format_problem(path, p) + "\n";
  INFO(problems);
  REQUIRE(r->ok());
  return r->definition;
}

const std::string kData = std::string(LF_SOURCE_DIR) + "/tests/data/definitions/";

}  // namespace

TEST_CASE("YAML and JSON of the same definition load equal", "[unit][definition]") {
  auto yaml = load_file(kData + "sample.yaml");
  auto json = load_file(kData + "sample.json");
  CHECK(*yaml == *json);
  CHECK(yaml->canonical == json->canonical);
  CHECK(describe_text(*yaml) == describe_text(*json));
  CHECK(to_dot(*yaml) == to_dot(*json));
}

TEST_CASE("a changed definition is not equal", "[unit][definition]") {
  auto a = load_definition("workflow: x\nstart: a\nstates: {a: {type: succeed}}\n");
  auto b = load_definition("workflow: x\nstart: a\nstates: {a: {type: fail, error: e}}\n");
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  CHECK_FALSE(*a.definition == *b.definition);
}

TEST_CASE("every shipped workflow validates", "[unit][definition]") {
  int count = 0;
  for (const auto& entry :
       std::filesystem::directory_iterator(std::string(LF_SOURCE_DIR) + "/workflows")) {
    if (entry.path().extension() != ".yaml") continue;
    ++count;
    SECTION(entry.path().filename().string()) {
      load_file(entry.path().string());
    }
  }
  CHECK(count >= 4);
}

TEST_CASE("fields land in the model", "[unit][definition]") {
  auto d = load_file(kData + "sample.yaml");
  CHECK(d->name == "sample_approval");
  CHECK(d->version == 3);
  CHECK(d->sensitive == std::vector<std::string>{"invoice.vendor_iban"});
  const State* score = d->find_state("score_risk");
  REQUIRE(score);
  const auto& s = std::get<ScoreSpec>(score->spec);
  CHECK(s.model == "ap_invoice_risk");
  CHECK(s.explain == 3);
  CHECK(s.shadow == std::vector<std::string>{"ap_invoice_risk@challenger"});
  CHECK(score->output == "risk");
  REQUIRE(score->retry.size() == 1);
  CHECK(score->retry[0].max_attempts == 4);
  CHECK(score->retry[0].initial == Duration{2000});
  const State* approve = d->find_state("manager_approval");
  REQUIRE(approve);
  const auto& a = std::get<ApprovalSpec>(approve->spec);
  CHECK(a.min_approvals == 2);
  CHECK(a.due == Duration{48LL * 3600 * 1000});
  REQUIRE(a.escalate);
  CHECK(a.escalate->to.roles == std::vector<std::string>{"finance_director"});
  CHECK(a.on.size() == 2);
  const State* lines = d->find_state("per_line");
  REQUIRE(lines);
  const auto& m = std::get<MapSpec>(lines->spec);
  CHECK(m.max_concurrency == 4);
  CHECK(m.iterator.start == "check_line");
}

TEST_CASE("templates render with exact values", "[unit][definition]") {
  auto d = load_file(kData + "sample.yaml");
  const State* mark = d->find_state("mark");
  REQUIRE(mark);
  const auto& t = std::get<TaskSpec>(mark->spec);
  nlohmann::json data = {{"invoice", {{"id", "INV-7"}, {"amount", 12.1}, {"lines", {1, 2, 3}}}}};
  ledgerflow::expr::EvalContext ctx;
  auto out = t.with.render(data, ctx);
  REQUIRE(out.ok());
  CHECK((*out)["label"] == "Invoice INV-7 of 36.3");
  CHECK((*out)["total"] == 36.3);
  CHECK((*out)["fixed"] == "plain text");
  CHECK((*out)["count"] == 3);
}

TEST_CASE("describe and dot show states and transitions", "[unit][definition]") {
  auto d = load_file(kData + "sample.yaml");
  std::string text = describe_text(*d);
  CHECK_THAT(
      text, Catch::Contains("route (choice)") && Catch::Contains("-> manager_approval  [default]"));
  std::string dot = to_dot(*d);
  CHECK_THAT(dot, Catch::StartsWith("digraph \"sample_approval\""));
  CHECK_THAT(dot, Catch::Contains("\"manager_approval\" -> \"done\" [label=\"approved\"]"));
}

TEST_CASE("durations", "[unit][definition]") {
  CHECK(parse_duration("PT48H")->ms == 48LL * 3600 * 1000);
  CHECK(parse_duration("P3D")->ms == 3LL * 24 * 3600 * 1000);
  CHECK(parse_duration("P2W")->ms == 14LL * 24 * 3600 * 1000);
  CHECK(parse_duration("P1DT12H30M")->ms == (36LL * 3600 + 30 * 60) * 1000);
  CHECK(parse_duration("PT0.5S")->ms == 500);
  CHECK(to_string(*parse_duration("P1DT12H30M")) == "P1DT12H30M");
  CHECK(to_string(*parse_duration("PT1.25S")) == "PT1.25S");
  for (const char* bad : {"", "P", "PT", "48H", "P1M", "P1Y", "PT1D", "P1H", "PT-1S", "PT0S",
                          "P1.5D", "P9999D", "PT1H1H", "PTS", "P1", "PT1S1H", "P1D2W"}) {
    INFO(bad);
    CHECK_FALSE(parse_duration(bad).ok());
  }
}
