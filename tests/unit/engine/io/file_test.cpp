// engine/io/file: the one whole-file reader with a size limit.
#include <catch2/catch.hpp>

#include <string>

#include "engine/io/file.h"
#include "support/temp_dir.h"

using ledgerflow::ErrorCode;
using ledgerflow::test::TempDir;
namespace io = ledgerflow::io;

TEST_CASE("io::read_file returns a file's bytes up to the limit", "[unit][io]") {
  TempDir dir;
  const std::string text("line 1\nline 2\0binary\xFF", 21);
  auto path = dir.write("a.txt", text);
  auto read = io::read_file(path, text.size());
  REQUIRE(read);
  CHECK(*read == text);
  auto empty = io::read_file(dir.write("empty.txt", ""), 0);
  REQUIRE(empty);
  CHECK(empty->empty());
  // Larger than the internal buffer: the whole file comes back.
  const std::string big(200'000, 'x');
  auto whole = io::read_file(dir.write("big.txt", big), big.size());
  REQUIRE(whole);
  CHECK(*whole == big);
}

TEST_CASE("io::read_file refuses a file over the limit, naming it", "[unit][io]") {
  TempDir dir;
  auto path = dir.write("model.json", std::string(101, '{'));
  auto read = io::read_file(path, 100, "a model");
  REQUIRE_FALSE(read);
  CHECK(read.error().code == ErrorCode::invalid_argument);
  CHECK(read.error().message == path + ": larger than 100 bytes, the limit for a model");
}

TEST_CASE("io::read_file tells a missing file from a directory", "[unit][io]") {
  TempDir dir;
  auto missing = io::read_file(dir.path("nope.json"), 100);
  REQUIRE_FALSE(missing);
  CHECK(missing.error().code == ErrorCode::not_found);
  CHECK(missing.error().message == dir.path("nope.json") + ": no such file");
  auto directory = io::read_file(dir.path(), 100);
  REQUIRE_FALSE(directory);
  CHECK(directory.error().code == ErrorCode::io_error);
  CHECK_THAT(directory.error().message, Catch::Contains("is a directory"));
}

TEST_CASE("io::read_head reads at most the first bytes", "[unit][io]") {
  TempDir dir;
  auto path = dir.write("m.json", "{\"learner\": {}}");
  CHECK(io::read_head(path, 4) == "{\"le");
  CHECK(io::read_head(path, 100) == "{\"learner\": {}}");
  CHECK(io::read_head(dir.path("missing"), 10).empty());
}
