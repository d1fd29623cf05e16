// The `ledgerflow` CLI as users run it: exit codes, output on stdout, errors on stderr.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <string>

#include "support/run_command.h"
#include "support/temp_dir.h"

namespace {

using Run = ledgerflow::test::CommandRun;
using ledgerflow::test::slurp;

// This process's scratch directory, removed when the test program exits.
std::filesystem::path temp_dir() {
  static const ledgerflow::test::TempDir dir("cli");
  return dir.path();
}

// Runs the CLI with a shell-quoted argument string; `timeout` guards against hangs.
Run run(const std::string& args) {
  return ledgerflow::test::run_command(LF_CLI_PATH, args, temp_dir());
}

std::string write_file(const std::string& name, const std::string& content) {
  auto p = temp_dir() / name;
  std::ofstream(p, std::ios::binary) << content;
  return p.string();
}

const std::string kSrc = LF_SOURCE_DIR;

}  // namespace

TEST_CASE("validate: exit 0 for valid files", "[unit][cli]") {
  auto r = run("validate " + kSrc + "/workflows/ap_invoice_approval.yaml " + kSrc +
               "/tests/data/definitions/sample.json");
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("ap_invoice_approval.yaml: ok"));
}

TEST_CASE("validate: exit 1 with located problems", "[unit][cli]") {
  auto bad = write_file("bad.yaml", "workflow: demo\nstart: a\nstates:\n  a: {type: suceed}\n");
  auto r = run("validate " + bad);
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.err, Catch::Contains(bad + ":4:13: state 'a': unknown state type 'suceed'"));
}

TEST_CASE("validate: exit 2 for IO and usage errors", "[unit][cli]") {
  CHECK(run("validate /nonexistent/file.yaml").exit_code == 2);
  CHECK(run("validate " + temp_dir().string()).exit_code == 2);
  CHECK(run("validate").exit_code == 2);
  CHECK(run("no-such-command").exit_code == 2);
}

TEST_CASE("every command has --help", "[unit][cli]") {
  for (const char* cmd : {"", "validate ", "eval ", "describe "}) {
    auto r = run(std::string(cmd) + "--help");
    INFO(cmd);
    CHECK(r.exit_code == 0);
    CHECK_THAT(r.out, Catch::Contains("Usage"));
  }
}

TEST_CASE("eval prints exact JSON results", "[unit][cli]") {
  auto r = run("eval '0.1 + 0.2 == 0.3'");
  CHECK(r.exit_code == 0);
  CHECK(r.out == "true\n");
  r =
      run("eval 'invoice.lines.map(l, l.qty * l.unit_price)' --data "
          "'{\"invoice\": {\"lines\": [{\"qty\": 3, \"unit_price\": 12.10}, {\"qty\": 1, "
          "\"unit_price\": 0.1}]}}'");
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.out == "[36.3,0.1]\n");
  r = run("eval 'days_between(date(\"2026-03-01\"), now())' --now 2026-03-31T10:00:00Z");
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.out == "30\n");
}

TEST_CASE("eval: data from a file", "[unit][cli]") {
  auto f = write_file("data.json", "{\"a\": {\"b\": [1, 2, 3]}}");
  auto r = run("eval 'sum(a.b)' --data-file " + f);
  CHECK(r.exit_code == 0);
  CHECK(r.out == "6\n");
}

TEST_CASE("eval: errors exit 1 on stderr", "[unit][cli]") {
  auto r = run("eval 'x +'");
  CHECK(r.exit_code == 1);
  CHECK(r.out.empty());
  CHECK_FALSE(r.err.empty());
  r = run("eval 'a.b + 1' --data '{\"a\": {}}'");
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.err, Catch::Contains("a.b"));
  r = run("eval '1 / 0'");
  CHECK(r.exit_code == 1);
}

TEST_CASE("eval: bad data or --now is a usage error", "[unit][cli]") {
  CHECK(run("eval '1' --data '{not json'").exit_code == 2);
  CHECK(run("eval '1' --data '[1]'").exit_code == 2);
  CHECK(run("eval '1' --now yesterday").exit_code == 2);
  CHECK(run("eval '1' --data-file /nonexistent.json").exit_code == 2);
}

TEST_CASE("describe prints states and a dot graph", "[unit][cli]") {
  auto r = run("describe " + kSrc + "/tests/data/definitions/sample.yaml");
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("workflow sample_approval") &&
                        Catch::Contains("manager_approval (approval)"));
  r = run("describe --dot " + kSrc + "/tests/data/definitions/sample.yaml");
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::StartsWith("digraph"));
  auto bad = write_file("bad2.yaml", "workflow: demo\n");
  CHECK(run("describe " + bad).exit_code == 1);
}

TEST_CASE("hostile files through the CLI: non-zero exit, never a crash", "[unit][cli][bad-input]") {
  std::string garbage;
  for (int i = 0; i < 65536; ++i) garbage += static_cast<char>((i * 2654435761u >> 7) & 0xFF);
  std::string deep = "{\"workflow\": " + std::string(10000, '[') + std::string(10000, ']') + "}";
  std::string laughs = "a: &a [x, x, x, x, x, x, x, x, x, x]\n";
  for (int i = 1; i < 12; ++i) {
    laughs += "a" + std::to_string(i) + ": &a" + std::to_string(i) + " [";
    for (int k = 0; k < 10; ++k)
      laughs += std::string(k ? ", " : "") + (i == 1 ? "*a" : "*a" + std::to_string(i - 1));
    laughs += "]\n";
  }
  struct Case {
    const char* name;
    std::string content;
  };
  std::vector<Case> cases = {
      {"garbage.yaml", garbage},
      {"empty.yaml", ""},
      {"big.yaml", std::string(10 << 20, '#')},
      {"deep.json", deep},
      {"laughs.yaml", laughs},
      {"utf8.yaml", "workflow: \xFF\xFE\n"},
      {"broken.json", "{\"workflow\": \"x\","},
  };
  for (const auto& c : cases) {
    auto path = write_file(c.name, c.content);
    auto r = run("validate " + path);
    INFO(c.name << ": " << r.err);
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.err, Catch::Contains(path + ":"));
  }
}
