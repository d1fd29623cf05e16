// `ledgerflow gen-data` as users run it: --help, exit codes, the files it writes.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <string>

#include "support/run_command.h"
#include "support/temp_dir.h"

namespace {

namespace fs = std::filesystem;

using Run = ledgerflow::test::CommandRun;
using ledgerflow::test::slurp;

// This process's scratch directory, removed when the test program exits.
fs::path scratch() {
  static const ledgerflow::test::TempDir dir("gen-data-cli");
  return dir.path();
}

Run run(const std::string& args) {
  return ledgerflow::test::run_command(LF_CLI_PATH, args, scratch(), 60);
}

}  // namespace

TEST_CASE("gen-data --help names every option and the exit codes", "[unit][cli][datagen]") {
  auto r = run("gen-data --help");
  CHECK(r.exit_code == 0);
  for (const char* option : {"--kind", "--rows", "--seed", "--out", "Exit status"}) {
    CHECK_THAT(r.out, Catch::Contains(option));
  }
}

TEST_CASE("gen-data writes the kind's files and prints label rates", "[unit][cli][datagen]") {
  auto out = scratch() / "ap";
  auto r = run("gen-data --kind ap --rows 500 --seed 3 --out " + out.string());
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  for (const char* file : {"vendors.csv", "purchase_orders.csv", "receipts.csv", "invoices.csv",
                           "invoice_lines.csv", "features.csv"}) {
    CHECK(fs::exists(out / file));
    CHECK_THAT(r.out, Catch::Contains(file));
  }
  CHECK_THAT(r.out, Catch::Contains("label_duplicate: "));
  std::string first = slurp(out / "invoices.csv");
  REQUIRE(run("gen-data --kind ap --rows 500 --seed 3 --out " + out.string()).exit_code == 0);
  CHECK(slurp(out / "invoices.csv") == first);
  fs::remove_all(out);
}

TEST_CASE("gen-data: usage errors exit 2", "[unit][cli][datagen]") {
  auto out = scratch() / "bad";
  auto kind = run("gen-data --kind gl --rows 500 --out " + out.string());
  CHECK(kind.exit_code == 2);
  CHECK_THAT(kind.err, Catch::Contains("--kind"));
  auto rows = run("gen-data --kind ar --rows 5 --out " + out.string());
  CHECK(rows.exit_code == 2);
  CHECK_THAT(rows.err, Catch::Contains("--rows"));
  CHECK(run("gen-data --kind ar").exit_code == 2);  // --out missing
  // An output path that cannot be a directory.
  std::ofstream(scratch() / "plain_file") << "x";
  auto io =
      run("gen-data --kind ar --rows 100 --out " + (scratch() / "plain_file" / "sub").string());
  CHECK(io.exit_code == 2);
  CHECK_THAT(io.err, Catch::Contains("ledgerflow gen-data:"));
}
